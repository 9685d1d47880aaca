"""The sovereign AKS cluster: private, Entra-only, customer-key encrypted, network-isolated or allow-listed.

Scope: the control-plane identity's network grants, a disk encryption set on the country's disk key, the
``ManagedCluster`` (system pool inline, because AKS needs one at creation), one ``AksNodePool`` per GPU pool,
diagnostic settings that send the audit categories to the in-country workspace, AcrPull for the kubelet on the
country's registry, and a kubeconfig. Controls, all on and none switchable off: private cluster without public
FQDN, API Server VNet Integration, public network access disabled, Entra ID with Azure RBAC and the country's
admin groups, local accounts and run command disabled, workload identity and OIDC issuer, KMS etcd encryption
on a private vault, double encryption of disks (platform + customer key), encryption at host, Defender, image
cleaner, automatic upgrades, node resource group read-only, SSH off on nodes.

Egress: ``none`` gives a network-isolated cluster (outbound type ``none``; node bootstrap images come from an
AKS-managed private registry cache, not from mcr.microsoft.com). AKS's bring-your-own cache registry must allow
anonymous pull, so the country's own registry is not used for that; it only serves workloads, with AcrPull.
Network-isolated clusters support only the ``NodeImage`` node-OS channel, which is what every cluster gets.
Add-ons that need Internet egress (Azure Policy add-on, Defender's sensor reporting) cannot reach their
service under ``none``; use ``allow_list`` with a firewall rule if a country needs them.

Kubeconfig: local accounts are disabled, so the only credentials are the Entra ID user credentials
(``listClusterUserCredential``, format ``exec``): a kubeconfig that calls ``kubelogin`` and carries no secret
key, exposed as a Pulumi secret anyway. The API server is private: use it from inside the network.
KMS: AKS's KMS takes a versioned key URI; after Key Vault rotates the etcd key, ``pulumi up --refresh`` moves
the cluster to the new version. AKS KMS is documented for Azure Key Vault keys, so countries with Managed HSM
custody keep the etcd key in a Key Vault Premium (a second ``KeyCustody`` with ``purposes=[ETCD]``).
Non-goals: the workloads, Kubernetes-level policy, fleet/multi-cluster, Windows nodes.
"""

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import authorization, containerservice, monitor

from components.azure.catalogue import AKS_DIAGNOSTIC_CATEGORIES, require_uuids, role_definition_id
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
from sovereign.types import ConfidentialTier, EgressMode

__all__ = ["SovereignCluster", "SovereignClusterArgs"]


