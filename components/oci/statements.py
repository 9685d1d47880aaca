"""Builders for the OCI IAM policy and compartment quota statements the components declare.

Pure functions over plain strings (no Pulumi SDK): components call them inside ``Output.apply`` once the
OCIDs are known, and tests call them directly. Keeping the grammar in one place means one reviewable spot for
the two policy languages:

- IAM: ``Allow <subject> to <verb> <resource-type> in compartment id <ocid> where <condition>``; every
  statement here carries a ``request.region`` condition with region *keys* ('FRA'), so a grant is useless
  outside the country even if someone later widens the compartment.
- Quotas: ``zero <family> quotas in compartment <name> where <condition>``; conditions compare
  ``request.region`` with region *identifiers* ('eu-frankfurt-1'), as the quota documentation requires.

Non-goals: no parser or validator of arbitrary statements; no statements for services the toolkit
does not use.
"""

import re
from collections.abc import Iterable, Sequence

from components.oci.regions import region_key, require_region

__all__ = [
    "FENCED_QUOTA_FAMILIES",
    "admin_statements",
    "audit_export_statements",
    "key_access_statements",
    "quota_region_condition",
    "quota_statements",
    "repository_read_statements",
    "vault_replication_statements",
]

# Quota families zeroed outside the country: compute, storage, network and keys. Family names from the OCI quota
# reference pages (compute-core, compute-memory, compute, block-storage, object-storage, vcn,
# container-engine; load-balancer: docs.oracle.com/en-us/iaas/Content/Quotas/Concepts/loadbalancing_quotas.htm,
# "Family name: load-balancer"; kms: .../Quotas/Concepts/resourcequotas_topic-Vault_Quotas.htm, "Family name:
# kms", quotas virtual-private-vault-count and virtual-vault-count, both "Regional") and from applied fences in
# practice (filesystem). Grammar: .../Quotas/Concepts/quota_policy_syntax.htm ("zero: Removes access to a cloud
# resource for a compartment"; conditions "request.region and request.ad"). A family name OCI does not know makes
# it reject the whole quota, so only documented names go here: the network load balancer and Generative AI
# families are not listed until their quota pages are confirmed.
FENCED_QUOTA_FAMILIES: tuple[str, ...] = (
    "compute-core",
    "compute-memory",
    "compute",
    "block-storage",
    "object-storage",
    "filesystem",
    "vcn",
    "load-balancer",
    "container-engine",
    "kms",
)

_GROUP = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?")
_GROUP_OCID = re.compile(r"ocid1\.group\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+")
_COMPARTMENT_PATH = re.compile(r"[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*")
_FAMILY = re.compile(r"[a-z0-9-]+")


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _literal(value: str, what: str) -> str:
    """Quote a value for a policy statement; a quote inside it would let it rewrite the statement."""
    if not value or "'" in value or "\n" in value:
        raise ValueError(
            f"{what}: {value!r} cannot be used in a policy statement (empty, or contains a quote)"
        )
    return f"'{value}'"


def quota_region_condition(allowed_regions: Sequence[str]) -> str:
    """True for requests in any region *outside* ``allowed_regions`` (quotas use region identifiers)."""
    regions = _unique(require_region(r, "allowed_regions") for r in allowed_regions)
    if not regions:
        raise ValueError("allowed_regions: at least one in-country region is required")
    clauses = [f"request.region != '{region}'" for region in regions]
    return clauses[0] if len(clauses) == 1 else "all {" + ", ".join(clauses) + "}"


