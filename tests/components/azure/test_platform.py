"""The L3 AzurePlatform, built from a spec and recorded once: composition, URN aliases, parenting, region, tags,
protection, and the key wiring between its components."""

import pytest

from sovereign.engine.recorder import SECRET, Recording
from sovereign.types import StorePurpose
from tests.components.azure.conftest import REGION, TAGS, VAULT_URI, at, platform_args

L2_COMPONENTS = {
    "de-net": "sovereign:azure:SovereignNetwork",
    "de-keys": "sovereign:azure:KeyCustody",
    "de-logs": "sovereign:azure:AuditLogging",
    "de-acr": "sovereign:azure:SovereignRegistry",
    "de-store-model-weights": "sovereign:azure:EncryptedStorage",
    "de-store-audit-logs": "sovereign:azure:EncryptedStorage",
    "de-aks": "sovereign:azure:SovereignCluster",
    "de-policy": "sovereign:azure:SovereignPolicies",
}
GLOBAL_BY_DESIGN = {
    # Azure defines these as global resources; they hold only private IPs of in-region endpoints / scopes.
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:monitor:PrivateLinkScope",
}
STATEFUL = {
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Key",
    "azure-native:compute:DiskEncryptionSet",
    "azure-native:storage:StorageAccount",
    "azure-native:containerregistry:Registry",
    "azure-native:operationalinsights:Workspace",
    "azure-native:operationalinsights:Cluster",
}


def test_every_cloud_resource_is_a_child_of_an_azure_component(platform: Recording) -> None:
    by_urn = platform.by_urn()
    resources = [r for r in platform.registrations if r.custom]
    assert len(resources) > 60, f"expected the whole platform, got {len(resources)} resources"
    for resource in resources:
        parent = by_urn.get(resource.parent or "")
        assert parent is not None, f"{resource.urn}: parent {resource.parent} is not a registered component"
        assert parent.type.startswith("sovereign:azure:"), f"{resource.urn}: parent type {parent.type}"


def test_sub_components_are_children_of_their_component(platform: Recording) -> None:
    by_urn = platform.by_urn()
    for name, parent_name in [
        ("de-keys-pe", "de-keys"),
        ("de-keys-etcd", "de-keys"),
        ("de-net-dns", "de-net"),
        ("de-aks-h100", "de-aks"),
        ("de-acr-pe", "de-acr"),
    ]:
        child = next(r for r in platform.registrations if r.name == name and not r.custom)
        assert by_urn[child.parent or ""].name == parent_name, f"{child.urn}: parent {child.parent}"


def test_every_resource_with_a_location_is_in_the_country_region(platform: Recording) -> None:
    located = [r for r in platform.registrations if "location" in r.inputs]
    assert len(located) > 40, f"expected most resources to carry a location, got {len(located)}"
    for resource in located:
        expected = "global" if resource.type in GLOBAL_BY_DESIGN else REGION
        assert resource.inputs["location"] == expected, (
            f"{resource.urn}: location {resource.inputs['location']}"
        )


def test_taggable_resources_carry_the_country_tags(platform: Recording) -> None:
    must_be_tagged = STATEFUL - {"azure-native:keyvault:Key"} | {
        "azure-native:resources:ResourceGroup",
        "azure-native:network:VirtualNetwork",
        "azure-native:containerservice:ManagedCluster",
        "azure-native:managedidentity:UserAssignedIdentity",
    }
    for resource in platform.registrations:
        if resource.type in must_be_tagged:
            assert resource.inputs.get("tags") == TAGS, f"{resource.urn}: tags {resource.inputs.get('tags')}"


def test_stateful_resources_are_protected_and_keys_are_retained(platform: Recording) -> None:
    for type_token in STATEFUL:
        found = platform.of_type(type_token)
        assert found, f"no {type_token} registered"
        for resource in found:
            assert resource.protect, f"{resource.urn}: not protected in a prod stack"
    for key in platform.of_type("azure-native:keyvault:Key"):
        assert key.retain_on_delete, f"{key.urn}: a key must survive its removal from the stack"


def test_nothing_is_reachable_from_the_internet(platform: Recording) -> None:
    for type_token in ("PublicIPAddress", "NatGateway", "LoadBalancer", "PublicIPPrefix"):
        assert not platform.of_type(f"azure-native:network:{type_token}"), f"a {type_token} was declared"
    checked = 0
    for resource in platform.registrations:
        for key in ("publicNetworkAccess", "publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"):
            if key in resource.inputs:
                checked += 1
                assert resource.inputs[key] == "Disabled", f"{resource.urn}: {key}={resource.inputs[key]}"
        if resource.get("properties.publicNetworkAccess") is not None:
            checked += 1
            assert resource.get("properties.publicNetworkAccess") == "Disabled", resource.urn
    assert checked >= 7, (
        f"expected vault, storage x2, registry, workspace x2, cluster to be checked, got {checked}"
    )


def test_kubeconfig_is_a_secret_entra_kubeconfig(platform: Recording) -> None:
    assert platform.outputs["kubeconfig"] == SECRET, "the kubeconfig export must be a Pulumi secret"
    plain = platform.outputs["kubeconfig_plain"]
    assert plain.startswith("apiVersion: v1\nkind: Config"), (
        f"decoded kubeconfig expected, got {plain[:40]!r}"
    )
    assert platform.outputs["oidc_issuer_url"].startswith(f"https://{REGION}.oic.prod-aks.azure.com/")


