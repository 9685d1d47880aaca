"""SovereignCluster and AksNodePool, built by the real platform on its real siblings (network, keys, logs,
registry): every control on the captured ManagedCluster/AgentPool inputs, and the checks of ClusterSpec."""

import dataclasses
import itertools
from typing import Any

import pytest

from sovereign.contracts import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE, GPU_TAINT
from sovereign.engine.recorder import SECRET, Recording
from sovereign.types import ConfidentialTier, EgressMode
from tests.components.azure.conftest import (
    ADMIN_GROUP,
    GPU_SIZE,
    SYSTEM_SIZE,
    TENANT,
    VAULT_NAME,
    VAULT_URI,
    arm_id,
    at,
    cluster_spec,
    confidential_cluster,
    gpu_pool,
    platform_args,
    pool,
    record_platform,
    subnet_id,
    zone_id,
)

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
GRANT = "azure-native:authorization:RoleAssignment"
ROLE = "/providers/Microsoft.Authorization/roleDefinitions/"
NODES_SUBNET = subnet_id("de-net-nodes")
VAULT_ID = arm_id("Microsoft.KeyVault/vaults", VAULT_NAME)
WORKSPACE_ID = arm_id("Microsoft.OperationalInsights/workspaces", "de-logs-workspace")


def record(egress: EgressMode = EgressMode.NONE, **spec: Any) -> Recording:
    """The platform (without stores) whose cluster has these ClusterSpec fields."""
    return record_platform(platform_args(egress=egress, cluster=cluster_spec(**spec), stores=()))


@pytest.fixture(scope="module")
def default(platform: Recording) -> Recording:
    return platform