def quota_statements(
    *, compartment_path: str, allowed_regions: Sequence[str], families: Sequence[str] = FENCED_QUOTA_FAMILIES
) -> list[str]:
    """Zero every family in ``families`` for the compartment in all regions but the allowed ones."""
    if not _COMPARTMENT_PATH.fullmatch(compartment_path):
        raise ValueError(
            f"compartment_path: {compartment_path!r} is not a compartment name or colon-separated path "
            "(allowed characters: letters, digits, '.', '_', '-'; for example 'sovereign:de-prod')"
        )
    bad = [f for f in families if not _FAMILY.fullmatch(f)]
    if bad or not families:
        raise ValueError(
            f"quota_families: invalid or empty family names {bad!r} (for example 'compute-core')"
        )
    condition = quota_region_condition(allowed_regions)
    return [
        f"zero {family} quotas in compartment {compartment_path} where {condition}"
        for family in _unique(families)
    ]


def _group_subject(group: str) -> str:
    # OCI refuses a policy naming a group that does not exist, and the toolkit creates no groups (they belong to
    # the identity domain): the stack names existing groups by OCID, "group id <group_ocid>" (Oracle, Policy
    # Syntax, Subjects: https://docs.oracle.com/iaas/Content/Identity/policysyntax/subject.htm).
    if group.startswith("ocid1."):
        if not _GROUP_OCID.fullmatch(group):
            raise ValueError(f"admin_groups: {group!r} is not a group OCID ('ocid1.group.<realm>..<id>')")
        return f"group id {group}"
    if not _GROUP.fullmatch(group):
        raise ValueError(
            f"admin_groups: {group!r} is not a group name or 'Domain/Group' (letters, digits, '.', '_', '-')"
        )
    if "/" in group:
        domain, name = group.split("/", 1)
        return f"group '{domain}'/'{name}'"  # identity-domain form
    return f"group {group}"  # default domain; the name is validated to plain characters


# Policy writes are excluded from the admins' grant: with them, an admin could attach a new policy to the
# compartment without the region condition and lift the fence.
_NO_POLICY_WRITES = ("POLICY_CREATE", "POLICY_UPDATE", "POLICY_DELETE")


def admin_statements(*, groups: Sequence[str], compartment_id: str, regions: Sequence[str]) -> list[str]:
    """Let the country's admin groups manage the country compartment, only from in-country regions.

    One statement per group and region (statements add up; conditions do not nest), each also excluding
    policy writes.
    """
    if not groups:
        raise ValueError("admin_groups: at least one country admin group is required")
    keys = _unique(region_key(r) for r in regions)
    if not keys:
        raise ValueError("allowed_regions: at least one in-country region is required")
    _literal(compartment_id, "compartment_id")
    no_policy_writes = ", ".join(f"request.permission != '{p}'" for p in _NO_POLICY_WRITES)
    return [
        f"Allow {_group_subject(g)} to manage all-resources in compartment id {compartment_id} "
        f"where all {{request.region = '{key}', {no_policy_writes}}}"
        for g in _unique(groups)
        for key in keys
    ]


