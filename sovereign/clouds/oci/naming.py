"""OCI's name rules per pulumi-oci resource type: which input carries the name, its length and characters.

Why this exists: OCI checks names at create time only, so an over-long or badly formed name passes the mock
engine and fails the first ``pulumi up`` half-way through. The ``oci-names`` plan rule
(``sovereign.policies.oci_names``) checks every planned name against :data:`RULES`; ``sovereign report`` reads
``RULES[type].name_input`` to show each resource's OCI name.

Sources, per row (``source``):

- characters and uniqueness: the pulumi-oci 5.5.0 SDK docstrings (``pulumi_oci/<module>/<resource>.py``), which
  carry Oracle's API descriptions, e.g. bucket ``name``: "Valid characters are uppercase or lowercase letters,
  numbers, hyphens, underscores, and periods. Bucket names must be unique within an Object Storage namespace";
  compartment ``name``: "must be unique across all compartments in the parent compartment";
- lengths: Oracle's API reference data types (``CreateCompartmentDetails`` ... at
  https://docs.oracle.com/iaas/api/), Min/Max Length of the field. Where a docstring calls the field "a
  user-friendly name" that "does not have to be unique", OCI restricts only its length: the pattern allows any
  printable characters.
- compartment characters: Oracle "Managing Compartments" (Console: "maximum 100 characters, including letters,
  numbers, periods, hyphens, and underscores").
- OCIR repository names: Oracle "Creating a Repository" (lower-case letters, numbers, hyphens, underscores,
  periods and forward slashes; the path segments are the image path).

Where a source gives no character set for an IAM name (policies, dynamic groups, quotas), the pattern is a
conservative subset (letters, numbers, hyphen, underscore, period): a name inside it is accepted by OCI, and
the toolkit never needs more.

Scope: pure data and string functions, no Pulumi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RULES", "UNNAMED_TYPES", "NameRule", "name_problem"]

_API = "https://docs.oracle.com/iaas/api/ (data type {}, field {})"
_SDK = "pulumi_oci 5.5.0 {} docstring"
_PRINTABLE = r"[^\x00-\x1f\x7f]+"
_PRINTABLE_TEXT = "any printable characters (a free-form display name)"
_IAM = r"[A-Za-z0-9._-]+"
_IAM_TEXT = "letters, numbers, periods, hyphens and underscores"


@dataclass(frozen=True)
class NameRule:
    """What OCI accepts as the name of one resource type."""

    type_token: str
    name_input: str
    """The wire-named input carrying the OCI name (``name`` or ``displayName``)."""
    min_length: int
    max_length: int
    pattern: str
    """Full-match regular expression for the allowed characters."""
    allowed: str
    """The rule in words, for the finding's message."""
    scope: str
    """Where the name must be unique ("not unique" for display names)."""
    source: str


def _display(type_token: str, details: str, module: str, max_length: int = 255) -> NameRule:
    return NameRule(
        type_token,
        "displayName",
        1,
        max_length,
        _PRINTABLE,
        _PRINTABLE_TEXT,
        "not unique",
        f"{_API.format(details, 'displayName')}; {_SDK.format(module)}",
    )


