"""Sovereign Landing Zone policy initiatives assigned at the country's scope, so Azure enforces what we declare.

Scope: built-in initiatives of Microsoft's Sovereign Landing Zone (Azure-Landing-Zones-Library platform/slz),
assigned with the same parameters SLZ uses:
- L1 data residency (``Enforce-Sov-L1-Regions``): effect Deny, ``listOfAllowedLocations`` = the country's
  regions; always assigned. Azure's allowed-locations rules exempt ``global`` resources (private DNS zones).
- L2 customer-managed keys: the Key Vault Premium initiative (where the keys live); always
  assigned, effect Audit by default as in SLZ (Deny would also block resources AKS creates for itself in the
  node resource group, such as its bootstrap registry cache, which carry no customer key).
- L3 confidential computing (``Enforce-Sov-L3-Conf``): only when the confidential tier requires it, at
  ``confidential_scope`` (default: ``scope``) with the cluster's confidential sizes. Its allowed-resource-types
  rule denies every other type, Storage and Log Analytics included, so in practice the stack passes the
  cluster's own resource group as ``confidential_scope``.
Enforcement mode is configurable (``DoNotEnforce`` evaluates and reports without denying, to roll out safely).
Assignment names are short and derived from the component name (management-group scopes allow 24 characters).
Non-goals: the SLZ management-group hierarchy, the L2 TLS/HTTPS initiatives (their Modify/DeployIfNotExists
effects need a remediation identity and role grants), exemptions.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi_azure_native import authorization

from components.azure.catalogue import (
    POLICY_SET,
    SLZ_L3_RESOURCE_TYPES,
    SLZ_POLICY_DEFINITION_VERSION,
    is_confidential_vm_sku,
)
from sovereign.types import ConfidentialTier

__all__ = ["SovereignPolicies", "SovereignPoliciesArgs"]

NON_COMPLIANCE = "Sovereign policies {verb} be enforced."
"""SLZ's message. Its ``{enforcementMode}`` placeholder is filled in by the ALZ tooling before deployment
(Azure-Landing-Zones-Library assignments; Azure itself shows a non-compliance message verbatim), so the verb
is chosen here: 'must' when enforced, 'should' with DoNotEnforce. Rule 'policy-messages-resolved' refuses any
'{...}' left in a message."""
VERB_BY_ENFORCEMENT = {"Default": "must", "DoNotEnforce": "should"}


@dataclass(frozen=True)
class SovereignPoliciesArgs:
    scope: pulumi.Input[str]
    """Where to assign: a management group, subscription or resource group id (the country's scope)."""
    allowed_locations: Sequence[str]
    """Azure regions the country allows (its primary region and any allowed pair); at least one."""
    confidential_tier: ConfidentialTier = ConfidentialTier.NONE
    """Assign L3 when not 'none'. Omitted: none."""
    confidential_vm_skus: Sequence[str] = ()
    """VM sizes L3 allows (the cluster's confidential sizes); required when the tier is not 'none'."""
    confidential_scope: pulumi.Input[str] | None = None
    """Scope of the L3 assignment. Omitted: scope. The platform passes the AKS node resource group, which the
    cluster locks with a ReadOnly deny assignment ("a deny assignment blocks direct updates", MicrosoftDocs/
    azure-aks-docs articles/aks/node-resource-group-lockdown.md). Neither that article nor the AKS FAQ says
    whether the deny assignment excludes Microsoft.Authorization/policyAssignments/write: unconfirmed, kept."""
    enforcement_mode: Literal["Default", "DoNotEnforce"] = "Default"
    """Default enforces (Deny effects deny); DoNotEnforce only reports. Omitted: Default."""
    cmk_effect: Literal["Audit", "Deny"] = "Audit"
    """Effect of the L2 customer-managed-key policies. Omitted: Audit, as SLZ assigns it."""

    def __post_init__(self) -> None:
        if not self.allowed_locations:
            raise ValueError(
                "allowed_locations: empty (allowed: the country's Azure regions) - an empty list denies every "
                "regional resource"
            )
        if self.confidential_tier is not ConfidentialTier.NONE:
            if not self.confidential_vm_skus:
                raise ValueError(
                    f"confidential_vm_skus: empty for confidential tier {self.confidential_tier.value!r} (allowed: "
                    "the cluster's confidential sizes) - L3 would deny every VM, the cluster's nodes included"
                )
            wrong = [sku for sku in self.confidential_vm_skus if not is_confidential_vm_sku(sku)]
            if wrong:
                raise ValueError(
                    f"confidential_vm_skus: {wrong} are not confidential sizes (allowed: the catalogue's "
                    "confidential sizes) - L3 exists to allow only confidential hardware"
                )


def _values(**parameters: Any) -> dict[str, authorization.ParameterValuesValueArgs]:
    return {key: authorization.ParameterValuesValueArgs(value=value) for key, value in parameters.items()}


class SovereignPolicies(pulumi.ComponentResource):
    assignment_ids: dict[str, pulumi.Output[str]]
    """Resource id per level: 'l1_regions', 'l2_cmk', and 'l3_confidential' when assigned."""

    def __init__(
        self, name: str, args: SovereignPoliciesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:SovereignPolicies", name, None, opts)
        suffix = hashlib.sha256(name.encode()).hexdigest()[:8]
        cmk_set = POLICY_SET["l2_cmk_key_vault_premium"]  # keys live in a Key Vault Premium (key_custody.py)
        levels: list[
            tuple[str, str, str, pulumi.Input[str], dict[str, authorization.ParameterValuesValueArgs]]
        ] = [
            (
                "l1_regions",
                POLICY_SET["l1_regions"],
                "Sovereignty - Enforce Data Residency across Azure Services",
                args.scope,
                _values(effect="Deny", listOfAllowedLocations=list(args.allowed_locations)),
            ),
            (
                "l2_cmk",
                cmk_set,
                "Sovereignty - Enforce Encryption-at-Rest with Customer Managed Keys",
                args.scope,
                _values(effect=args.cmk_effect),
            ),
        ]
        if args.confidential_tier is not ConfidentialTier.NONE:
            levels.append(
                (
                    "l3_confidential",
                    POLICY_SET["l3_confidential"],
                    "Sovereignty - Enforce Encryption-in-Use across Azure Services",
                    args.confidential_scope or args.scope,
                    _values(
                        allowedResourceTypes=list(SLZ_L3_RESOURCE_TYPES),
                        allowedVirtualMachineSKUs=list(args.confidential_vm_skus),
                        effect_audit="Audit",
                    ),
                )
            )
        self.assignment_ids = {}
        for level, policy_set, display_name, scope, parameters in levels:
            assignment = authorization.PolicyAssignment(
                f"{name}-{level.replace('_', '-')}",
                policy_assignment_name=f"sov-{level.split('_')[0]}-{suffix}",
                scope=scope,
                policy_definition_id=f"/providers/Microsoft.Authorization/policySetDefinitions/{policy_set}",
                definition_version=SLZ_POLICY_DEFINITION_VERSION,
                display_name=display_name,
                enforcement_mode=args.enforcement_mode,
                parameters=parameters,
                non_compliance_messages=[
                    authorization.NonComplianceMessageArgs(
                        message=NON_COMPLIANCE.format(verb=VERB_BY_ENFORCEMENT[args.enforcement_mode])
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.assignment_ids[level] = assignment.id
        self.register_outputs({"assignment_ids": self.assignment_ids})
