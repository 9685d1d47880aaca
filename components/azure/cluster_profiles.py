"""Pure builders and checks for the sovereign AKS cluster (no resources; used by ``cluster.py``).

Each builder returns one profile of the ``ManagedCluster`` with every control on and nothing to switch off:
private API server with no public FQDN and VNet integration, Entra ID with Azure RBAC, KMS on a private vault,
image cleaner, workload identity, Azure CNI overlay with a network policy engine, and an outbound type that
never creates a public load-balancer egress. Defender is the one control a country enables, because its sensor
needs egress to Microsoft's service (refused with egress 'none').
"""

import ipaddress
from collections.abc import Sequence
from typing import Literal

import pulumi
from pulumi_azure_native import containerservice

from components.azure.catalogue import CONFIDENTIAL_GPU_SKUS
from components.azure.node_pool import NodePoolSpec
from sovereign.types import ConfidentialTier, EgressMode

__all__ = [
    "aad_profile",
    "api_server_profile",
    "check_cluster_cidrs",
    "check_confidential_tier",
    "check_pools",
    "network_profile",
    "security_profile",
]

NetworkPolicyEngine = Literal["cilium", "calico"]


def api_server_profile(
    subnet_id: pulumi.Input[str], private_dns_zone_id: pulumi.Input[str]
) -> containerservice.ManagedClusterAPIServerAccessProfileArgs:
    return containerservice.ManagedClusterAPIServerAccessProfileArgs(
        enable_private_cluster=True,
        enable_private_cluster_public_fqdn=False,
        # The API server gets an IP in the delegated subnet; KMS with a private vault requires this mode.
        enable_vnet_integration=True,
        subnet_id=subnet_id,
        private_dns_zone=private_dns_zone_id,
        # `az aks command invoke` would run commands through an Azure-side pod, around the private network.
        disable_run_command=True,
    )


def aad_profile(
    admin_group_object_ids: Sequence[str], tenant_id: pulumi.Input[str]
) -> containerservice.ManagedClusterAADProfileArgs:
    return containerservice.ManagedClusterAADProfileArgs(
        managed=True,
        enable_azure_rbac=True,
        admin_group_object_ids=list(admin_group_object_ids),
        tenant_id=tenant_id,
    )


def security_profile(
    *,
    kms_key_uri_with_version: pulumi.Input[str],
    key_vault_id: pulumi.Input[str],
    log_analytics_workspace_id: pulumi.Input[str],
    image_cleaner_interval_hours: int,
    enable_defender: bool,
    egress_mode: EgressMode,
) -> containerservice.ManagedClusterSecurityProfileArgs:
    if enable_defender and egress_mode is EgressMode.NONE:
        # Its sensor reports to Microsoft Defender's service on the Internet (AKS outbound-rules-control-egress.md,
        # "Microsoft Defender for Containers"): under outbound type 'none' it would run and report nothing.
        raise ValueError(
            "enable_defender: Microsoft Defender cannot reach its service with egress 'none' (allowed: egress "
            "'allow_list', where the platform adds Defender's destinations to the firewall policy) - use an "
            "allow-list or leave Defender off"
        )
    return containerservice.ManagedClusterSecurityProfileArgs(
        azure_key_vault_kms=containerservice.AzureKeyVaultKmsArgs(
            enabled=True,
            key_id=kms_key_uri_with_version,
            key_vault_network_access="Private",
            key_vault_resource_id=key_vault_id,
        ),
        # Off is stated, not omitted: `securityMonitoring.enabled: false` without a workspace is how Defender's
        # docs remove the profile from a cluster (MicrosoftDocs/azure-docs, articles/defender-for-cloud/includes/
        # defender-for-containers-remove-profile.md), and the SDK says to leave the workspace empty when off.
        defender=containerservice.ManagedClusterSecurityProfileDefenderArgs(
            log_analytics_workspace_resource_id=log_analytics_workspace_id if enable_defender else None,
            security_monitoring=containerservice.ManagedClusterSecurityProfileDefenderSecurityMonitoringArgs(
                enabled=enable_defender
            ),
        ),
        image_cleaner=containerservice.ManagedClusterSecurityProfileImageCleanerArgs(
            enabled=True, interval_hours=image_cleaner_interval_hours
        ),
        workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True),
    )


