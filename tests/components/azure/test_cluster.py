"""SovereignCluster and AksNodePool: every control on the captured ManagedCluster/AgentPool inputs, and the checks."""

import dataclasses
import itertools
from typing import Any

import pytest

from sovereign.engine.recorder import SECRET, Recording, run_program
from sovereign.types import ConfidentialTier, EgressMode

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
GRANT = "azure-native:authorization:RoleAssignment"
ADMIN_GROUP = "6f1c7b6e-3f0a-4c8e-9a55-0b1f1d2e3a4b"
ROLE = "/providers/Microsoft.Authorization/roleDefinitions/"


def pool(name: str, vm_size: str, **overrides: Any) -> Any:
    from components.azure import NodePoolSpec

    return NodePoolSpec(name=name, vm_size=vm_size, **overrides)


def cluster_args(**overrides: Any) -> Any:
    from components.azure import SovereignClusterArgs

    values: dict[str, Any] = {
        "resource_group_name": "de-rg",
        "location": "germanywestcentral",
        "nodes_subnet_id": "/subnets/nodes",
        "api_server_subnet_id": "/subnets/apiserver",
        "aks_private_dns_zone_id": "/zones/aks",
        "control_plane_identity_id": "/identities/etcd",
        "control_plane_identity_principal_id": "aaaaaaaa-0000-0000-0000-000000000001",
        "kms_key_uri_with_version": "https://kv.vault.azure.net/keys/etcd-cmk/v1",
        "key_vault_id": "/vaults/kv",
        "disk_key_uri_with_version": "https://kv.vault.azure.net/keys/disks-cmk/v1",
        "disk_identity_id": "/identities/disks",
        "log_analytics_workspace_id": "/workspaces/logs",
        "admin_group_object_ids": [ADMIN_GROUP],
        "system_pool": pool("system", "Standard_D4ads_v5"),
        "gpu_pools": [pool("h100", "Standard_NC40ads_H100_v5", node_count_min=0, node_count_max=4, zones=())],
        "registry_id": "/registries/acr",
        "route_table_id": "/routeTables/nodes",
        "tenant_id": "11111111-1111-1111-1111-111111111111",
    }
    values.update(overrides)
    return SovereignClusterArgs(**values)


def record(args: Any) -> Recording:
    def program() -> None:
        import pulumi

        from components.azure import SovereignCluster

        cluster = SovereignCluster("de-aks", args)
        pulumi.export("kubeconfig", cluster.kubeconfig)
        pulumi.export("kubeconfig_plain", pulumi.Output.unsecret(cluster.kubeconfig))

    return run_program(program)


@pytest.fixture(scope="module")
def default() -> Recording:
    return record(cluster_args())