def test_cluster_uses_the_custody_keys_and_identities(platform: Recording) -> None:
    cluster = platform.one("azure-native:containerservice:ManagedCluster")
    etcd_identity = platform.one("azure-native:managedidentity:UserAssignedIdentity", "de-keys-etcd-identity")
    key_id = cluster.get("securityProfile.azureKeyVaultKms.keyId")
    assert key_id.startswith(f"{VAULT_URI}keys/etcd-cmk/"), f"{cluster.urn}: {key_id}"
    assert len(key_id.rsplit("/", 1)[1]) == 32, f"{cluster.urn}: KMS needs a versioned key id, got {key_id}"
    assert cluster.get("identity.userAssignedIdentities") == [
        f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/offline/providers/"
        f"Microsoft.ManagedIdentity/userAssignedIdentities/{etcd_identity.name}"
    ], cluster.urn
    des = platform.one("azure-native:compute:DiskEncryptionSet")
    assert des.get("activeKey.keyUrl").startswith(f"{VAULT_URI}keys/disks-cmk/"), des.urn
    assert cluster.get("diskEncryptionSetID", "").endswith("/diskEncryptionSets/de-aks-disks-des"), (
        cluster.urn
    )


def test_key_consumers_wait_for_their_key_grants(platform: Recording) -> None:
    """Azure validates key access when a DES, account, registry, workspace cluster or KMS cluster is created."""
    grants = {g.name: g.urn for g in platform.of_type("azure-native:authorization:RoleAssignment")}
    consumers = {
        ("azure-native:containerservice:ManagedCluster", "de-aks-aks"): [
            "de-keys-etcd-key-access",
            "de-keys-etcd-vault-link",
        ],
        ("azure-native:compute:DiskEncryptionSet", "de-aks-disks-des"): ["de-keys-disks-key-access"],
        ("azure-native:storage:StorageAccount", "de-store-model-weights-account"): [
            "de-keys-storage-key-access"
        ],
        ("azure-native:containerregistry:Registry", "de-acr-registry"): ["de-keys-registry-key-access"],
    }
    sleeps = {s.name: s for s in platform.of_type("time:index/sleep:Sleep")}
    for (type_token, name), needed in consumers.items():
        consumer = platform.one(type_token, name)
        for grant in needed:
            assert grants[grant] in consumer.dependencies, f"{consumer.urn} does not wait for {grant}"
            # ... and for the RBAC propagation wait after it (up to 10 minutes: components/azure/rbac.py).
            wait = sleeps[grant.rsplit("-", 2)[0] + "-grant-propagation"]
            assert wait.urn in consumer.dependencies and grants[grant] in wait.dependencies, consumer.urn
            assert wait.get("createDuration") == "10m", wait.urn
    # The log cluster's system identity is granted after the cluster exists (its key comes in the next
    # deployment): the grant waits for the cluster, and a propagation wait follows the grant.
    cluster = platform.one("azure-native:operationalinsights:Cluster", "de-logs-cluster")
    grant = platform.one("azure-native:authorization:RoleAssignment", "de-logs-cluster-key-access")
    assert (
        cluster.urn in grant.dependencies
        and grant.urn in sleeps["de-logs-cluster-grant-propagation"].dependencies
    )


def test_platform_composes_every_l2_component_as_its_child(platform: Recording) -> None:
    root = platform.one("sovereign:azure:AzurePlatform", "de")
    children = {r.name: r.type for r in platform.children_of(root.urn) if not r.custom}
    assert children == L2_COMPONENTS, at(root)


def test_l2_components_keep_their_urns_from_when_they_were_children_of_the_stack(platform: Recording) -> None:
    """Moving a component under the platform must not replace its cloud resources: each L2 component carries
    an alias to its old URN, a child of the root stack with the same type and name."""
    root = platform.one("sovereign:azure:AzurePlatform", "de")
    stack_urn = root.parent or ""
    stack_type = stack_urn.split("::")[2]
    assert stack_type == "pulumi:pulumi:Stack", f"{root.urn}: parent {stack_urn} is not the root stack"
    head = root.urn.split("::", 2)
    for name, type_token in L2_COMPONENTS.items():
        component = platform.one(type_token, name)
        was_at_root = f"{head[0]}::{head[1]}::{stack_type}${type_token}::{name}"
        assert was_at_root in component.aliases, f"{component.urn}: aliases {component.aliases}"


def test_policies_are_scoped_to_the_platform_resource_group(platform: Recording) -> None:
    for assignment in platform.of_type("azure-native:authorization:PolicyAssignment"):
        assert assignment.inputs["scope"].endswith("/resourceGroups/de-net-rg"), at(assignment)
        residency = assignment.get("parameters.listOfAllowedLocations.value")
        if residency is not None:
            assert residency == [REGION, "germanynorth"], at(assignment)


def test_rejects_a_platform_outside_its_allowed_regions() -> None:
    with pytest.raises(ValueError, match="is not an allowed region"):
        platform_args(allowed_regions=["francecentral"])


def test_rejects_two_stores_of_the_same_name() -> None:
    from components.azure import NamedStore, StoreSpec

    store = NamedStore("weights", StoreSpec(purpose=StorePurpose.MODEL_WEIGHTS))
    with pytest.raises(ValueError, match="names must be unique"):
        platform_args(stores=[store, store])
