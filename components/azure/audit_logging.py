"""The in-country audit log store: a Log Analytics workspace reachable only privately, keyed by the country.

Scope: a Log Analytics workspace in the platform region with the country's retention, local (shared-key)
authentication off, access by resource permissions, public ingestion and public query disabled; an Azure
Monitor Private Link Scope in private-only mode with the workspace in it and a private endpoint, so agents and
queries inside the network reach the workspace privately. Platform diagnostic settings (the AKS audit logs)
travel on Azure's backbone and are not affected by the network restriction.

Customer-managed keys: Log Analytics encrypts with a customer key only through a dedicated cluster, billed
with a daily capacity commitment (100 GB/day at least). That is the default, because the controls reference
asks for CMK wherever the platform allows it; a country that accepts Microsoft-managed keys for its logs must
say why in ``platform_key_justification`` (the unsafe choice is explicit, never a silent default). The
dedicated cluster also double-encrypts (infrastructure encryption). The Private Link Scope is a global Azure
resource by design (location ``global``); it stores no log data.
Non-goals: data collection rules, Sentinel, alerts, data export, linked storage accounts for saved queries.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import monitor, operationalinsights

from components.azure.catalogue import AMPLS_ZONES, PrivateZone
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs

__all__ = ["AuditLogging", "AuditLoggingArgs", "LogsCustomerKey"]

MIN_CLUSTER_GIB_PER_DAY = 100
"""Smallest commitment tier of a Log Analytics dedicated cluster."""
MIN_JUSTIFICATION = 20


@dataclass(frozen=True)
class LogsCustomerKey:
    """The key that encrypts the workspace's data through its dedicated cluster."""

    key_vault_uri: pulumi.Input[str]
    """Vault or Managed HSM URI (KeyCustody.vault_uri)."""
    key_name: pulumi.Input[str]
    """Key name (KeyCustody.keys[LOGS].key_name); no version, so rotation is followed."""
    identity_id: pulumi.Input[str]
    """Identity allowed to use it (KeyCustody.keys[LOGS].identity_id)."""


@dataclass(frozen=True)
class AuditLoggingArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the workspace."""
    location: str
    """Azure region of the workspace (where the logs are stored)."""
    private_endpoint_subnet_id: pulumi.Input[str]
    """Private-endpoint subnet of the platform network."""
    private_dns_zone_ids: Mapping[PrivateZone, pulumi.Input[str]]
    """SovereignNetwork.private_dns_zone_ids; must hold the monitor, oms, ods, agent_service and blob zones."""
    customer_managed_key: LogsCustomerKey | None = None
    """Key for the dedicated cluster; required unless platform_key_justification is given."""
    platform_key_justification: str | None = None
    """Why Microsoft-managed keys are acceptable for this country's logs. Omitted: customer key required."""
    retention_days: int = 365
    """Interactive retention of every table (30-730 days). Omitted: 365."""
    cluster_capacity_gib_per_day: int = MIN_CLUSTER_GIB_PER_DAY
    """Daily commitment of the dedicated cluster (100 or more). Omitted: 100."""
    workspace_name: str | None = None
    """Azure name of the workspace. Omitted: derived from the component name with a random suffix."""
    protect_stateful: bool = True
    """Protect the workspace and its cluster from `pulumi destroy` (the stack sets False outside prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""

    def __post_init__(self) -> None:
        if (self.customer_managed_key is None) == (self.platform_key_justification is None):
            raise ValueError(
                "customer_managed_key / platform_key_justification: give exactly one (got "
                f"{'both' if self.customer_managed_key else 'neither'}) - logs are encrypted with the country's "
                "key unless the config states why Microsoft-managed keys are acceptable"
            )
        if self.platform_key_justification is not None and len(self.platform_key_justification.strip()) < (
            MIN_JUSTIFICATION
        ):
            raise ValueError(
                f"platform_key_justification: too short to justify anything (got "
                f"{self.platform_key_justification!r}; allowed: at least {MIN_JUSTIFICATION} characters)"
            )
        if not 30 <= self.retention_days <= 730:
            raise ValueError(f"retention_days: {self.retention_days} (allowed: 30 to 730)")
        if self.cluster_capacity_gib_per_day < MIN_CLUSTER_GIB_PER_DAY:
            raise ValueError(
                f"cluster_capacity_gib_per_day: {self.cluster_capacity_gib_per_day} (allowed: "
                f"{MIN_CLUSTER_GIB_PER_DAY} or more, Azure's smallest dedicated-cluster commitment)"
            )
        missing = [zone.value for zone in AMPLS_ZONES if zone not in self.private_dns_zone_ids]
        if missing:
            raise ValueError(
                f"private_dns_zone_ids: missing {missing} (allowed: the zones of SovereignNetwork) - the "
                "private link scope endpoint registers records in all of them"
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
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect_stateful)
        workspace = operationalinsights.Workspace(
            f"{name}-workspace",
            resource_group_name=args.resource_group_name,
            workspace_name=args.workspace_name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.retention_days,
            public_network_access_for_ingestion="Disabled",
            public_network_access_for_query="Disabled",
            features=operationalinsights.WorkspaceFeaturesArgs(
                disable_local_auth=True, enable_log_access_using_only_resource_permissions=True
            ),
            tags=tags,
            opts=stateful,
        )
        if args.customer_managed_key is not None:
            key = args.customer_managed_key
            cluster = operationalinsights.Cluster(
                f"{name}-cluster",
                resource_group_name=args.resource_group_name,
                location=args.location,
                identity=operationalinsights.ManagedServiceIdentityArgs(
                    type="UserAssigned", user_assigned_identities=[key.identity_id]
                ),
                sku=operationalinsights.ClusterSkuArgs(
                    name="CapacityReservation", capacity=args.cluster_capacity_gib_per_day
                ),
                key_vault_properties=operationalinsights.KeyVaultPropertiesArgs(
                    key_vault_uri=key.key_vault_uri, key_name=key.key_name
                ),
                is_double_encryption_enabled=True,
                tags=tags,
                opts=stateful,
            )
            operationalinsights.LinkedService(
                f"{name}-cluster-link",
                resource_group_name=args.resource_group_name,
                workspace_name=workspace.name,
                linked_service_name="cluster",
                write_access_resource_id=cluster.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        scope = monitor.PrivateLinkScope(
            f"{name}-ampls",
            resource_group_name=args.resource_group_name,
            location="global",
            access_mode_settings=monitor.AccessModeSettingsArgs(
                ingestion_access_mode="PrivateOnly", query_access_mode="PrivateOnly"
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        monitor.PrivateLinkScopedResource(
            f"{name}-ampls-workspace",
            resource_group_name=args.resource_group_name,
            scope_name=scope.name,
            name="workspace",
            linked_resource_id=workspace.id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        PrivateEndpoint(
            f"{name}-pe",
            PrivateEndpointArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                subnet_id=args.private_endpoint_subnet_id,
                target_resource_id=scope.id,
                group_id="azuremonitor",
                private_dns_zone_ids=[args.private_dns_zone_ids[zone] for zone in AMPLS_ZONES],
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
