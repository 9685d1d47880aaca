"""The in-country audit log store: a Log Analytics workspace reachable only privately, keyed by the country.

Scope: a Log Analytics workspace in the platform region with the country's retention, local (shared-key)
authentication off, access by resource permissions, public ingestion and public query disabled; an Azure
Monitor Private Link Scope in private-only mode with the workspace in it and a private endpoint, so agents and
queries inside the network reach the workspace privately. Platform diagnostic settings (the AKS audit logs, and
the subscription's Activity Log, set here) travel on Azure's backbone and are not affected by the network
restriction.

Customer-managed keys: Log Analytics encrypts with a customer key only through a dedicated cluster, billed
with a daily capacity commitment (100 GB/day at least). That is the default, because the controls reference
asks for CMK wherever the platform allows it; a country that accepts Microsoft-managed keys for its logs must
say why in ``platform_key_justification`` (the unsafe choice is explicit, never a silent default). The
dedicated cluster also double-encrypts (infrastructure encryption). The Private Link Scope is a global Azure
resource by design (location ``global``); it stores no log data.
Non-goals: data collection rules, Sentinel, alerts, data export, linked storage accounts for saved queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import monitor, operationalinsights

from components.azure.catalogue import ACTIVITY_LOG_CATEGORIES, AMPLS_ZONES, KeyPurpose, role_definition_id
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from components.azure.rbac import grant, propagation_wait
from sovereign.config.limits import MIN_PLATFORM_KEY_JUSTIFICATION_CHARS as MIN_JUSTIFICATION_CHARS
from sovereign.config.text import justification_problem

if TYPE_CHECKING:
    from components.azure.key_custody import KeyCustody
    from components.azure.network import SovereignNetwork

__all__ = ["AuditLogging", "AuditLoggingArgs"]

MIN_CLUSTER_GIB_PER_DAY = 100
"""Smallest commitment tier of a Log Analytics dedicated cluster."""


@dataclass(frozen=True)
class AuditLoggingArgs:
    network: SovereignNetwork
    """The platform network: resource group, region, private-endpoint subnet and the Azure Monitor zones."""
    keys: KeyCustody
    """The country's key custody; its logs key encrypts the workspace through the dedicated cluster."""
    platform_key_justification: str | None = None
    """Why Microsoft-managed keys are acceptable for this country's logs. Omitted: customer key (dedicated
    cluster)."""
    retention_days: int = 365
    """Interactive retention of every table (30-730 days). Omitted: 365."""
    cluster_capacity_gib_per_day: int = MIN_CLUSTER_GIB_PER_DAY
    """Daily commitment of the dedicated cluster (100 or more). Omitted: 100."""
    cluster_key_granted: bool = False
    """Dedicated cluster only: True once a previous deployment created the cluster and granted its
    system-assigned identity on the logs key; this deployment then sets the key and links the workspace.
    Omitted: False (first deployment: cluster, identity and grant only; nothing is linked or ingested)."""
    workspace_name: str | None = None
    """Azure name of the workspace. Omitted: ``<component name>-workspace`` (explicit: no random suffix)."""
    protect_stateful: bool = True
    """Protect the workspace and its cluster from `pulumi destroy` (the stack sets False outside prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""

    def __post_init__(self) -> None:
        reason = self.platform_key_justification
        problem = None if reason is None else justification_problem(reason, min_chars=MIN_JUSTIFICATION_CHARS)
        if problem is not None:
            raise ValueError(
                f"platform_key_justification: not a justification (got {reason!r}: {problem}; allowed: a "
                f"sentence of at least {MIN_JUSTIFICATION_CHARS} characters saying why)"
            )
        if not 30 <= self.retention_days <= 730:
            raise ValueError(f"retention_days: {self.retention_days} (allowed: 30 to 730)")
        if self.cluster_capacity_gib_per_day < MIN_CLUSTER_GIB_PER_DAY:
            raise ValueError(
                f"cluster_capacity_gib_per_day: {self.cluster_capacity_gib_per_day} (allowed: "
                f"{MIN_CLUSTER_GIB_PER_DAY} or more, Azure's smallest dedicated-cluster commitment)"
            )


class AuditLogging(pulumi.ComponentResource):
    workspace_id: pulumi.Output[str]
    """Resource id: the destination of diagnostic settings and Defender."""
    workspace_name: pulumi.Output[str]
    workspace_customer_id: pulumi.Output[str]
    """The workspace GUID agents send to."""
    private_link_scope_id: pulumi.Output[str]

    def __init__(self, name: str, args: AuditLoggingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:azure:AuditLogging", name, None, opts)
        tags = dict(args.tags)
        network = args.network
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect_stateful)
        workspace = operationalinsights.Workspace(
            f"{name}-workspace",
            resource_group_name=network.resource_group_name,
            workspace_name=args.workspace_name or f"{name}-workspace",
            location=network.location,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.retention_days,
            public_network_access_for_ingestion="Disabled",
            public_network_access_for_query="Disabled",
            features=operationalinsights.WorkspaceFeaturesArgs(
                disable_local_auth=True, enable_log_access_using_only_resource_permissions=True
            ),
            tags=tags,
            # Linked to the dedicated cluster, Azure reports the workspace's SKU as 'LACluster' (a value of
            # pulumi-azure-native's WorkspaceSkuNameEnum): without this every update would set 'PerGB2018'
            # back and the drift job (a refreshed preview) would report it.
            opts=pulumi.ResourceOptions.merge(
                stateful,
                pulumi.ResourceOptions(
                    ignore_changes=["sku"] if args.platform_key_justification is None else None
                ),
            ),
        )
        self.ingestion_ready: list[pulumi.Resource] | None = []
        """What a diagnostic setting into this workspace must wait for: [] with Microsoft-managed keys, the
        cluster link with the country's key, None while that key is not applied yet (send nothing then)."""
        if args.platform_key_justification is None:
            self.ingestion_ready = self._dedicated_cluster(name, args, workspace, stateful)
        if self.ingestion_ready is not None:
            # The subscription's Activity Log (role assignments, break-glass activations, Customer Lockbox
            # requests) into the in-country workspace, under the same key condition as the AKS logs: Azure
            # keeps Activity Log events for 90 days only, the workspace for the country's retention.
            monitor.SubscriptionDiagnosticSetting(
                f"{name}-activity-log",
                name="sovereign-activity-log",
                workspace_id=workspace.id,
                logs=[
                    monitor.SubscriptionLogSettingsArgs(category=category, enabled=True)
                    for category in ACTIVITY_LOG_CATEGORIES
                ],
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.ingestion_ready)),
            )
        scope = monitor.PrivateLinkScope(
            f"{name}-ampls",
            scope_name=f"{name}-ampls",
            resource_group_name=network.resource_group_name,
            location="global",
            access_mode_settings=monitor.AccessModeSettingsArgs(
                ingestion_access_mode="PrivateOnly", query_access_mode="PrivateOnly"
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        monitor.PrivateLinkScopedResource(
            f"{name}-ampls-workspace",
            resource_group_name=network.resource_group_name,
            scope_name=scope.name,
            name="workspace",
            linked_resource_id=workspace.id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        PrivateEndpoint(
            f"{name}-pe",
            PrivateEndpointArgs(
                resource_group_name=network.resource_group_name,
                location=network.location,
                subnet_id=network.private_endpoints_subnet_id,
                target_resource_id=scope.id,
                group_id="azuremonitor",
                private_dns_zone_ids=[network.private_dns_zone_ids[zone] for zone in AMPLS_ZONES],
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.workspace_id = workspace.id
        self.workspace_name = workspace.name
        self.workspace_customer_id = workspace.customer_id
        self.private_link_scope_id = scope.id
        self.register_outputs(
            {"workspace_id": self.workspace_id, "workspace_customer_id": self.workspace_customer_id}
        )

    def _dedicated_cluster(
        self,
        name: str,
        args: AuditLoggingArgs,
        workspace: operationalinsights.Workspace,
        stateful: pulumi.ResourceOptions,
    ) -> list[pulumi.Resource] | None:
        """The customer key through a dedicated cluster, in the order Azure documents (MicrosoftDocs/
        azure-monitor-docs articles/azure-monitor/logs/customer-managed-keys.md, "Customer-Managed key
        provisioning steps": create cluster, grant Key Vault permissions, update cluster with key identifier,
        link workspaces). The cluster uses its system-assigned identity: "You can't use Customer-managed key
        with User-assigned managed identity if your Key Vault is in Private-Link (vNet). You can use
        System-assigned managed identity in this scenario" (same article, Limitations); the vault is private
        (key_custody.py). That identity exists only once the cluster does, so the key cannot be given at
        creation ("If you create a cluster and specify the KeyVaultProperties immediately, the operation might
        fail until an identity is assigned to the cluster, and granted to Key Vault", Troubleshooting), and
        azure-native has no separate resource that sets a cluster's key: the next deployment sets it
        (``cluster_key_granted``) and changes no identity ("Cluster update should not include both identity
        and key identifier details in the same operation"). The workspace is linked only after the key: "Data
        that was ingested before the configuration remains encrypted with Microsoft keys"."""
        network, key = args.network, args.keys.keys[KeyPurpose.LOGS]
        cluster = operationalinsights.Cluster(
            f"{name}-cluster",
            cluster_name=f"{name}-cluster",
            resource_group_name=network.resource_group_name,
            location=network.location,
            identity=operationalinsights.ManagedServiceIdentityArgs(type="SystemAssigned"),
            sku=operationalinsights.ClusterSkuArgs(
                name="CapacityReservation", capacity=args.cluster_capacity_gib_per_day
            ),
            # No key version: the cluster follows Key Vault's rotation ("Autorotation", same article).
            key_vault_properties=operationalinsights.KeyVaultPropertiesArgs(
                key_vault_uri=args.keys.vault_uri, key_name=key.key_name
            )
            if args.cluster_key_granted
            else None,
            is_double_encryption_enabled=True,
            tags=dict(args.tags),
            opts=stateful,
        )
        access = grant(
            f"{name}-cluster-key-access",
            principal_id=cluster.identity.apply(lambda i: (i.principal_id if i else None) or ""),
            role_definition_id=role_definition_id("key_vault_crypto_service_encryption_user"),
            scope=key.key_id,
            description="logs: the dedicated cluster's system identity wraps with this key only",
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The deployment that sets the key starts only after this one, wait included, has finished.
        propagation_wait(f"{name}-cluster-grant-propagation", [access], pulumi.ResourceOptions(parent=self))
        if not args.cluster_key_granted:
            return None
        return [
            operationalinsights.LinkedService(
                f"{name}-cluster-link",
                resource_group_name=network.resource_group_name,
                workspace_name=workspace.name,
                linked_service_name="cluster",
                write_access_resource_id=cluster.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        ]
