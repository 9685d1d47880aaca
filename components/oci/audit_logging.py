"""AuditLogging: VCN flow logs in an in-region log group, and the audit trail exported to a locked bucket.

Declares:

- one log group in the country compartment (in the stack's region: OCI Logging is regional);
- one flow log per given subnet (service ``flowlogs``, category ``all``) with the configured retention;
- when an audit bucket is given: a Service Connector that copies the compartment's audit events (the
  ``_Audit`` log) to that bucket, which ``EncryptedStorage`` protects with a locked retention rule, and the
  connector's IAM policy, limited to that bucket, the compartment's connectors and the region.

Log group and flow logs are protected in prod stacks.

The export reads the country compartment's ``_Audit`` only, not the tenancy root's, although the quota, the
admin policy and the dynamic groups that fence the platform live in the root. The Connector API would take the
root as a second source (``source.log_sources`` is a list of compartment and log group pairs, ``_Audit`` allowed:
terraform-provider-oci website/docs/r/sch_service_connector.html.markdown), but the root's ``_Audit`` holds every
root-level event of the tenancy, those of every other country and team sharing it included, and nothing narrows it
to this platform's fences: a log filter task applies to the whole connector, and a filter on the fences' OCIDs
would miss the change that matters most, a new root policy granting access to the compartment. Copied unfiltered,
other parties' IAM activity would land in this country's bucket under a retention lock that makes the copy
permanent. So the root-level fences' events stay in the OCI Audit service, 90 days by default and at most 365
(the tenancy's retention setting; Oracle "Viewing Audit Log Events"), readable with ``read audit-events in
tenancy``; exporting them belongs to whoever owns the tenancy root (the landing zone), in a bucket of its own.

Non-goals: the tenancy's audit retention setting (tenancy-wide, owned by the landing zone), exporting the tenancy
root's audit events (above), Logging Analytics, forwarding to a SIEM outside the country.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_oci as oci

from components.oci.regions import require_region
from components.oci.statements import audit_export_statements

if TYPE_CHECKING:
    from components.oci.network import SovereignNetwork
    from components.oci.storage import EncryptedStorage

__all__ = ["AuditLogging", "AuditLoggingArgs"]

LOG_RETENTION_STEP_DAYS, LOG_RETENTION_MAX_DAYS = 30, 180  # OCI Logging: 30-day steps up to 180


@dataclass(frozen=True)
class AuditLoggingArgs:
    network: SovereignNetwork
    """The platform network: its compartment holds the logs; every one of its subnets gets a flow log."""
    region: str
    """Region identifier of the provider: logs are stored there."""
    retention_days: int = 90
    """Flow log retention: 30, 60, 90, 120, 150 or 180 days."""
    storage: EncryptedStorage | None = None
    """The country's buckets; with ``audit_store``, the compartment's audit events are exported there."""
    audit_store: str | None = None
    """Name of the audit-log store in ``storage`` (its bucket has the locked retention rule). Omitted: audit
    events stay in the OCI Audit service only."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region OCI provider for the connector's IAM policy. Omitted: the inherited provider."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on every resource."""
    protect_stateful: bool = True
    """Protect the log group and the flow logs (deleting them deletes the records) from deletion by Pulumi
    (the stack sets False for non-prod)."""

    def __post_init__(self) -> None:
        require_region(self.region)
        days = self.retention_days
        if days % LOG_RETENTION_STEP_DAYS or not LOG_RETENTION_STEP_DAYS <= days <= LOG_RETENTION_MAX_DAYS:
            raise ValueError(
                f"retention_days: got {days} (allowed: 30, 60, 90, 120, 150, 180, OCI Logging's steps); keep "
                "longer retention in the locked audit bucket"
            )
        if (self.audit_store is None) != (self.storage is None) or (
            self.storage is not None and self.audit_store not in self.storage.bucket_names
        ):
            raise ValueError(
                f"audit_store: {self.audit_store!r} is not a store of the given storage; pass both or neither"
            )


class AuditLogging(pulumi.ComponentResource):
    log_group_id: pulumi.Output[str]
    flow_log_ids: dict[str, pulumi.Output[str]]
    audit_connector_id: pulumi.Output[str] | None

    def __init__(self, name: str, args: AuditLoggingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:oci:AuditLogging", name, None, opts)
        tags = dict(args.freeform_tags)
        compartment_id = args.network.compartment_id
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect_stateful)
        group = oci.logging.LogGroup(
            f"{name}-log-group",
            compartment_id=compartment_id,
            display_name=f"{name}-log-group",
            description=f"Flow logs of the sovereign VCN, kept in {args.region}",
            freeform_tags=tags,
            opts=keep,
        )
        flow_logs = {
            role: oci.logging.Log(
                f"{name}-flow-{role.replace('_', '-')}",
                display_name=f"{name}-flow-{role.replace('_', '-')}",
                log_group_id=group.id,
                log_type="SERVICE",
                is_enabled=True,
                retention_duration=args.retention_days,
                configuration=oci.logging.LogConfigurationArgs(
                    compartment_id=compartment_id,
                    source=oci.logging.LogConfigurationSourceArgs(
                        category="all", resource=subnet_id, service="flowlogs", source_type="OCISERVICE"
                    ),
                ),
                freeform_tags=tags,
                opts=keep,
            )
            for role, subnet_id in args.network.subnet_ids.items()
        }
        connector = None
        if args.storage is not None and args.audit_store is not None:
            connector = self._audit_export(name, args, args.storage, args.audit_store, tags)

        self.log_group_id = group.id
        self.flow_log_ids = {role: log.id for role, log in flow_logs.items()}
        self.audit_connector_id = connector.id if connector is not None else None
        self.register_outputs({"log_group_id": self.log_group_id, "flow_log_ids": self.flow_log_ids})

    def _audit_export(
        self, name: str, args: AuditLoggingArgs, storage: EncryptedStorage, store: str, tags: dict[str, str]
    ) -> oci.sch.Connector:
        compartment_id = args.network.compartment_id
        bucket, namespace = storage.bucket_names[store], storage.namespace
        policy = oci.identity.Policy(
            f"{name}-audit-export",
            compartment_id=compartment_id,
            name=f"{name}-audit-export",
            description="The compartment's service connectors write audit events to the audit bucket only",
            statements=pulumi.Output.all(compartment_id, bucket).apply(
                lambda v: audit_export_statements(
                    compartment_id=v[0], bucket_name=str(v[1]), region=args.region
                )
            ),
            freeform_tags=tags,
            opts=pulumi.ResourceOptions(parent=self, provider=args.identity_provider),
        )
        return oci.sch.Connector(
            f"{name}-audit-export",
            compartment_id=compartment_id,
            display_name=f"{name}-audit-export",
            description="Copies the compartment's audit events to the locked in-country audit bucket",
            source=oci.sch.ConnectorSourceArgs(
                kind="logging",
                log_sources=[
                    oci.sch.ConnectorSourceLogSourceArgs(compartment_id=compartment_id, log_group_id="_Audit")
                ],
            ),
            target=oci.sch.ConnectorTargetArgs(
                kind="objectStorage", bucket=bucket, namespace=namespace, object_name_prefix="audit"
            ),
            state="ACTIVE",
            freeform_tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