def test_api_server_is_private_without_public_fqdn_or_run_command(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    assert cluster.get("apiServerAccessProfile") == {
        "enablePrivateCluster": True,
        "enablePrivateClusterPublicFQDN": False,
        "enableVnetIntegration": True,
        "subnetId": "/subnets/apiserver",
        "privateDNSZone": "/zones/aks",
        "disableRunCommand": True,
    }, cluster.urn
    assert cluster.inputs["publicNetworkAccess"] == "Disabled", cluster.urn
    assert cluster.inputs["fqdnSubdomain"] == "de-aks", cluster.urn


def test_entra_only_access_with_azure_rbac(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    assert cluster.inputs["disableLocalAccounts"] is True, cluster.urn
    assert cluster.inputs["enableRBAC"] is True, cluster.urn
    assert cluster.get("aadProfile") == {
        "managed": True,
        "enableAzureRBAC": True,
        "adminGroupObjectIDs": [ADMIN_GROUP],
        "tenantID": "11111111-1111-1111-1111-111111111111",
    }, cluster.urn


def test_kms_etcd_encryption_on_a_private_vault(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    assert cluster.get("securityProfile.azureKeyVaultKms") == {
        "enabled": True,
        "keyId": "https://kv.vault.azure.net/keys/etcd-cmk/v1",
        "keyVaultNetworkAccess": "Private",
        "keyVaultResourceId": "/vaults/kv",
    }, cluster.urn
    assert cluster.get("identity") == {"type": "UserAssigned", "userAssignedIdentities": ["/identities/etcd"]}


def test_disks_double_encrypted_with_the_customer_key(default: Recording) -> None:
    des = default.one("azure-native:compute:DiskEncryptionSet")
    assert des.inputs["encryptionType"] == "EncryptionAtRestWithPlatformAndCustomerKeys", des.urn
    assert des.inputs["rotationToLatestKeyVersionEnabled"] is True, des.urn
    assert des.inputs["activeKey"] == {
        "keyUrl": "https://kv.vault.azure.net/keys/disks-cmk/v1",
        "sourceVault": {"id": "/vaults/kv"},
    }, des.urn
    assert des.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": ["/identities/disks"]}
    assert des.protect, f"{des.urn}: disk encryption set must be protected in prod"
    cluster = default.one(CLUSTER)
    assert cluster.inputs["diskEncryptionSetID"].endswith("/diskEncryptionSets/de-aks-disks-des"), cluster.urn


def test_every_pool_is_host_encrypted_without_ssh_or_public_ips(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    pools = [*cluster.inputs["agentPoolProfiles"], *(p.inputs for p in default.of_type(POOL))]
    assert len(pools) == 2
    for profile in pools:
        where = f"{cluster.urn} pool {profile.get('name', profile.get('agentPoolName'))}"
        assert profile["enableEncryptionAtHost"] is True, where
        assert profile["securityProfile"]["sshAccess"] == "Disabled", where
        assert profile["enableNodePublicIP"] is False, where
        assert profile["osDiskType"] == "Managed", where
        assert profile["enableAutoScaling"] is True, where
        assert profile["vnetSubnetID"] == "/subnets/nodes", where


def test_system_pool_runs_critical_addons_only_across_zones(default: Recording) -> None:
    (system,) = default.one(CLUSTER).inputs["agentPoolProfiles"]
    assert system["mode"] == "System"
    assert system["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
    assert system["availabilityZones"] == ["1", "2", "3"]
    assert system["securityProfile"] == {
        "sshAccess": "Disabled",
        "enableVTPM": True,
        "enableSecureBoot": True,
    }
    assert system["osSKU"] == "AzureLinux"


def test_gpu_pool_is_tainted_bounded_and_gets_the_driver(default: Recording) -> None:
    gpu = default.one(POOL)
    assert gpu.inputs["vmSize"] == "Standard_NC40ads_H100_v5", gpu.urn
    assert gpu.inputs["nodeTaints"] == ["nvidia.com/gpu=present:NoSchedule"], gpu.urn
    assert (gpu.inputs["minCount"], gpu.inputs["maxCount"]) == (0, 4), gpu.urn
    assert gpu.inputs["gpuProfile"] == {"driver": "Install"}, gpu.urn
    # AKS's driver install and secure boot exclude each other; vTPM stays on.
    assert gpu.inputs["securityProfile"] == {
        "sshAccess": "Disabled",
        "enableVTPM": True,
        "enableSecureBoot": False,
    }
    assert gpu.inputs["resourceName"] == "de-aks-aks", gpu.urn
    assert "availabilityZones" not in gpu.inputs, f"{gpu.urn}: zones () means regional placement"


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
    }, cluster.urn
    assert cluster.inputs["bootstrapProfile"] == {"artifactSource": "Cache"}, cluster.urn


def test_allow_list_egress_uses_user_defined_routing() -> None:
    cluster = record(cluster_args(egress_mode=EgressMode.ALLOW_LIST, network_policy="calico")).one(CLUSTER)
    assert cluster.get("networkProfile.outboundType") == "userDefinedRouting", cluster.urn
    assert cluster.get("networkProfile.networkDataplane") == "azure", cluster.urn
    assert "bootstrapProfile" not in cluster.inputs, cluster.urn


def test_defender_image_cleaner_workload_identity_and_upgrades(default: Recording) -> None:
    cluster = default.one(CLUSTER)
    assert cluster.get("securityProfile.defender") == {
        "logAnalyticsWorkspaceResourceId": "/workspaces/logs",
        "securityMonitoring": {"enabled": True},
    }, cluster.urn
    assert cluster.get("securityProfile.imageCleaner") == {"enabled": True, "intervalHours": 24}, cluster.urn
    assert cluster.get("securityProfile.workloadIdentity") == {"enabled": True}, cluster.urn
    assert cluster.get("oidcIssuerProfile") == {"enabled": True}, cluster.urn
    assert cluster.get("autoUpgradeProfile") == {
        "upgradeChannel": "patch",
        "nodeOSUpgradeChannel": "NodeImage",
    }
    assert cluster.get("nodeResourceGroupProfile") == {"restrictionLevel": "ReadOnly"}, cluster.urn
    assert cluster.get("sku") == {"name": "Base", "tier": "Standard"}, cluster.urn


def test_audit_categories_go_to_the_workspace(default: Recording) -> None:
    diagnostics = default.one("azure-native:monitor:DiagnosticSetting")
    assert diagnostics.inputs["workspaceId"] == "/workspaces/logs", diagnostics.urn
    assert diagnostics.inputs["resourceUri"].endswith("/managedClusters/de-aks-aks"), diagnostics.urn
    categories = [log["category"] for log in diagnostics.inputs["logs"] if log["enabled"]]
    assert {"kube-audit-admin", "guard", "kube-apiserver"} <= set(categories), categories
    assert diagnostics.inputs["logAnalyticsDestinationType"] == "Dedicated", diagnostics.urn


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
        (network_contributor, "/subnets/nodes"),
        (network_contributor, "/subnets/apiserver"),
        (network_contributor, "/routeTables/nodes"),
        (dns_contributor, "/zones/aks"),
        (acr_pull, "/registries/acr"),
    } <= grants, grants
    assert any(
        role == reader and scope.endswith("/diskEncryptionSets/de-aks-disks-des") for role, scope in grants
    )
    kubelet = default.one(GRANT, "de-aks-kubelet-acrpull")
    assert kubelet.inputs["principalId"] not in ("", "aaaaaaaa-0000-0000-0000-000000000001"), kubelet.urn
    cluster = default.one(CLUSTER)
    assert all(g.urn in cluster.dependencies for g in default.of_type(GRANT) if "grant" in g.name), (
        cluster.urn
    )


def test_kubeconfig_is_secret(default: Recording) -> None:
    assert default.outputs["kubeconfig"] == SECRET
    assert "current-context: de-aks-aks" in default.outputs["kubeconfig_plain"]


def test_confidential_gpu_pools_use_signed_drivers_and_no_trusted_launch_flags() -> None:
    recording = record(
        cluster_args(
            confidential_tier=ConfidentialTier.CONFIDENTIAL_GPU,
            system_pool=pool("system", "Standard_DC4as_v5"),
            gpu_pools=[pool("cgpu", "Standard_NCC40ads_H100_v5", node_count_min=0, zones=())],
        )
    )
    gpu = recording.one(POOL)
    assert gpu.inputs["gpuProfile"] == {"driver": "None"}, (
        f"{gpu.urn}: the GPU Operator installs the signed driver"
    )
    assert gpu.inputs["securityProfile"] == {"sshAccess": "Disabled"}, gpu.urn
    assert gpu.inputs["osSKU"] == "Ubuntu", gpu.urn
    assert gpu.inputs["enableEncryptionAtHost"] is True, gpu.urn
    (system,) = recording.one(CLUSTER).inputs["agentPoolProfiles"]
    assert (system["vmSize"], system["osSKU"], system["securityProfile"]) == (
        "Standard_DC4as_v5",
        "Ubuntu",
        {"sshAccess": "Disabled"},
    )


def test_encryption_at_host_exemption_needs_a_confidential_size_and_a_reason() -> None:
    reason = "region refuses EncryptionAtHost on DCasv5 (support case 123456)"
    recording = record(
        cluster_args(system_pool=pool("system", "Standard_DC4as_v5", encryption_at_host_exemption=reason))
    )
    (system,) = recording.one(CLUSTER).inputs["agentPoolProfiles"]
    assert system["enableEncryptionAtHost"] is False
    with pytest.raises(ValueError, match="allowed only for confidential sizes"):
        pool("system", "Standard_D4ads_v5", encryption_at_host_exemption=reason)
    with pytest.raises(ValueError, match="not a justification"):
        pool("system", "Standard_DC4as_v5", encryption_at_host_exemption="because")


def test_no_args_value_can_open_the_cluster() -> None:
    """Public API server, local accounts, run command, public outbound: no field controls them at all, and every
    value of every closed choice still yields the private, Entra-only cluster."""
    from components.azure import SovereignClusterArgs

    fields = {f.name for f in dataclasses.fields(SovereignClusterArgs)}
    for word in (
        "public",
        "private_cluster",
        "local_account",
        "run_command",
        "outbound",
        "authorized_ip",
        "fqdn",
    ):
        assert not any(word in name for name in fields), (
            f"SovereignClusterArgs exposes a '{word}' knob: {fields}"
        )
    for egress, policy in itertools.product(EgressMode, ("cilium", "calico")):
        cluster = record(cluster_args(egress_mode=egress, network_policy=policy)).one(CLUSTER)
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
        ({"system_pool": pool("system", "Standard_D4ads_v5", node_count_min=0)}, "at least 1"),
        ({"gpu_pools": [pool("cpu", "Standard_D8ads_v5")]}, "allowed: GPU sizes"),
        ({"gpu_pools": [pool("system", "Standard_NC40ads_H100_v5")]}, "must be unique"),
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
        ({"egress_mode": EgressMode.ALLOW_LIST, "route_table_id": None}, "route_table_id: missing"),
        ({"service_cidr": "100.64.0.0/15", "dns_service_ip": "100.64.0.10"}, "overlap"),
        ({"dns_service_ip": "100.65.0.1"}, "not usable"),
        ({"image_cleaner_interval_hours": 1}, "24 to 2160"),
    ],
)
def test_rejects_clusters_that_break_sovereignty_or_cannot_work(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cluster_args(**overrides)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "GPU-pool", "vm_size": "Standard_NC40ads_H100_v5"}, "invalid name"),
        ({"name": "gpu", "vm_size": "Standard_NC40ads_H100_v5", "node_count_min": 5}, "out of order"),
        ({"name": "gpu", "vm_size": "Standard_NC40ads_H100_v5", "zones": ("4",)}, "subset of"),
    ],
)
def test_rejects_invalid_node_pools(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pool(**spec)