def test_api_server_is_private_without_public_fqdn_or_run_command(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    assert cluster.get("apiServerAccessProfile") == {
        "enablePrivateCluster": True,
        "enablePrivateClusterPublicFQDN": False,
        "enableVnetIntegration": True,
        "subnetId": subnet_id("de-net-apiserver"),
        "privateDNSZone": zone_id("aks"),
        "disableRunCommand": True,
    }, at(cluster)
    assert cluster.inputs["publicNetworkAccess"] == "Disabled", at(cluster)
    assert cluster.inputs["fqdnSubdomain"] == "de-aks", at(cluster)


def test_entra_only_access_with_azure_rbac(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    assert cluster.inputs["disableLocalAccounts"] is True, at(cluster)
    assert cluster.inputs["enableRBAC"] is True, at(cluster)
    assert cluster.get("aadProfile") == {
        "managed": True,
        "enableAzureRBAC": True,
        "adminGroupObjectIDs": [ADMIN_GROUP],
        "tenantID": TENANT,
    }, at(cluster)


def test_kms_etcd_encryption_on_a_private_vault(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    kms = cluster.get("securityProfile.azureKeyVaultKms")
    assert kms.pop("keyId").startswith(f"{VAULT_URI}keys/etcd-cmk/"), at(cluster)
    assert kms == {"enabled": True, "keyVaultNetworkAccess": "Private", "keyVaultResourceId": VAULT_ID}, at(
        cluster
    )
    assert cluster.get("identity") == {
        "type": "UserAssigned",
        "userAssignedIdentities": [
            arm_id("Microsoft.ManagedIdentity/userAssignedIdentities", "de-keys-etcd-identity")
        ],
    }, at(cluster)


def test_disks_double_encrypted_with_the_customer_key(default: Recording) -> None:
    des = default.one("azure-native:compute:DiskEncryptionSet")
    assert des.inputs["encryptionType"] == "EncryptionAtRestWithPlatformAndCustomerKeys", at(des)
    assert des.inputs["rotationToLatestKeyVersionEnabled"] is True, at(des)
    assert des.get("activeKey.keyUrl").startswith(f"{VAULT_URI}keys/disks-cmk/"), at(des)
    assert des.get("activeKey.sourceVault") == {"id": VAULT_ID}, at(des)
    assert des.inputs["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": [
            arm_id("Microsoft.ManagedIdentity/userAssignedIdentities", "de-keys-disks-identity")
        ],
    }, at(des)
    assert des.protect, f"{des.urn}: disk encryption set must be protected in prod"
    cluster = default.one(CLUSTER)
    assert cluster.inputs["diskEncryptionSetID"].endswith("/diskEncryptionSets/de-aks-disks-des"), at(cluster)


def test_every_pool_is_host_encrypted_without_ssh_or_public_ips(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    pools = [*cluster.inputs["agentPoolProfiles"], *(p.inputs for p in default.of_type(POOL))]
    assert len(pools) == 2, at(cluster)
    for profile in pools:
        where = f"{cluster.urn} pool {profile.get('name', profile.get('agentPoolName'))}"
        assert profile["enableEncryptionAtHost"] is True, where
        assert profile["securityProfile"]["sshAccess"] == "Disabled", where
        assert profile["enableNodePublicIP"] is False, where
        assert profile["osDiskType"] == "Managed", where
        assert profile["enableAutoScaling"] is True, where
        assert profile["vnetSubnetID"] == NODES_SUBNET, where


def test_system_pool_runs_critical_addons_only_across_zones(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    (system,) = cluster.inputs["agentPoolProfiles"]
    assert system["mode"] == "System", at(cluster)
    assert system["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"], at(cluster)
    assert "nodeLabels" not in system, f"{cluster.urn}: the system pool carries no GPU label ({system})"
    assert system["availabilityZones"] == ["1", "2", "3"], at(cluster)
    assert system["securityProfile"] == {
        "sshAccess": "Disabled",
        "enableVTPM": True,
        "enableSecureBoot": True,
    }, at(cluster)
    assert system["osSKU"] == "AzureLinux", at(cluster)


def test_gpu_pool_is_tainted_bounded_and_gets_the_driver(default: Recording) -> None:
    gpu = default.one(POOL)
    assert gpu.inputs["vmSize"] == GPU_SIZE, at(gpu)
    assert (gpu.inputs["minCount"], gpu.inputs["maxCount"]) == (0, 4), at(gpu)
    assert gpu.inputs["gpuProfile"] == {"driver": "Install"}, at(gpu)
    # AKS's driver install and secure boot exclude each other; vTPM stays on.
    assert gpu.inputs["securityProfile"] == {
        "sshAccess": "Disabled",
        "enableVTPM": True,
        "enableSecureBoot": False,
    }, at(gpu)
    assert gpu.inputs["resourceName"] == "de-aks-aks", at(gpu)
    assert "availabilityZones" not in gpu.inputs, f"{gpu.urn}: zones () means regional placement"


def test_gpu_pool_carries_the_contract_taint_and_label() -> None:
    """The inference pods tolerate and select exactly what sovereign.contracts names, with no label in the spec."""
    recording = record(gpu_pools=[gpu_pool(labels={"team": "inference"})])
    gpu = recording.one(POOL)
    assert gpu.inputs["nodeTaints"] == [GPU_TAINT], at(gpu)
    assert gpu.inputs["nodeLabels"] == {"team": "inference", GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE}, at(
        gpu
    )


def test_fixed_pool_when_autoscaling_is_off() -> None:
    recording = record(gpu_pools=[gpu_pool(node_count_min=1, node_count_max=2, enable_autoscaling=False)])
    gpu = recording.one(POOL)
    assert gpu.inputs["enableAutoScaling"] is False, at(gpu)
    assert gpu.inputs["count"] == 2, f"{gpu.urn}: a fixed pool runs at node_count_max"
    assert "minCount" not in gpu.inputs and "maxCount" not in gpu.inputs, f"{gpu.urn}: AKS refuses bounds"


def test_overlay_networking_with_policy_and_no_outbound_path(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    assert cluster.inputs["networkProfile"] == {
        "networkPlugin": "azure",
        "networkPluginMode": "overlay",
        "networkPolicy": "cilium",
        "networkDataplane": "cilium",
        "podCidr": "100.64.0.0/16",
        "serviceCidr": "100.65.0.0/16",
        "dnsServiceIP": "100.65.0.10",
        "outboundType": "none",
        "loadBalancerSku": "standard",
    }, at(cluster)
    assert cluster.inputs["bootstrapProfile"] == {"artifactSource": "Cache"}, at(cluster)


def test_allow_list_egress_uses_user_defined_routing() -> None:
    """The egress posture comes from the network the cluster is given, not from a field of its own."""
    cluster = record(EgressMode.ALLOW_LIST, network_policy="calico").one(CLUSTER)
    assert cluster.get("networkProfile.outboundType") == "userDefinedRouting", at(cluster)
    assert cluster.get("networkProfile.networkDataplane") == "azure", at(cluster)
    assert "bootstrapProfile" not in cluster.inputs, at(cluster)


def test_defender_off_image_cleaner_workload_identity_and_upgrades(default: Recording) -> None:
    """Defender is stated off by default (egress 'none' gives its sensor no path to its service)."""
    cluster = default.one(CLUSTER)
    assert cluster.get("securityProfile.defender") == {"securityMonitoring": {"enabled": False}}, at(cluster)
    assert cluster.get("securityProfile.imageCleaner") == {"enabled": True, "intervalHours": 24}, at(cluster)
    assert cluster.get("securityProfile.workloadIdentity") == {"enabled": True}, at(cluster)
    assert cluster.get("oidcIssuerProfile") == {"enabled": True}, at(cluster)
    assert cluster.get("autoUpgradeProfile") == {
        "upgradeChannel": "patch",
        "nodeOSUpgradeChannel": "NodeImage",
    }, at(cluster)
    assert cluster.get("nodeResourceGroupProfile") == {"restrictionLevel": "ReadOnly"}, at(cluster)
    assert cluster.get("sku") == {"name": "Base", "tier": "Standard"}, at(cluster)


def test_no_diagnostics_before_the_workspace_writes_under_the_country_key(default: Recording) -> None:
    # First deployment of a dedicated log cluster: no key yet, no link, so nothing is sent (A8).
    assert default.of_type("azure-native:monitor:DiagnosticSetting") == []
    assert default.of_type("azure-native:operationalinsights:LinkedService") == []


def test_audit_categories_go_to_the_workspace() -> None:
    keyed = record_platform(platform_args(logs_cluster_key_granted=True))
    diagnostics = keyed.one("azure-native:monitor:DiagnosticSetting")
    link = keyed.one("azure-native:operationalinsights:LinkedService")
    assert link.urn in diagnostics.dependencies, f"{diagnostics.urn}: must wait for the customer-key link"
    assert diagnostics.inputs["workspaceId"] == WORKSPACE_ID, at(diagnostics)
    assert diagnostics.inputs["resourceUri"].endswith("/managedClusters/de-aks-aks"), at(diagnostics)
    categories = [log["category"] for log in diagnostics.inputs["logs"] if log["enabled"]]
    assert {"kube-audit-admin", "guard", "kube-apiserver"} <= set(categories), (
        f"{diagnostics.urn}: {categories}"
    )
    assert diagnostics.inputs["logAnalyticsDestinationType"] == "Dedicated", at(diagnostics)


def test_control_plane_and_kubelet_grants_are_narrowly_scoped(default: Recording) -> None:
    grants = {
        (g.inputs["roleDefinitionId"].removeprefix(ROLE), g.inputs["scope"]) for g in default.of_type(GRANT)
    }
    network_contributor, dns_contributor = (
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
        "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    )
    reader, acr_pull = "acdd72a7-3385-48ef-bd42-f606fba81ae7", "7f951dda-4ed3-4680-a7ca-43fe172d538d"
    assert {
        (network_contributor, NODES_SUBNET),
        (network_contributor, subnet_id("de-net-apiserver")),
        (network_contributor, arm_id("Microsoft.Network/routeTables", "de-net-routes")),
        (dns_contributor, zone_id("aks")),
        (acr_pull, arm_id("Microsoft.ContainerRegistry/registries", "desovereignacr")),
    } <= grants, grants
    assert any(
        role == reader and scope.endswith("/diskEncryptionSets/de-aks-disks-des") for role, scope in grants
    ), grants
    control_plane = default.one(GRANT, "de-keys-etcd-key-access").inputs["principalId"]
    for grant in default.of_type(GRANT):
        if grant.name.startswith("de-aks-grant-"):
            assert grant.inputs["principalId"] == control_plane, (
                f"{grant.urn}: not the control plane identity"
            )
    kubelet = default.one(GRANT, "de-aks-kubelet-acrpull")
    assert kubelet.inputs["principalId"] not in ("", control_plane), at(kubelet)
    cluster = default.one(CLUSTER)
    assert all(g.urn in cluster.dependencies for g in default.of_type(GRANT) if "grant" in g.name), at(
        cluster
    )


def test_kubeconfig_is_secret(default: Recording) -> None:
    assert default.outputs["kubeconfig"] == SECRET, "the kubeconfig export must be a Pulumi secret"
    assert "current-context: de-aks-aks" in default.outputs["kubeconfig_plain"]


def test_confidential_gpu_pools_use_signed_drivers_and_no_trusted_launch_flags() -> None:
    recording = record_platform(
        platform_args(cluster=confidential_cluster(ConfidentialTier.CONFIDENTIAL_GPU), stores=())
    )
    gpu = recording.one(POOL)
    assert gpu.inputs["gpuProfile"] == {"driver": "None"}, (
        f"{gpu.urn}: the GPU Operator installs the signed driver"
    )
    assert gpu.inputs["securityProfile"] == {"sshAccess": "Disabled"}, at(gpu)
    assert gpu.inputs["osSKU"] == "Ubuntu", at(gpu)
    assert gpu.inputs["enableEncryptionAtHost"] is True, at(gpu)
    cluster = recording.one(CLUSTER)
    (system,) = cluster.inputs["agentPoolProfiles"]
    assert (system["vmSize"], system["osSKU"], system["securityProfile"]) == (
        "Standard_DC4as_v5",
        "Ubuntu",
        {"sshAccess": "Disabled"},
    ), at(cluster)


def test_encryption_at_host_exemption_needs_a_confidential_size_and_a_reason() -> None:
    reason = "region refuses EncryptionAtHost on DCasv5 (support case 123456)"
    recording = record(system_pool=pool("system", "Standard_DC4as_v5", encryption_at_host_exemption=reason))
    cluster = recording.one(CLUSTER)
    (system,) = cluster.inputs["agentPoolProfiles"]
    assert system["enableEncryptionAtHost"] is False, at(cluster)
    with pytest.raises(ValueError, match="allowed only for confidential sizes"):
        pool("system", SYSTEM_SIZE, encryption_at_host_exemption=reason)
    with pytest.raises(ValueError, match="not a justification"):
        pool("system", "Standard_DC4as_v5", encryption_at_host_exemption="because")


def test_no_args_value_can_open_the_cluster() -> None:
    """Public API server, local accounts, run command, public outbound: no field controls them at all, and every
    value of every closed choice still yields the private, Entra-only cluster."""
    from components.azure import ClusterSpec, SovereignClusterArgs

    fields = {f.name for f in dataclasses.fields(SovereignClusterArgs)} | {
        f.name for f in dataclasses.fields(ClusterSpec)
    }
    for word in (
        "public",
        "private_cluster",
        "local_account",
        "run_command",
        "outbound",
        "authorized_ip",
        "fqdn",
    ):
        assert not any(word in name for name in fields), f"the cluster exposes a '{word}' knob: {fields}"
    for egress, policy in itertools.product(EgressMode, ("cilium", "calico")):
        cluster = record(egress, network_policy=policy).one(CLUSTER)
        where = f"{cluster.urn} ({egress}, {policy})"
        assert cluster.get("apiServerAccessProfile.enablePrivateCluster") is True, where
        assert cluster.get("apiServerAccessProfile.enablePrivateClusterPublicFQDN") is False, where
        assert cluster.get("apiServerAccessProfile.authorizedIPRanges") is None, where
        assert cluster.inputs["publicNetworkAccess"] == "Disabled", where
        assert cluster.inputs["disableLocalAccounts"] is True, where
        assert cluster.get("networkProfile.outboundType") in ("none", "userDefinedRouting"), where


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"admin_group_object_ids": []}, "nobody could administer"),
        ({"admin_group_object_ids": ["aks-admins"]}, "not an Entra object id"),
        ({"system_pool": pool("system", "Standard_NC24ads_A100_v4")}, "is a GPU size"),
        ({"system_pool": pool("system", SYSTEM_SIZE, node_count_min=0)}, "at least 1"),
        ({"gpu_pools": [pool("cpu", "Standard_D8ds_v5")]}, "allowed: GPU sizes"),
        ({"gpu_pools": [pool("system", GPU_SIZE)]}, "must be unique"),
        ({"confidential_tier": ConfidentialTier.CONFIDENTIAL_VM}, "not a confidential VM size"),
        (
            {
                "confidential_tier": ConfidentialTier.CONFIDENTIAL_GPU,
                "system_pool": pool("system", "Standard_DC4as_v5"),
            },
            "not a confidential GPU",
        ),
        (
            {
                "confidential_tier": ConfidentialTier.CONFIDENTIAL_GPU,
                "system_pool": pool("system", "Standard_DC4as_v5"),
                "gpu_pools": [],
            },
            "add a confidential GPU pool",
        ),
        ({"service_cidr": "100.64.0.0/15", "dns_service_ip": "100.64.0.10"}, "overlap"),
        ({"dns_service_ip": "100.65.0.1"}, "not usable"),
        ({"image_cleaner_interval_hours": 1}, "24 to 2160"),
    ],
)
def test_rejects_clusters_that_break_sovereignty_or_cannot_work(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cluster_spec(**overrides)


@pytest.mark.parametrize(
    ("pools", "size"),
    [
        ({"system_pool": pool("system", "Standard_D4ads_v5")}, "Standard_D4ads_v5"),
        ({"gpu_pools": [pool("gpu", "Standard_NC8as_T4_v3")]}, "Standard_NC8as_T4_v3"),
    ],
)
def test_rejects_sizes_not_in_the_machine_catalogue(pools: dict[str, Any], size: str) -> None:
    """GPU and confidential capability come from the catalogue only: an unknown size is refused, not guessed."""
    with pytest.raises(ValueError, match=f"'{size}' is not in the machine catalogue"):
        cluster_spec(**pools)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "GPU-pool", "vm_size": GPU_SIZE}, "invalid name"),
        ({"name": "gpu", "vm_size": GPU_SIZE, "node_count_min": 5}, "out of order"),
        ({"name": "gpu", "vm_size": GPU_SIZE, "zones": ("4",)}, "subset of"),
    ],
)
def test_rejects_invalid_node_pools(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pool(**spec)
