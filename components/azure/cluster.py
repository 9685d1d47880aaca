"""The sovereign AKS cluster: private, Entra-only, customer-key encrypted, network-isolated or allow-listed.

Scope: the control-plane identity's network grants, a disk encryption set on the country's disk key, the
``ManagedCluster`` (system pool inline, because AKS needs one at creation), one ``AksNodePool`` per GPU pool,
diagnostic settings that send the audit categories to the in-country workspace, AcrPull for the kubelet on the
country's registry, and a kubeconfig. Controls, all on and none switchable off: private cluster without public
FQDN, API Server VNet Integration, public network access disabled, Entra ID with Azure RBAC and the country's
admin groups, local accounts and run command disabled, workload identity and OIDC issuer, KMS etcd encryption
on a private vault, double encryption of disks (platform + customer key), encryption at host, image
cleaner, automatic upgrades, node resource group read-only, SSH off on nodes.

Egress: ``none`` gives a network-isolated cluster (outbound type ``none``; node bootstrap images come from an
AKS-managed private registry cache, not from mcr.microsoft.com). AKS's bring-your-own cache registry must allow
anonymous pull, so the country's own registry is not used for that; it only serves workloads, with AcrPull.
Network-isolated clusters support only the ``NodeImage`` node-OS channel, which is what every cluster gets.
Add-ons that need Internet egress (Azure Policy add-on, Defender's sensor reporting) cannot reach their
service under ``none``. Defender is therefore the country's choice (``ClusterSpec.enable_defender``), refused
with ``none``; under ``allow_list`` the platform adds its destinations to the firewall policy. The Azure Policy
add-on is not enabled.

Kubeconfig: local accounts are disabled, so the only credentials are the Entra ID user credentials
(``listClusterUserCredential``, format ``exec``): a kubeconfig that calls ``kubelogin`` and carries no secret
key, exposed as a Pulumi secret anyway. The API server is private: use it from inside the network.
KMS: AKS's KMS takes a versioned key URI; after Key Vault rotates the etcd key, ``pulumi up --refresh`` moves
the cluster to the new version (AKS KMS is documented for Azure Key Vault keys, which is where every key lives).
Non-goals: the workloads, Kubernetes-level policy, fleet/multi-cluster, Windows nodes.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pulumi
from pulumi_azure_native import authorization, containerservice, monitor

from components.azure.catalogue import (
    AKS_DIAGNOSTIC_CATEGORIES,
    KeyPurpose,
    PrivateZone,
    require_uuids,
    role_definition_id,
)
from components.azure.cluster_profiles import (
    NetworkPolicyEngine,
    aad_profile,
    api_server_profile,
    check_cluster_cidrs,
    check_confidential_tier,
    check_pools,
    network_profile,
    security_profile,
)
from components.azure.disk_encryption import DiskEncryption, DiskEncryptionArgs
from components.azure.node_pool import AksNodePool, AksNodePoolArgs, NodePoolSpec, agent_pool_settings
from components.azure.rbac import grant, propagation_wait
from sovereign.types import ConfidentialTier, EgressMode

if TYPE_CHECKING:
    from components.azure.audit_logging import AuditLogging
    from components.azure.key_custody import KeyCustody
    from components.azure.network import SovereignNetwork
    from components.azure.registry import SovereignRegistry

__all__ = ["ClusterSpec", "SovereignCluster", "SovereignClusterArgs"]


@dataclass(frozen=True)
class ClusterSpec:
    """What the country says about its cluster: plain values, checked before anything registers."""

    admin_group_object_ids: Sequence[str]
    """Entra group object ids (UUIDs) that become cluster admins through Azure RBAC; at least one."""
    system_pool: NodePoolSpec
    """The system pool (critical add-ons only, CPU size, zones)."""
    gpu_pools: Sequence[NodePoolSpec] = ()
    """GPU pools (GPU sizes of the machine catalogue). Omitted: none."""
    user_pool: NodePoolSpec | None = None
    """The untainted CPU pool for workloads that are neither system add-ons nor GPU inference (the chat front
    end, tenant workloads): the system pool is tainted CriticalAddonsOnly and GPU pools nvidia.com/gpu.
    Omitted: none, and only pods tolerating one of those taints can schedule."""
    confidential_tier: ConfidentialTier = ConfidentialTier.NONE
    """Confidential hardware required by the country. Omitted: none."""
    tenant_id: pulumi.Input[str] | None = None
    """Entra tenant. Omitted: the tenant of the deploying credentials."""
    kubernetes_version: str | None = None
    """Pinned Kubernetes version. Omitted: AKS's default version at creation, then the upgrade channel's."""
    upgrade_channel: Literal["patch", "stable", "rapid", "node-image"] = "patch"
    """Automatic cluster upgrade channel. Omitted: 'patch'."""
    sku_tier: Literal["Standard", "Premium"] = "Standard"
    """Control-plane tier with an SLA (Free has none). Omitted: Standard."""
    network_policy: NetworkPolicyEngine = "cilium"
    """Network policy engine. Omitted: Cilium."""
    pod_cidr: str = "100.64.0.0/16"
    """Overlay pod range (never routed in the virtual network). Omitted: 100.64.0.0/16."""
    service_cidr: str = "100.65.0.0/16"
    """Kubernetes service range. Omitted: 100.65.0.0/16."""
    dns_service_ip: str = "100.65.0.10"
    """Cluster DNS service IP inside service_cidr. Omitted: 100.65.0.10."""
    image_cleaner_interval_hours: int = 24
    """How often unused images are removed from nodes (24-2160). Omitted: 24."""
    enable_defender: bool = False
    """Microsoft Defender for Containers' sensor, reporting to the logs workspace and to Defender's service; needs
    egress 'allow_list' (the platform adds its destinations). Omitted: off (stated as off on the cluster)."""
    cluster_name: str | None = None
    """Azure name of the cluster. Omitted: ``<component name>-aks`` (explicit: no random suffix)."""

    def __post_init__(self) -> None:
        if not self.admin_group_object_ids:
            raise ValueError(
                "admin_group_object_ids: empty (allowed: one or more Entra group object ids) - with local "
                "accounts disabled nobody could administer the cluster"
            )
        require_uuids("admin_group_object_ids", self.admin_group_object_ids)
        check_pools(self.system_pool, self.gpu_pools)
        if self.user_pool is not None:
            taken = {self.system_pool.name, *(p.name for p in self.gpu_pools)}
            if self.user_pool.name in taken:
                raise ValueError(f"user_pool: name {self.user_pool.name!r} is taken (pool names are unique)")
            if self.user_pool.gpu:
                raise ValueError(
                    f"user_pool: {self.user_pool.vm_size} is a GPU size (allowed: a CPU size) - GPU capacity "
                    "belongs in gpu_pools, where the GPU taint keeps other pods off it"
                )
            if self.confidential_tier is not ConfidentialTier.NONE and not self.user_pool.confidential:
                raise ValueError(
                    f"user_pool: {self.user_pool.vm_size} is not a confidential VM size for confidential tier "
                    f"{self.confidential_tier.value!r} (allowed: the catalogue's confidential sizes, such as "
                    "Standard_DC8as_v5)"
                )
        check_confidential_tier(self.confidential_tier, self.system_pool, self.gpu_pools)
        check_cluster_cidrs(self.pod_cidr, self.service_cidr, self.dns_service_ip)
        if not 24 <= self.image_cleaner_interval_hours <= 2160:
            raise ValueError(
                f"image_cleaner_interval_hours: {self.image_cleaner_interval_hours} (allowed: 24 to 2160)"
            )


@dataclass(frozen=True)
class SovereignClusterArgs:
    network: SovereignNetwork
    """The platform network: resource group, region, node and API server subnets, AKS DNS zone, routes, egress."""
    keys: KeyCustody
    """The country's key custody: the etcd key (KMS, and its identity is the control plane's) and the disk key."""
    logs: AuditLogging
    """The in-country workspace for diagnostics and Defender."""
    spec: ClusterSpec
    """The cluster's own settings."""
    registry: SovereignRegistry | None = None
    """The country's registry; the kubelet gets AcrPull on it. Omitted: no registry grant."""
    protect_stateful: bool = True
    """Protect the disk encryption set and the cluster from `pulumi destroy` (prod). The cluster is state: etcd,
    and the persistent volumes in its node resource group, which Azure deletes with the cluster."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""


def _decode(kubeconfig_b64: str) -> str:
    return base64.b64decode(kubeconfig_b64).decode()


class SovereignCluster(pulumi.ComponentResource):
    cluster_id: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    """Issuer for workload identity federation (federated credentials of workload identities)."""
    kubeconfig: pulumi.Output[str]
    """Secret. Entra ID (kubelogin exec) kubeconfig for the private API server."""
    kubelet_identity_object_id: pulumi.Output[str]
    disk_encryption_set_id: pulumi.Output[str]
    node_resource_group_id: pulumi.Output[str]
    """The resource group AKS manages for the nodes (the confidential-computing policy scope)."""
    node_pools: dict[str, AksNodePool]

    def __init__(
        self, name: str, args: SovereignClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:SovereignCluster", name, None, opts)
        tags = dict(args.tags)
        network, spec = args.network, args.spec
        etcd, disk_key = args.keys.keys[KeyPurpose.ETCD], args.keys.keys[KeyPurpose.DISKS]
        tenant_id = (
            spec.tenant_id
            or authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self)).tenant_id
        )
        grants = self._grant_network(name, args)
        disks = DiskEncryption(
            f"{name}-disks",
            DiskEncryptionArgs(
                resource_group_name=network.resource_group_name,
                location=network.location,
                key_uri_with_version=disk_key.key_uri_with_version,
                key_vault_id=args.keys.vault_id,
                identity_id=disk_key.identity_id,
                reader_principal_id=etcd.identity_principal_id,
                protect_stateful=args.protect_stateful,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        cluster = containerservice.ManagedCluster(
            f"{name}-aks",
            resource_group_name=network.resource_group_name,
            resource_name_=spec.cluster_name or f"{name}-aks",
            location=network.location,
            kubernetes_version=spec.kubernetes_version,
            # With a custom private DNS zone AKS takes an FQDN subdomain instead of a DNS prefix.
            fqdn_subdomain=name,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=spec.sku_tier),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[etcd.identity_id],
            ),
            api_server_access_profile=api_server_profile(
                network.api_server_subnet_id, network.private_dns_zone_ids[PrivateZone.AKS]
            ),
            public_network_access="Disabled",
            enable_rbac=True,
            disable_local_accounts=True,
            aad_profile=aad_profile(spec.admin_group_object_ids, tenant_id),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=security_profile(
                kms_key_uri_with_version=etcd.key_uri_with_version,
                key_vault_id=args.keys.vault_id,
                log_analytics_workspace_id=args.logs.workspace_id,
                image_cleaner_interval_hours=spec.image_cleaner_interval_hours,
                # Defender reports into the workspace too: only once it writes under the country's key (the
                # dedicated cluster's second deployment, like the diagnostic setting below), never before.
                enable_defender=spec.enable_defender and args.logs.ingestion_ready is not None,
                egress_mode=network.egress_mode,
            ),
            disk_encryption_set_id=disks.disk_encryption_set_id,
            network_profile=network_profile(
                egress_mode=network.egress_mode,
                policy=spec.network_policy,
                pod_cidr=spec.pod_cidr,
                service_cidr=spec.service_cidr,
                dns_service_ip=spec.dns_service_ip,
            ),
            bootstrap_profile=(
                containerservice.ManagedClusterBootstrapProfileArgs(artifact_source="Cache")
                if network.egress_mode is EgressMode.NONE
                else None
            ),
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=spec.upgrade_channel, node_os_upgrade_channel="NodeImage"
            ),
            node_resource_group_profile=containerservice.ManagedClusterNodeResourceGroupProfileArgs(
                restriction_level="ReadOnly"
            ),
            # KEDA, the managed add-on: it turns the inference ScaledObjects into HPAs and serves their external
            # metrics (azure-aks-docs articles/aks/keda-deploy-add-on-arm.md "workloadAutoScalerProfile": {"keda":
            # {"enabled": true}}; the cluster's Kubernetes version picks KEDA's, 1.35: 2.17.2, keda-about.md).
            workload_auto_scaler_profile=containerservice.ManagedClusterWorkloadAutoScalerProfileArgs(
                keda=containerservice.ManagedClusterWorkloadAutoScalerProfileKedaArgs(enabled=True)
            ),
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name=spec.system_pool.name,
                    orchestrator_version=spec.kubernetes_version,
                    tags=tags,
                    **agent_pool_settings(
                        spec.system_pool, mode="System", vnet_subnet_id=network.nodes_subnet_id
                    ),
                )
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # The control plane's grants (subnets, DNS zone, route table, disk set) and their propagation
                # wait (components/azure/rbac.py); and the AKS zone's link to the network: "When using a custom
                # private DNS zone, you're responsible for ... creating the DNS zone, linking it to your VNet"
                # (MicrosoftDocs/azure-aks-docs articles/aks/private-clusters.md), so the link exists first.
                depends_on=[
                    *grants,
                    disks.reader_grant,
                    propagation_wait(
                        f"{name}-grant-propagation",
                        [*grants, disks.reader_grant],
                        pulumi.ResourceOptions(parent=self),
                    ),
                    network.private_dns_links[PrivateZone.AKS],
                    *(args.logs.ingestion_ready or [] if spec.enable_defender else []),
                ],
                protect=args.protect_stateful,
            ),
        )
        self._diagnostics(name, cluster, args.logs)
        kubelet_object_id = cluster.identity_profile.apply(
            lambda profile: (profile or {})["kubeletidentity"].object_id or ""
        )
        if args.registry is not None:
            grant(
                f"{name}-kubelet-acrpull",
                principal_id=kubelet_object_id,
                role_definition_id=role_definition_id("acr_pull"),
                scope=args.registry.registry_id,
                description="Nodes pull workload images from the in-country registry",
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.node_pools = {
            pool.name: AksNodePool(
                f"{name}-{pool.name}",
                AksNodePoolArgs(
                    resource_group_name=network.resource_group_name,
                    cluster_name=cluster.name,
                    spec=pool,
                    vnet_subnet_id=network.nodes_subnet_id,
                    kubernetes_version=spec.kubernetes_version,
                    tags=tags,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for pool in (*spec.gpu_pools, *([spec.user_pool] if spec.user_pool else []))
        }
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=network.resource_group_name,
            resource_name=cluster.name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig = pulumi.Output.secret(credentials.kubeconfigs[0].value.apply(_decode))
        self.cluster_id = cluster.id
        self.cluster_name = cluster.name
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(
            lambda p: (p.issuer_url if p else None) or ""
        )
        self.kubelet_identity_object_id = kubelet_object_id
        self.disk_encryption_set_id = disks.disk_encryption_set_id
        # The resource group AKS creates for the nodes: where the confidential-computing policy (L3) belongs,
        # since its allowed-types list would deny storage and logs in the platform's own group.
        self.node_resource_group_id = pulumi.Output.all(cluster.id, cluster.node_resource_group).apply(
            lambda values: f"{values[0].split('/resourceGroups/')[0]}/resourceGroups/{values[1]}"
        )
        self.register_outputs(
            {
                "cluster_id": self.cluster_id,
                "oidc_issuer_url": self.oidc_issuer_url,
                "kubeconfig": self.kubeconfig,
                "disk_encryption_set_id": self.disk_encryption_set_id,
            }
        )

    def _diagnostics(self, name: str, cluster: containerservice.ManagedCluster, logs: AuditLogging) -> None:
        """The AKS audit logs into the workspace, only once the workspace writes under the country's key: data
        ingested before the dedicated-cluster link "remains encrypted with Microsoft keys" (MicrosoftDocs/
        azure-monitor-docs articles/azure-monitor/logs/customer-managed-keys.md). ``logs.ingestion_ready`` is
        empty when Microsoft keys are justified, and None while the cluster key is not applied yet (nothing
        may be sent then). Rule 'diagnostics-after-cmk-link' checks the dependency in the plan."""
        if logs.ingestion_ready is None:
            return
        monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            name="sovereign-audit",
            resource_uri=cluster.id,
            workspace_id=logs.workspace_id,
            log_analytics_destination_type="Dedicated",
            logs=[
                monitor.DiagnosticsLogSettingsArgs(category=category, enabled=True)
                for category in AKS_DIAGNOSTIC_CATEGORIES
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(logs.ingestion_ready)),
        )

    def _grant_network(self, name: str, args: SovereignClusterArgs) -> list[authorization.RoleAssignment]:
        """The control plane joins nodes and the API server to the subnets, writes the API server's private DNS
        record and (user-defined routing) reads the route table: least-privilege scopes, not the resource group."""
        network = args.network
        scopes: list[tuple[str, str, pulumi.Input[str]]] = [
            ("nodes-subnet", "network_contributor", network.nodes_subnet_id),
            ("apiserver-subnet", "network_contributor", network.api_server_subnet_id),
            ("aks-dns", "private_dns_zone_contributor", network.private_dns_zone_ids[PrivateZone.AKS]),
            # The node subnet's route table (the default drop, or the route to the firewall).
            ("route-table", "network_contributor", network.route_table_id),
        ]
        if network.internal_load_balancers_subnet is not None:
            # AKS places internal load balancer frontends there (the cloud provider joins the subnet).
            scopes.append(("lb-subnet", "network_contributor", network.internal_load_balancers_subnet.id))
        return [
            grant(
                f"{name}-grant-{role}",
                principal_id=args.keys.keys[KeyPurpose.ETCD].identity_principal_id,
                role_definition_id=role_definition_id(definition),
                scope=scope,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for role, definition, scope in scopes
        ]