def network_profile(
    *,
    egress_mode: EgressMode,
    policy: NetworkPolicyEngine,
    pod_cidr: str,
    service_cidr: str,
    dns_service_ip: str,
) -> containerservice.ContainerServiceNetworkProfileArgs:
    # 'none' = no outbound path at all (network-isolated cluster, images from an AKS-managed private cache);
    # 'allow_list' = the node subnet's route table sends 0.0.0.0/0 to the firewall. loadBalancer and the NAT
    # gateway types, which give nodes open Internet egress, cannot be produced from any Args value.
    outbound = "none" if egress_mode is EgressMode.NONE else "userDefinedRouting"
    return containerservice.ContainerServiceNetworkProfileArgs(
        network_plugin="azure",
        network_plugin_mode="overlay",
        network_policy=policy,
        # Cilium policies need the Cilium dataplane; Calico runs on the Azure dataplane.
        network_dataplane="cilium" if policy == "cilium" else "azure",
        pod_cidr=pod_cidr,
        service_cidr=service_cidr,
        dns_service_ip=dns_service_ip,
        outbound_type=outbound,
        load_balancer_sku="standard",
    )


def check_cluster_cidrs(pod_cidr: str, service_cidr: str, dns_service_ip: str) -> None:
    """Overlapping pod and service ranges, or a DNS IP outside the service range, break cluster networking."""
    pods = ipaddress.ip_network(pod_cidr, strict=True)
    services = ipaddress.ip_network(service_cidr, strict=True)
    if pods.overlaps(services):
        raise ValueError(
            f"pod_cidr {pod_cidr} and service_cidr {service_cidr} overlap (allowed: disjoint ranges) - "
            "move one of them"
        )
    dns = ipaddress.ip_address(dns_service_ip)
    if dns not in services or dns in (services.network_address, services.network_address + 1):
        raise ValueError(
            f"dns_service_ip {dns_service_ip} is not usable in service_cidr {service_cidr} (allowed: an address "
            "inside the range other than its first two) - AKS reserves those; use for example the .10 address"
        )


def check_pools(system_pool: NodePoolSpec, gpu_pools: Sequence[NodePoolSpec]) -> None:
    """The system pool runs critical add-ons on CPU nodes; GPU pools hold only GPU sizes, with unique names."""
    if system_pool.gpu:
        raise ValueError(
            f"system_pool: {system_pool.vm_size} is a GPU size (allowed: a CPU size) - system pools run "
            "critical add-ons only; put GPU capacity in gpu_pools"
        )
    if system_pool.node_count_min < 1:
        raise ValueError(
            "system_pool: node_count_min must be at least 1 (got 0) - AKS needs a running system node"
        )
    for pool in gpu_pools:
        if not pool.gpu:
            raise ValueError(
                f"gpu_pools: {pool.name!r} has {pool.vm_size} (allowed: GPU sizes of the machine catalogue) - a "
                "CPU pool here would carry the GPU taint and stay empty"
            )
    names = [system_pool.name, *(pool.name for pool in gpu_pools)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"node pool names must be unique (got duplicates: {duplicates})")


def check_confidential_tier(
    tier: ConfidentialTier, system_pool: NodePoolSpec, gpu_pools: Sequence[NodePoolSpec]
) -> None:
    """A confidential tier that some pool does not honour would put sensitive workloads on ordinary hardware."""
    if tier is ConfidentialTier.NONE:
        return
    if not system_pool.confidential:
        raise ValueError(
            f"system_pool: {system_pool.vm_size} is not a confidential VM size for confidential tier "
            f"{tier.value!r} (allowed: the catalogue's confidential sizes, such as Standard_DC4as_v5) - "
            "choose a confidential size or lower the tier in the country config"
        )
    if tier is ConfidentialTier.CONFIDENTIAL_GPU:
        if not gpu_pools:
            raise ValueError(
                "gpu_pools: empty for confidential tier 'confidential_gpu' (allowed: one or more pools of "
                f"{sorted(CONFIDENTIAL_GPU_SKUS)}) - add a confidential GPU pool"
            )
        for pool in gpu_pools:
            if pool.vm_size not in CONFIDENTIAL_GPU_SKUS:
                raise ValueError(
                    f"gpu_pools: {pool.name!r} has {pool.vm_size}, not a confidential GPU (allowed: "
                    f"{sorted(CONFIDENTIAL_GPU_SKUS)}) for confidential tier 'confidential_gpu'"
                )
