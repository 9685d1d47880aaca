"""Who a principal is, as the cloud sees it: one place that decides when two written identities are the same.

Wherever the toolkit requires "distinct" or "separate" (break-glass vs admin groups, tenants' groups, operator
access approvers, the model register's approvers) it compares these normal forms, never the text as written:
the same principal spelled differently must count once. Equality errs towards "the same": a false "same" only
makes someone name a second, evidently different principal; a false "distinct" would let one principal stand
for two. Imports nothing of the config models (``sovereign.config.base`` uses it), so it is duck-typed on the
group fields each cloud has.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from sovereign.config.errors import PathParts, Violation

__all__ = [
    "DEFAULT_OCI_DOMAIN",
    "distinct_people",
    "email_identity",
    "entra_object_id",
    "first_same_group",
    "group_identities",
    "oci_group_name",
    "person_in_group_field",
    "same_group",
]

DEFAULT_OCI_DOMAIN = "Default"
"""OCI policies read an unqualified group name as one in this identity domain: "If the policy is for the default
identity domain, you can omit <identity_domain_name>. The policy processes and interprets the policy statement as
though it was written as Default/<group_name>" (https://docs.oracle.com/iaas/Content/Identity/policysyntax/
subject.htm)."""


def email_identity(address: str) -> str:
    """The person an e-mail address stands for, for "distinct approvers": surrounding space stripped, Unicode
    NFKC (full-width 'DPO', U+FF24 U+FF30 U+FF2F, is 'DPO'), then case-folded.

    Case: RFC 5321 section 2.4 lets a server treat local parts as case-sensitive but says "exploiting the case
    sensitivity of mailbox local-parts impedes interoperability and is discouraged", and domains are not case
    sensitive; Entra ID and Exchange match addresses without case. 'Dpo@Gov.example' and 'dpo@gov.example' are
    therefore one person here. Not treated as equal: addresses that differ in anything else, including dots in
    the local part or '+tag' sub-addresses. Those conventions belong to particular mail providers, not to the
    address, so two such addresses may be two people; folding them would refuse real approver pairs.
    """
    return unicodedata.normalize("NFKC", address.strip()).casefold()


def entra_object_id(value: str) -> str:
    """An Entra object id in canonical form (lower-case, hyphenated): role assignments and AKS admin groups take
    the id, and a GUID is the same whatever its case or braces. Text that is no GUID is returned case-folded."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return value.strip().casefold()


def oci_group_name(name: str) -> str:
    """An OCI group as a policy names it, qualified by its identity domain ('x' is 'Default/x') and case-folded:
    identity domain group names are "caseExact: false" and "uniqueness: global" (display_name of the Identity
    Domains Group resource, oracle/terraform-provider-oci website/docs/r/identity_domains_group.html.markdown at
    35837df), so 'Default/Platform-Admins' and 'platform-admins' are one group."""
    domain, _, group = name.strip().rpartition("/")
    return f"{domain or DEFAULT_OCI_DOMAIN}/{group}".casefold()


def group_identities(group: Any) -> frozenset[str]:
    """Every identity of a configured group the cloud resolves it by: the Entra object id on Azure (display
    names are labels there, not identities); on OCI the domain-qualified name and, when given, the OCID (OCI
    resolves either to the same group)."""
    object_id = getattr(group, "object_id", None)
    if object_id:
        return frozenset({f"entra:{entra_object_id(object_id)}"})
    found = {f"oci-name:{oci_group_name(group.name)}"}
    ocid = getattr(group, "ocid", None)
    if ocid:
        found.add(f"ocid:{ocid.strip().casefold()}")
    return frozenset(found)


def same_group(a: Any, b: Any) -> bool:
    """Whether two configured groups are one principal (they share any identity the cloud resolves)."""
    return bool(group_identities(a) & group_identities(b))


def first_same_group(group: Any, others: Iterable[tuple[str, Any]]) -> tuple[str, str] | None:
    """(label, shared identities) of the first of ``others`` that is the same principal as ``group``."""
    mine = group_identities(group)
    for label, other in others:
        shared = mine & group_identities(other)
        if shared:
            return label, ", ".join(sorted(shared))
    return None


def person_in_group_field(value: str) -> str | None:
    """Why ``value``, written where a group is expected, is evidently a person (a user principal name or an
    e-mail address both carry '@'; no group name or group id does); None when it is not evidently one.

    Not caught: a person's Entra object id or an OCI user's bare name; offline they look like a group's."""
    if "@" in value:
        return (
            f"'{value.strip()}' is a person's sign-in name or e-mail address, not a group (access is granted "
            "to groups only, so that membership is managed, reviewed and logged in the identity provider)"
        )
    return None


def distinct_people(addresses: list[str], path: PathParts, what: str) -> Iterator[Violation]:
    """At least two people among ``addresses``, and none listed twice in another spelling (case, width, space:
    ``email_identity``)."""
    seen: dict[str, int] = {}
    for j, address in enumerate(addresses):
        key = email_identity(address)
        if key in seen:
            yield Violation(
                (*path, j),
                f"'{address}' is the same person as '{addresses[seen[key]]}' (e-mail addresses compare without "
                "case, width or surrounding space)",
                f"list a different person, or remove the repeat ({what} needs two distinct people)",
            )
        seen.setdefault(key, j)
    if len(seen) < 2:
        yield Violation(
            path,
            f"fewer than two distinct approvers for {what} ({len(seen)} distinct; allowed: at least two)",
            "list at least two different people",
        )