RULES: dict[str, NameRule] = {
    r.type_token: r
    for r in (
        NameRule(
            "oci:Identity/compartment:Compartment",
            "name",
            1,
            100,
            _IAM,
            _IAM_TEXT,
            "the parent compartment",
            "https://docs.oracle.com/iaas/Content/Identity/compartments/managingcompartments.htm; "
            + _API.format("CreateCompartmentDetails", "name"),
        ),
        NameRule(
            "oci:Identity/policy:Policy",
            "name",
            1,
            100,
            _IAM,
            _IAM_TEXT + " (conservative subset)",
            "the tenancy",
            _API.format("CreatePolicyDetails", "name") + "; " + _SDK.format("identity/policy.py"),
        ),
        NameRule(
            "oci:Identity/dynamicGroup:DynamicGroup",
            "name",
            1,
            100,
            _IAM,
            _IAM_TEXT + " (conservative subset)",
            "the tenancy",
            _API.format("CreateDynamicGroupDetails", "name")
            + "; "
            + _SDK.format("identity/dynamic_group.py"),
        ),
        NameRule(
            "oci:Limits/quota:Quota",
            "name",
            1,
            100,
            r"[A-Za-z0-9_-]+",
            "letters, numbers, hyphens and underscores (conservative subset)",
            "the tenancy",
            _API.format("CreateQuotaDetails", "name") + "; " + _SDK.format("limits/quota.py"),
        ),
        NameRule(
            "oci:ObjectStorage/bucket:Bucket",
            "name",
            1,
            256,
            r"[A-Za-z0-9._-]+",
            "letters, numbers, hyphens, underscores and periods",
            "the Object Storage namespace",
            _API.format("CreateBucketDetails", "name") + "; " + _SDK.format("objectstorage/bucket.py"),
        ),
        NameRule(
            "oci:ObjectStorage/preauthrequest:Preauthrequest",
            "name",
            1,
            100,
            r"[A-Za-z0-9._-]+",
            "letters, numbers, hyphens, underscores and periods (conservative subset: the API documents no limit)",
            "the bucket",
            _API.format("CreatePreauthenticatedRequestDetails", "name")
            + "; "
            + _SDK.format("objectstorage/preauthrequest.py"),
        ),
        NameRule(
            "oci:Artifacts/containerRepository:ContainerRepository",
            "displayName",
            1,
            255,
            r"[a-z0-9](?:[a-z0-9._/-]*[a-z0-9])?",
            "lower-case letters, numbers, hyphens, underscores, periods and forward slashes, starting and "
            "ending with a letter or number",
            "the compartment",
            "https://docs.oracle.com/iaas/Content/Registry/Tasks/registrycreatingarepository.htm; "
            + _API.format("CreateContainerRepositoryDetails", "displayName"),
        ),
        _display("oci:Kms/vault:Vault", "CreateVaultDetails", "kms/vault.py"),
        _display("oci:Kms/key:Key", "CreateKeyDetails", "kms/key.py"),
        _display("oci:Core/vcn:Vcn", "CreateVcnDetails", "core/vcn.py"),
        _display("oci:Core/subnet:Subnet", "CreateSubnetDetails", "core/subnet.py"),
        _display("oci:Core/routeTable:RouteTable", "CreateRouteTableDetails", "core/route_table.py"),
        _display(
            "oci:Core/serviceGateway:ServiceGateway", "CreateServiceGatewayDetails", "core/service_gateway.py"
        ),
        _display(
            "oci:Core/networkSecurityGroup:NetworkSecurityGroup",
            "CreateNetworkSecurityGroupDetails",
            "core/network_security_group.py",
        ),
        _display(
            "oci:Core/defaultSecurityList:DefaultSecurityList",
            "UpdateSecurityListDetails",
            "core/default_security_list.py",
        ),
        _display("oci:Logging/logGroup:LogGroup", "CreateLogGroupDetails", "logging/log_group.py"),
        _display("oci:Logging/log:Log", "CreateLogDetails", "logging/log.py"),
        _display("oci:Sch/connector:Connector", "CreateServiceConnectorDetails", "sch/connector.py"),
        NameRule(
            "oci:ContainerEngine/cluster:Cluster",
            "name",
            1,
            255,
            _PRINTABLE,
            _PRINTABLE_TEXT,
            "not unique",
            _API.format("CreateClusterDetails", "name") + "; " + _SDK.format("containerengine/cluster.py"),
        ),
        NameRule(
            "oci:ContainerEngine/nodePool:NodePool",
            "name",
            1,
            255,
            _PRINTABLE,
            _PRINTABLE_TEXT,
            "not unique",
            _API.format("CreateNodePoolDetails", "name") + "; " + _SDK.format("containerengine/node_pool.py"),
        ),
    )
}
"""pulumi-oci type -> its name rule."""

UNNAMED_TYPES: frozenset[str] = frozenset(
    {
        # A security rule is an entry of its NSG, identified by OCI's id; it has no name or displayName input
        # (pulumi_oci core/network_security_group_security_rule.py).
        "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule",
        # A cluster add-on is named by OKE's add-on catalogue (addonName: 'ClusterAutoscaler', ...), not by us
        # (pulumi_oci containerengine/addon.py: addon_name "The name of the addon"; no display name input).
        "oci:ContainerEngine/addon:Addon",
        # A vault replica takes the source vault's OCID and has only vault_id and replica_region inputs
        # (pulumi_oci kms/vault_verification.py VaultVerificationArgs).
        "oci:Kms/vaultVerification:VaultVerification",
    }
)
"""pulumi-oci types that carry no name: the rule passes them, and report shows no OCI name."""


def name_problem(rule: NameRule, name: str) -> str | None:
    """What is wrong with ``name`` for ``rule``'s type, or None."""
    if not rule.min_length <= len(name) <= rule.max_length:
        return (
            f"'{name}' is {len(name)} characters; {rule.type_token.rsplit(':', 1)[-1]} {rule.name_input} takes "
            f"{rule.min_length}-{rule.max_length}"
        )
    if re.fullmatch(rule.pattern, name) is None:
        kind = rule.type_token.rsplit(":", 1)[-1]
        return f"'{name}' has characters OCI refuses in a {kind} {rule.name_input}: allowed {rule.allowed}"
    return None