def key_access_statements(
    *,
    compartment_id: str,
    region: str,
    cluster_group: str,
    worker_group: str,
    cluster_secrets_key_id: str,
    volume_key_id: str,
    object_storage_key_id: str,
    image_signing_key_id: str | None,
) -> list[str]:
    """Grant OKE, Block Volume and Object Storage use of exactly these keys, in the key's region only.

    Statements follow the OKE documentation (cluster dynamic group for secrets encryption and image
    verification; ``oke``/``blockstorage`` services and the worker dynamic group for boot volumes) and the
    Object Storage documentation (service principal ``objectstorage-<region>``).

    Since 15 August 2024 OKE also needs the key delegated to the node pool and cluster principals: "Allow
    any-user to use key-delegates in compartment <c> where ALL {request.principal.type='nodepool',
    target.key.id = '<key_OCID>'}" for boot volumes, and the same with ``'cluster'`` for block volumes (PVCs)
    (Oracle, "Policy Configuration for Cluster Creation and Deployment",
    https://docs.oracle.com/en-us/iaas/Content/ContEng/Concepts/contengpolicyconfig.htm, "Create Policy to Access
    User-Managed Encryption Keys"; it keeps the older ``service oke`` statement alongside). The storage class
    encrypts PVCs with the volume key, so both name it.
    """
    _literal(compartment_id, "compartment_id")
    where_region = f"request.region = '{region_key(region)}'"

    def on_key(key_id: str) -> str:
        return f"where all {{target.key.id = {_literal(key_id, 'key id')}, {where_region}}}"

    def delegated_to(principal: str, key_id: str) -> str:
        return (
            f"Allow any-user to use key-delegates {scope} where all {{request.principal.type = '{principal}', "
            f"target.key.id = {_literal(key_id, 'key id')}, {where_region}}}"
        )

    scope = f"in compartment id {compartment_id}"
    statements = [
        f"Allow dynamic-group {cluster_group} to use keys {scope} {on_key(cluster_secrets_key_id)}",
        f"Allow service oke to use key-delegates {scope} {on_key(volume_key_id)}",
        f"Allow service blockstorage to use keys {scope} {on_key(volume_key_id)}",
        f"Allow dynamic-group {worker_group} to use key-delegates {scope} {on_key(volume_key_id)}",
        delegated_to("nodepool", volume_key_id),
        delegated_to("cluster", volume_key_id),
        f"Allow service objectstorage-{region} to use keys {scope} {on_key(object_storage_key_id)}",
    ]
    if image_signing_key_id is not None:
        statements.append(
            f"Allow dynamic-group {cluster_group} to use keys {scope} {on_key(image_signing_key_id)}"
        )
    return statements


def repository_read_statements(
    *, dynamic_groups: Sequence[str], compartment_id: str, region: str
) -> list[str]:
    """Let clusters (image verification) and worker nodes (kubelet pulls) read the repositories."""
    if not dynamic_groups:
        raise ValueError(
            "reader_dynamic_groups: at least one reader (the cluster or worker dynamic group) is needed"
        )
    _literal(compartment_id, "compartment_id")
    return [
        f"Allow dynamic-group {group} to read repos in compartment id {compartment_id} "
        f"where request.region = '{region_key(region)}'"
        for group in _unique(dynamic_groups)
    ]


def audit_export_statements(*, compartment_id: str, bucket_name: str, region: str) -> list[str]:
    """Let the compartment's service connectors write objects to the audit bucket only (SCH's pattern)."""
    return [
        "Allow any-user to manage objects in compartment id "
        f"{compartment_id} where all {{request.principal.type = 'serviceconnector', "
        f"target.bucket.name = {_literal(bucket_name, 'audit_bucket_name')}, "
        f"request.principal.compartment.id = {_literal(compartment_id, 'compartment_id')}, "
        f"request.region = '{region_key(region)}'}}"
    ]


def vault_replication_statements(*, compartment_id: str, region: str, replica_region: str) -> list[str]:
    """Let the Vault service manage the country's vaults so it can create and keep the replica in
    ``replica_region``: "you must also write a policy that gives the Vault service the ability to do everything
    with vaults so it can create and manage vaults on your behalf during replication" (Oracle, "Replicating
    Vaults and Keys", docs.oracle.com/en-us/iaas/Content/KeyManagement/Tasks/replicatingvaults.htm). The subject
    is ``service keymanagementservice``, as Oracle's landing zone writes it ("Allow service keymanagementservice
    to manage vaults in compartment ...": oci-landing-zones/oci-scca-landingzone, Mission_Owner_SCCA_(SCCAv1)/
    iam.tf, vault_policy). Scoped to the country compartment and to the two regions the replication spans."""
    _literal(compartment_id, "compartment_id")
    keys = _unique(region_key(r) for r in (region, replica_region))
    if len(keys) != 2:
        raise ValueError(
            f"replica_region: {replica_region!r} is the vault's own region (allowed: another region)"
        )
    regions = ", ".join(f"request.region = '{k}'" for k in keys)
    scope = f"in compartment id {compartment_id}"
    return [f"Allow service keymanagementservice to manage vaults {scope} where any {{{regions}}}"]
