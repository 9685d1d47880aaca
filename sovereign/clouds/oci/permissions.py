"""What the identity running ``pulumi up`` for an OCI stack needs, derived from the stack's offline plan.

Pure functions over the plan's recorded resources (``type``, wire-named ``inputs``, ``provider``): the IAM
policy statements for the deploy group, where each policy must be attached, and the region OCI writes them in
(IAM lives in the tenancy's home region). Nothing is hand-listed per stack: a type the plan does not hold asks
for nothing, and a pulumi-oci type missing from :data:`TYPE_GRANTS` is an error (:class:`UncoveredTypes`).

Why the statements are tenancy-attached with ``target.compartment.name``: the stack creates its own compartment
(a root-level one for every shipped country), so nothing can be granted "in compartment <id>" before the first
``pulumi up``; compartment creation, dynamic groups, quotas and tenancy policies are tenancy-level anyway
(finding O12: compartment-scoped deploy rights cannot create them). ``target.compartment.name`` is a general
policy variable ("The name of the compartment specified in target.compartment.id"; it "cannot be used with a
'List' API operation"; Oracle Policy Reference, "General Variables for All Requests",
https://docs.oracle.com/iaas/Content/Identity/Reference/policyreference.htm).

Non-goals: it grants nothing and calls no OCI API; it does not know the deploy group's name (``<deploy-group>``)
nor the state bucket's compartment (the backend's concern).

JSON shape (``to_json``): ``{"stack", "cloud": "oci", "home_region", "policies": [{"statement", "compartment",
"region", "why", "source"}], "notes": [...]}``; ``compartment`` is where the policy is attached (``tenancy`` or
a compartment OCID).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sovereign.clouds.oci.offline import resource_id

__all__ = ["TYPE_GRANTS", "Permissions", "UncoveredTypes", "derive", "uncovered_types"]

Resource = Mapping[str, Any]
GROUP = "<deploy-group>"
_REF = "https://docs.oracle.com/iaas/Content/Identity/Reference/"
_IAM = _REF + "iampolicyreference.htm (Details for IAM: compartments, policies, dynamic-groups)"
_CORE = (
    _REF + "corepolicyreference.htm (virtual-network-family: vcns, subnets, route-tables, security-lists, "
    "service-gateways, network-security-groups, vnics)"
)
_OKE = (
    _REF + "contengpolicyreference.htm (cluster-family: clusters, cluster-node-pools, cluster-work-requests)"
)
_OKE_CONFIG = (
    "https://docs.oracle.com/iaas/Content/ContEng/Concepts/contengpolicyconfig.htm (a non-administrator group "
    "creating clusters: manage instance-family, use subnets, read virtual-network-family, use vnics, inspect "
    "compartments); oracle-terraform-modules/terraform-oci-oke docs/prerequisites.md"
)
_VAULT = _REF + "keypolicyreference.htm (vaults, keys, key-delegate)"
_OBJECT = _REF + "objectstoragepolicyreference.htm (object-family: buckets, objects)"
_REGISTRY = "https://docs.oracle.com/iaas/Content/Registry/Concepts/registrypolicyrepoaccess.htm (repos)"
_LOGGING = (
    _REF + "loggingpolicyreference.htm (logging-family: log-groups, log-content, unified-configuration)"
)
_SCH = (
    _REF
    + "serviceconnectorhubpolicyreference.htm (serviceconnectors: manage = Create/DeleteServiceConnector)"
)
_QUOTAS = (
    "https://docs.oracle.com/iaas/Content/Quotas/Concepts/resourcequotas_authentication_and_authorization.htm "
    "('allow group QuotaAdmins to { QUOTA_READ, QUOTA_CREATE, QUOTA_DELETE, QUOTA_UPDATE, QUOTA_INSPECT } in tenancy')"
)


class UncoveredTypes(ValueError):
    """The plan holds pulumi-oci types the table does not cover: the derived list would be incomplete."""

    def __init__(self, types: list[str]) -> None:
        self.types = types
        super().__init__(
            f"no permission entry for {', '.join(types)}: add each type to TYPE_GRANTS in "
            "sovereign/clouds/oci/permissions.py with its verb, resource type and the Oracle page saying so"
        )


@dataclass(frozen=True)
class Grant:
    grants: tuple[str, ...]
    """``<verb> <resource-type>`` pairs, as written after ``to`` in a statement."""
    source: str
    where: str = "own"
    """``own``: the compartment the resource is created in (its compartmentId); ``tenancy``: always the tenancy;
    ``bucket``: the tenancy, narrowed to the resource's bucket by name (for resources of a bucket the stack does
    not create, whose compartment the plan cannot know)."""


TYPE_GRANTS: dict[str, Grant] = {
    # Creating a compartment is a right on its parent (its compartmentId); dynamic groups exist only in the
    # tenancy; a policy is written in the compartment it is attached to.
    "oci:Identity/compartment:Compartment": Grant(("manage compartments",), _IAM),
    "oci:Identity/dynamicGroup:DynamicGroup": Grant(("manage dynamic-groups",), _IAM, "tenancy"),
    "oci:Identity/policy:Policy": Grant(("manage policies",), _IAM),
    "oci:Limits/quota:Quota": Grant(("manage quotas",), _QUOTAS, "tenancy"),
    "oci:Core/vcn:Vcn": Grant(("manage virtual-network-family",), _CORE),
    "oci:Core/subnet:Subnet": Grant(("manage virtual-network-family",), _CORE),
    "oci:Core/routeTable:RouteTable": Grant(("manage virtual-network-family",), _CORE),
    "oci:Core/serviceGateway:ServiceGateway": Grant(("manage virtual-network-family",), _CORE),
    "oci:Core/defaultSecurityList:DefaultSecurityList": Grant(("manage virtual-network-family",), _CORE),
    "oci:Core/networkSecurityGroup:NetworkSecurityGroup": Grant(("manage virtual-network-family",), _CORE),
    "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule": Grant(
        ("manage virtual-network-family",), _CORE
    ),
    "oci:ContainerEngine/cluster:Cluster": Grant(("manage cluster-family",), _OKE),
    # Add-ons are installed on a cluster (InstallAddon is a cluster operation): cluster-family.
    "oci:ContainerEngine/addon:Addon": Grant(("manage cluster-family",), _OKE),
    # Node pools launch instances in the deploying identity's name, into the worker subnet and NSGs.
    "oci:ContainerEngine/nodePool:NodePool": Grant(
        ("manage cluster-family", "manage instance-family", "use vnics", "use subnets"), _OKE_CONFIG
    ),
    "oci:Kms/vault:Vault": Grant(("manage vaults",), _VAULT),
    "oci:Kms/key:Key": Grant(("manage keys", "use vaults"), _VAULT),
    # CreateVaultReplica / DeleteVaultReplica act on the source vault; 'manage vaults' is the widest vault verb.
    # Not confirmed against keypolicyreference.htm's permission table (not available offline): check it there.
    "oci:Kms/vaultVerification:VaultVerification": Grant(("manage vaults",), _VAULT),
    "oci:ObjectStorage/bucket:Bucket": Grant(("manage object-family",), _OBJECT),
    # The node-bootstrap PAR: CreatePreauthenticatedRequest needs PAR_MANAGE ('manage buckets'), and its object
    # comes from a HeadObject look-up (OBJECT_READ, 'read objects'); the bucket exists before the stack.
    "oci:ObjectStorage/preauthrequest:Preauthrequest": Grant(
        ("manage buckets", "read objects"), _OBJECT, "bucket"
    ),
    "oci:Artifacts/containerRepository:ContainerRepository": Grant(("manage repos",), _REGISTRY),
    "oci:Logging/logGroup:LogGroup": Grant(("manage logging-family",), _LOGGING),
    "oci:Logging/log:Log": Grant(("manage logging-family",), _LOGGING),
    "oci:Sch/connector:Connector": Grant(("manage serviceconnectors",), _SCH),
}
"""pulumi-oci type -> the statements creating, updating and deleting it takes, with the Oracle page."""

KEY_REFERENCES: tuple[tuple[str, str], ...] = (
    ("oci:ContainerEngine/cluster:Cluster", "kmsKeyId"),
    ("oci:ObjectStorage/bucket:Bucket", "kmsKeyId"),
    ("oci:ContainerEngine/nodePool:NodePool", "nodeSourceDetails.kmsKeyId"),
)
"""Inputs that attach a customer key to a resource: the caller must be able to delegate the key
(``use key-delegate``, the Vault resource type for associating a key with another service's resource:
_VAULT)."""

INSPECT_COMPARTMENTS = "inspect compartments"

CONTAINERS: dict[str, str] = {
    "oci:Logging/log:Log": "logGroupId",
    "oci:ContainerEngine/addon:Addon": "clusterId",
    "oci:Kms/vaultVerification:VaultVerification": "vaultId",
    "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule": "networkSecurityGroupId",
}
"""Types without a compartmentId input: they live in the compartment of the resource this input names (a log in
its log group's, a security rule in its NSG's, an add-on in its cluster's, a vault replica in its vault's:
pulumi_oci logging/log.py, core/network_security_group_security_rule.py, containerengine/addon.py,
kms/vault_verification.py)."""


@dataclass(frozen=True)
class Statement:
    statement: str
    compartment: str
    region: str
    why: str
    source: str


@dataclass(frozen=True)
class Permissions:
    stack: str
    home_region: str
    policies: tuple[Statement, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "cloud": "oci",
            "home_region": self.home_region,
            "policies": [vars(p) for p in self.policies],
            "notes": list(self.notes),
        }


def _oci(resources: Iterable[Resource]) -> list[Resource]:
    return [r for r in resources if r["type"].startswith("oci:") and r.get("custom", True)]


def uncovered_types(resources: Iterable[Resource]) -> list[str]:
    """pulumi-oci types in the plan without a row in :data:`TYPE_GRANTS`, sorted."""
    return sorted({r["type"] for r in _oci(resources)} - TYPE_GRANTS.keys())


class _Placement:
    """Where each planned resource lives: a compartment the stack creates (by name), the tenancy, or an
    existing compartment (by OCID)."""

    def __init__(self, resources: list[Resource]) -> None:
        # Offline ids are fabricated from type and name (sovereign.clouds.oci.offline.resource_id).
        self._by_id = {resource_id(r["type"], r["name"]): r for r in resources}
        self.created: dict[str, Resource] = {
            i: r for i, r in self._by_id.items() if r["type"] == "oci:Identity/compartment:Compartment"
        }

    def compartment_of(self, resource: Resource) -> str:
        inputs = resource.get("inputs") or {}
        if isinstance(inputs.get("compartmentId"), str):
            return inputs["compartmentId"]
        container = self._by_id.get(str(inputs.get(CONTAINERS.get(resource["type"], ""), "")))
        if container is None:
            raise ValueError(
                f"cannot tell the compartment of {resource['type']} {resource['name']}: it has no compartmentId "
                "and no planned container; add its container input to CONTAINERS in sovereign/clouds/oci/permissions.py"
            )
        return self.compartment_of(container)

    def location(self, compartment_id: str) -> tuple[str, str]:
        """(where the policy attaches, the statement's ``in ...`` clause) for resources in ``compartment_id``."""
        created = self.created.get(compartment_id)
        if created is not None:
            inputs = created.get("inputs") or {}
            attach, _ = self.location(str(inputs.get("compartmentId", "")))
            scope = "tenancy" if attach == "tenancy" else f"compartment id {attach}"
            return attach, f"{scope} where target.compartment.name = '{inputs.get('name', created['name'])}'"
        if compartment_id.startswith("ocid1.tenancy."):
            return "tenancy", "tenancy"
        return compartment_id, f"compartment id {compartment_id}"


def _home_region(resources: list[Resource]) -> tuple[str, bool]:
    """The region IAM is written in: the home-region provider's when the stack builds one, else the primary
    provider's (True: the home region was not configured apart)."""
    providers = [r for r in resources if r["type"] == "pulumi:providers:oci"]
    home = [p for p in providers if p["name"].endswith("-oci-home")]
    chosen = home or providers
    region = str(((chosen[0].get("inputs") or {}).get("region")) if chosen else "<home-region>")
    return region, not home


def _value(inputs: Mapping[str, Any], path: str) -> Any:
    current: Any = inputs
    for part in path.split("."):
        current = current.get(part) if isinstance(current, Mapping) else None
    return current


def derive(stack: str, resources: list[Resource]) -> Permissions:
    """The IAM statements ``pulumi up`` of ``stack`` needs, from its plan's resources; UncoveredTypes on a gap."""
    missing = uncovered_types(resources)
    if missing:
        raise UncoveredTypes(missing)
    oci = _oci(resources)
    placement = _Placement(oci)
    region, home_is_primary = _home_region(list(resources))
    reasons: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    sources: dict[tuple[str, str], str] = {}

    def add(attach: str, clause: str, grant: str, resource: Resource, source: str) -> None:
        key = (attach, f"Allow group {GROUP} to {grant} in {clause}")
        names = reasons[key][resource["type"].rsplit(":", 1)[-1]]
        if resource["name"] not in names:
            names.append(resource["name"])
        sources.setdefault(key, source)

    for resource in oci:
        inputs = resource.get("inputs") or {}
        grant = TYPE_GRANTS[resource["type"]]
        if grant.where == "bucket":
            attach, clause = "tenancy", f"tenancy where target.bucket.name = '{inputs.get('bucket')}'"
        else:
            where = "ocid1.tenancy." if grant.where == "tenancy" else placement.compartment_of(resource)
            attach, clause = placement.location(where)
        for pair in grant.grants:
            add(attach, clause, pair, resource, grant.source)
        for type_token, path in KEY_REFERENCES:
            if resource["type"] == type_token and _value(inputs, path):
                add(attach, clause, "use key-delegate", resource, _VAULT)
        if resource["type"] == "oci:ContainerEngine/nodePool:NodePool":
            # OKE's list of a cluster creator's rights includes 'inspect compartments' (a List operation, so
            # no target.compartment.name condition can narrow it).
            add("tenancy", "tenancy", INSPECT_COMPARTMENTS, resource, _OKE_CONFIG)

    policies = tuple(
        Statement(statement, attach, region, _why(reasons[(attach, statement)]), sources[(attach, statement)])
        for attach, statement in sorted(reasons, key=lambda k: (k[0] != "tenancy", k[0], k[1]))
    )
    notes = [
        f"'{GROUP}' is the group of the deploying user (for workload identity federation, the service user's "
        "group); in an identity domain other than Default write it '<domain>'/'<group>'.",
        f"Write every policy in the tenancy's home region ({region}): OCI accepts IAM writes only there "
        "(terraform-provider-oci#1596); statements attached to 'tenancy' go in the root compartment.",
        "Grant these before the first `pulumi up` and give IAM a minute: policy changes are eventually "
        "consistent.",
    ]
    if home_is_primary:
        notes.append(
            f"oci.home_region is not set, so {region} (the primary region) is assumed to be the home region: set "
            "oci.home_region if the tenancy's home region differs."
        )
    kubernetes = [r for r in resources if r["type"].startswith("kubernetes:") and r.get("custom", True)]
    if kubernetes:
        notes.append(
            f"{len(kubernetes)} Kubernetes objects go through the cluster's API: OKE maps only the tenancy's "
            "Administrators group to cluster-admin; bind the deploying user to a ClusterRole that can create them "
            "(https://docs.oracle.com/iaas/Content/ContEng/Concepts/contengaboutaccesscontrol.htm)."
        )
    return Permissions(stack=stack, home_region=region, policies=policies, notes=tuple(notes))


def _why(kinds: Mapping[str, list[str]]) -> str:
    parts = []
    for kind, names in sorted(kinds.items()):
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{kind} {shown}")
    return "; ".join(parts)
