"""RegionFences: keep the country compartment's resources and its admins inside the country's regions.

The pattern of the OCI Core Landing Zone's sovereign-controls add-on, as two declarations:

- a compartment quota (in the tenancy's root compartment, where quotas live) that zeroes the compute,
  storage and network quota families for the country compartment in every region except the country's
  (``zero <family> quotas in compartment <path> where request.region != '<region>'``; several regions are
  combined with ``all {...}``). A region subscribed later for another purpose therefore stays empty for this
  compartment, and OCI never allows unsubscribing a region;
- an IAM policy that lets each of the country's admin groups manage the country compartment only for
  requests made in the country's regions (one statement per region, ``where all {request.region = '<KEY>',
  ...}``), without policy writes. The policy is attached *above* the country compartment (the tenancy by
  default): attached inside it, the admins it constrains could edit it and lift the fence.

IAM and quota writes are accepted only in the tenancy's home region: pass a home-region provider when the
stack's region is not the home region.

Non-goals: tenancy-wide quotas (other countries share the tenancy), Security Zones and Cloud Guard (their
reporting region is a landing-zone decision), group creation (groups belong to the identity domain, and their
membership to its identity provider): the admin groups must exist, and the stack names them by OCID.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_oci as oci

from components.oci.regions import realm_of, require_region
from components.oci.statements import FENCED_QUOTA_FAMILIES, admin_statements, quota_statements

if TYPE_CHECKING:
    from components.oci.network import SovereignNetwork

__all__ = ["RegionFences", "RegionFencesArgs"]


@dataclass(frozen=True)
class RegionFencesArgs:
    tenancy_id: pulumi.Input[str]
    """Tenancy OCID: quotas are created in the root compartment."""
    network: SovereignNetwork
    """The platform network: its country compartment is fenced (IAM statements name it by OCID)."""
    compartment_path: str
    """The country compartment's name as quota statements reference it; for a compartment nested below a
    parent, the colon-separated path from the tenancy ('sovereign:de-prod')."""
    region: str
    """Region the stack deploys to; must be one of ``allowed_regions``."""
    allowed_regions: Sequence[str]
    """The country's in-country regions (identifiers), all in the same realm."""
    admin_groups: Sequence[str]
    """Country admin groups: existing groups by OCID ('ocid1.group...', what the stack passes: OCI rejects a
    policy naming a group that does not exist), or by name ('Group' in the default domain, 'Domain/Group')."""
    policy_compartment_id: pulumi.Input[str] | None = None
    """Compartment the admin policy is attached to: an ancestor of the country compartment, outside the
    admins' reach. Omitted: the tenancy (root compartment)."""
    quota_families: Sequence[str] = FENCED_QUOTA_FAMILIES
    """Quota families zeroed outside the country. Omitted: compute, block/object/file storage, VCN, load
    balancers, container engine."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region OCI provider for the quota and the policy. Omitted: the inherited provider."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on the quota and the policy."""

    def __post_init__(self) -> None:
        require_region(self.region)
        for region in self.allowed_regions:
            require_region(region, "allowed_regions")
        if self.region not in self.allowed_regions:
            raise ValueError(
                f"region: {self.region!r} is not one of allowed_regions {list(self.allowed_regions)}; "
                "deploying there would fence the stack out of its own region"
            )
        realms = {realm_of(r) for r in self.allowed_regions}
        if len(realms) != 1:
            raise ValueError(
                f"allowed_regions: regions span realms {sorted(realms)}; one stack lives in one realm"
            )
        # Build once here so that a bad group, path or family fails at construction, not at apply time.
        quota_statements(
            compartment_path=self.compartment_path,
            allowed_regions=self.allowed_regions,
            families=self.quota_families,
        )
        admin_statements(groups=self.admin_groups, compartment_id="ocid", regions=self.allowed_regions)


class RegionFences(pulumi.ComponentResource):
    quota_id: pulumi.Output[str]
    admin_policy_id: pulumi.Output[str]
    quota_statements: list[str]

    def __init__(self, name: str, args: RegionFencesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:oci:RegionFences", name, None, opts)
        tags = dict(args.freeform_tags)
        statements = quota_statements(
            compartment_path=args.compartment_path,
            allowed_regions=args.allowed_regions,
            families=args.quota_families,
        )
        quota = oci.limits.Quota(
            f"{name}-quota",
            compartment_id=args.tenancy_id,
            name=f"{name}-quota",
            description=f"Zero quotas for {args.compartment_path} outside {', '.join(args.allowed_regions)}",
            statements=statements,
            freeform_tags=tags,
            # The statements name the compartment by path, not by OCID, so nothing else orders the quota after
            # it: OCI rejects a quota naming a compartment it cannot find yet. Wait for the compartment's wait.
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.identity_provider,
                depends_on=[args.network.compartment_ready],
            ),
        )
        admins = oci.identity.Policy(
            f"{name}-admins",
            compartment_id=args.policy_compartment_id or args.tenancy_id,
            name=f"{name}-admins",
            description="Country admins manage the country compartment from in-country regions only",
            statements=args.network.compartment_id.apply(
                lambda compartment: admin_statements(
                    groups=args.admin_groups, compartment_id=compartment, regions=args.allowed_regions
                )
            ),
            freeform_tags=tags,
            opts=pulumi.ResourceOptions(parent=self, provider=args.identity_provider),
        )
        self.quota_id = quota.id
        self.admin_policy_id = admins.id
        self.quota_statements = statements
        self.register_outputs({"quota_id": self.quota_id, "admin_policy_id": self.admin_policy_id})