@dataclass(frozen=True)
class SovereignClusterArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the cluster and its disk encryption set."""
    location: str
    """Azure region of the cluster."""
    nodes_subnet_id: pulumi.Input[str]
    """Node subnet (SovereignNetwork.nodes_subnet_id)."""
    api_server_subnet_id: pulumi.Input[str]
    """Delegated API server subnet (SovereignNetwork.api_server_subnet_id)."""
    aks_private_dns_zone_id: pulumi.Input[str]
    """privatelink.<region>.azmk8s.io zone (SovereignNetwork.private_dns_zone_ids[PrivateZone.AKS])."""
    control_plane_identity_id: pulumi.Input[str]
    """User-assigned identity of the control plane: KeyCustody.keys[ETCD].identity_id (it holds the KMS grant)."""
    control_plane_identity_principal_id: pulumi.Input[str]
    """Its principal id (KeyCustody.keys[ETCD].identity_principal_id), granted the network roles here."""
    kms_key_uri_with_version: pulumi.Input[str]
    """Versioned etcd key URI (KeyCustody.keys[ETCD].key_uri_with_version)."""
    key_vault_id: pulumi.Input[str]
    """Key Vault holding the etcd and disk keys (KeyCustody.vault_id)."""
    disk_key_uri_with_version: pulumi.Input[str]
    """Versioned disk key URI (KeyCustody.keys[DISKS].key_uri_with_version)."""
    disk_identity_id: pulumi.Input[str]
    """Identity allowed to use the disk key (KeyCustody.keys[DISKS].identity_id)."""
    log_analytics_workspace_id: pulumi.Input[str]
    """In-country workspace for diagnostics and Defender (AuditLogging.workspace_id)."""
    admin_group_object_ids: Sequence[str]
    """Entra group object ids (UUIDs) that become cluster admins through Azure RBAC; at least one."""
    system_pool: NodePoolSpec
    """The system pool (critical add-ons only, CPU size, zones)."""
    gpu_pools: Sequence[NodePoolSpec] = ()
    """GPU pools (Standard_N* sizes). Omitted: none."""
    confidential_tier: ConfidentialTier = ConfidentialTier.NONE
    """Confidential hardware required by the country. Omitted: none."""
    egress_mode: EgressMode = EgressMode.NONE
    """Must equal the network's egress mode. Omitted: 'none' (network-isolated)."""
    route_table_id: pulumi.Input[str] | None = None
    """Node subnet route table (SovereignNetwork.route_table_id); required for 'allow_list'."""
    registry_id: pulumi.Input[str] | None = None
    """The country's registry; the kubelet gets AcrPull on it. Omitted: no registry grant."""
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
    cluster_name: str | None = None
    """Azure name of the cluster. Omitted: derived from the component name with a random suffix."""
    protect_stateful: bool = True
    """Protect the disk encryption set and the cluster from `pulumi destroy` (prod). The cluster is state: etcd,
    and the persistent volumes in its node resource group, which Azure deletes with the cluster."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""

    def __post_init__(self) -> None:
        if not self.admin_group_object_ids:
            raise ValueError(
                "admin_group_object_ids: empty (allowed: one or more Entra group object ids) - with local "
                "accounts disabled nobody could administer the cluster"
            )
        require_uuids("admin_group_object_ids", self.admin_group_object_ids)
        check_pools(self.system_pool, self.gpu_pools)
        check_confidential_tier(self.confidential_tier, self.system_pool, self.gpu_pools)
        check_cluster_cidrs(self.pod_cidr, self.service_cidr, self.dns_service_ip)
        if self.egress_mode is EgressMode.ALLOW_LIST and self.route_table_id is None:
            raise ValueError(
                "route_table_id: missing for egress_mode 'allow_list' (allowed: SovereignNetwork.route_table_id) "
                "- AKS needs rights on the route table that sends traffic to the firewall"
            )
        if not 24 <= self.image_cleaner_interval_hours <= 2160:
            raise ValueError(
                f"image_cleaner_interval_hours: {self.image_cleaner_interval_hours} (allowed: 24 to 2160)"
            )


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
        tenant_id = (
            args.tenant_id
            or authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self)).tenant_id
        )
        grants = self._grant_network(name, args)
        disks = DiskEncryption(
            f"{name}-disks",
            DiskEncryptionArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                key_uri_with_version=args.disk_key_uri_with_version,
                key_vault_id=args.key_vault_id,
                identity_id=args.disk_identity_id,
                reader_principal_id=args.control_plane_identity_principal_id,
                protect_stateful=args.protect_stateful,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        cluster = containerservice.ManagedCluster(
            f"{name}-aks",
            resource_group_name=args.resource_group_name,
            resource_name_=args.cluster_name,
            location=args.location,
            kubernetes_version=args.kubernetes_version,
            # With a custom private DNS zone AKS takes an FQDN subdomain instead of a DNS prefix.
            fqdn_subdomain=name,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=args.sku_tier),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[args.control_plane_identity_id],
            ),
            api_server_access_profile=api_server_profile(
                args.api_server_subnet_id, args.aks_private_dns_zone_id
            ),
            public_network_access="Disabled",
            enable_rbac=True,
            disable_local_accounts=True,
            aad_profile=aad_profile(args.admin_group_object_ids, tenant_id),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=security_profile(
                kms_key_uri_with_version=args.kms_key_uri_with_version,
                key_vault_id=args.key_vault_id,
                log_analytics_workspace_id=args.log_analytics_workspace_id,
                image_cleaner_interval_hours=args.image_cleaner_interval_hours,
            ),
            disk_encryption_set_id=disks.disk_encryption_set_id,
            network_profile=network_profile(
                egress_mode=args.egress_mode,
                policy=args.network_policy,
                pod_cidr=args.pod_cidr,
                service_cidr=args.service_cidr,
                dns_service_ip=args.dns_service_ip,
            ),
            bootstrap_profile=(
                containerservice.ManagedClusterBootstrapProfileArgs(artifact_source="Cache")
                if args.egress_mode is EgressMode.NONE
                else None
            ),
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=args.upgrade_channel, node_os_upgrade_channel="NodeImage"
            ),
            node_resource_group_profile=containerservice.ManagedClusterNodeResourceGroupProfileArgs(
                restriction_level="ReadOnly"
            ),
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name=args.system_pool.name,
                    orchestrator_version=args.kubernetes_version,
                    tags=tags,
                    **agent_pool_settings(
                        args.system_pool, mode="System", vnet_subnet_id=args.nodes_subnet_id
                    ),
                )
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants, protect=args.protect_stateful),
        )
        monitor.DiagnosticSetting(
            f"{name}-diagnostics",
            name="sovereign-audit",
            resource_uri=cluster.id,
            workspace_id=args.log_analytics_workspace_id,
            log_analytics_destination_type="Dedicated",
            logs=[
                monitor.DiagnosticsLogSettingsArgs(category=category, enabled=True)
                for category in AKS_DIAGNOSTIC_CATEGORIES
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        kubelet_object_id = cluster.identity_profile.apply(
            lambda profile: (profile or {})["kubeletidentity"].object_id or ""
        )
        if args.registry_id is not None:
            authorization.RoleAssignment(
                f"{name}-kubelet-acrpull",
                principal_id=kubelet_object_id,
                principal_type="ServicePrincipal",
                role_definition_id=role_definition_id("acr_pull"),
                scope=args.registry_id,
                description="Nodes pull workload images from the in-country registry",
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.node_pools = {
            spec.name: AksNodePool(
                f"{name}-{spec.name}",
                AksNodePoolArgs(
                    resource_group_name=args.resource_group_name,
                    cluster_name=cluster.name,
                    spec=spec,
                    vnet_subnet_id=args.nodes_subnet_id,
                    kubernetes_version=args.kubernetes_version,
                    tags=tags,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for spec in args.gpu_pools
        }
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
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

    def _grant_network(self, name: str, args: SovereignClusterArgs) -> list[pulumi.Resource]:
        """The control plane joins nodes and the API server to the subnets, writes the API server's private DNS
        record and (user-defined routing) reads the route table: least-privilege scopes, not the resource group."""
        scopes: list[tuple[str, str, pulumi.Input[str]]] = [
            ("nodes-subnet", "network_contributor", args.nodes_subnet_id),
            ("apiserver-subnet", "network_contributor", args.api_server_subnet_id),
            ("aks-dns", "private_dns_zone_contributor", args.aks_private_dns_zone_id),
        ]
        if args.route_table_id is not None:
            scopes.append(("route-table", "network_contributor", args.route_table_id))
        return [
            authorization.RoleAssignment(
                f"{name}-grant-{role}",
                principal_id=args.control_plane_identity_principal_id,
                principal_type="ServicePrincipal",
                role_definition_id=role_definition_id(definition),
                scope=scope,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for role, definition, scope in scopes
        ]
