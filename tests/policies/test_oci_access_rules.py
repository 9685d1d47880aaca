"""The OCI access rules (sovereign/policies/oci_access_rules.py) on the real jp-prod plan: each passes on what the
stack declares and fails on a careless or hostile edit of it, rebuilt from that plan, so a rule that cannot fail
would fail here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from sovereign.config.loader import load_country, load_register
from sovereign.plan.runner import plan_stack
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate, view_of_plan_resource
from sovereign.policies.oci_access_rules import (
    BUCKET,
    CLUSTER_ROLE_BINDING,
    OCI_ACCESS_RULES,
    POLICY,
    VAULT_REPLICA,
)
from tests.config.helpers import AS_OF, CONFIG_DIR

BREAK_GLASS_OCID = "ocid1.group.oc1..aaaaaaaajpbreakglassplaceholder"
"""The break-glass group of country_configs/jp.yaml."""


@pytest.fixture(scope="module")
def context() -> PolicyContext:
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    return PolicyContext.of(load_country("jp", "prod", config_dir=CONFIG_DIR, as_of=AS_OF), register, AS_OF)


@pytest.fixture(scope="module")
def plan() -> list[ResourceView]:
    [stack] = [s for s in find_stacks(default_stacks_dir()) if s.name == "jp-prod"]
    document = plan_stack(stack, as_of=AS_OF, config_dir=CONFIG_DIR)
    return [view_of_plan_resource(r) for r in document["resources"]]


def failures(resources: list[ResourceView], policy: str, context: PolicyContext) -> list[str]:
    [rule] = [r for r in OCI_ACCESS_RULES if r.id == policy]
    return [c["message"] for c in evaluate([rule], context, resources) if c["status"] == "fail"]


def edit(
    resources: list[ResourceView],
    match: Callable[[ResourceView], bool],
    change: Callable[[dict[str, Any]], None],
) -> list[ResourceView]:
    found = [r for r in resources if match(r)]
    assert found, "the defect must be built from a resource the plan declares"

    def changed(r: ResourceView) -> ResourceView:
        props = {**r.props}
        change(props)
        return dataclasses.replace(r, props=props)

    return [changed(r) if match(r) else r for r in resources]


def of_type(type_: str) -> Callable[[ResourceView], bool]:
    return lambda r: r.type == type_


def is_audit_bucket(r: ResourceView) -> bool:
    return (
        r.type == BUCKET and (r.get("freeformTags") or {}).get("sovereign.ai/store-purpose") == "audit_logs"
    )


def test_rules_registered_and_sovereignty_rules() -> None:
    assert all(rule in ALL_RULES for rule in OCI_ACCESS_RULES)
    assert all(rule.sovereignty for rule in OCI_ACCESS_RULES)


@pytest.mark.parametrize("policy", [r.id for r in OCI_ACCESS_RULES])
def test_the_shipped_plan_passes(plan: list[ResourceView], context: PolicyContext, policy: str) -> None:
    assert failures(plan, policy, context) == []


def test_the_break_glass_group_is_cluster_admin_by_ocid(plan: list[ResourceView]) -> None:
    [binding] = [
        r
        for r in plan
        if r.type == CLUSTER_ROLE_BINDING and r.get("metadata.name") == "sovereign-break-glass"
    ]
    assert binding.get("roleRef") == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "cluster-admin",
    }
    assert binding.get("subjects") == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": BREAK_GLASS_OCID}
    ]


def test_rejects_a_plan_without_the_break_glass_binding(
    plan: list[ResourceView], context: PolicyContext
) -> None:
    kept = [r for r in plan if r.type != CLUSTER_ROLE_BINDING]
    assert len(kept) < len(plan)
    assert any("bound to no cluster-admin" in m for m in failures(kept, "oci-break-glass-access", context))


def test_rejects_a_binding_that_names_the_group_by_display_name(
    plan: list[ResourceView], context: PolicyContext
) -> None:
    # OKE reports IAM groups to RBAC by OCID: a subject named 'jp-break-glass' matches nobody.
    def by_name(props: dict[str, Any]) -> None:
        props["subjects"] = [{**s, "name": "jp-break-glass"} for s in props["subjects"]]

    edited = edit(plan, of_type(CLUSTER_ROLE_BINDING), by_name)
    found = failures(edited, "oci-break-glass-access", context)
    assert any(
        "'jp-break-glass' is bound to cluster-admin but is not a break-glass group" in m for m in found
    )
    assert any("bound to no cluster-admin" in m for m in found)


def test_rejects_another_group_made_cluster_admin(plan: list[ResourceView], context: PolicyContext) -> None:
    def add(props: dict[str, Any]) -> None:
        props["subjects"] = [
            *props["subjects"],
            {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Group",
                "name": "ocid1.group.oc1..aaaaaaaaother",
            },
        ]

    edited = edit(plan, of_type(CLUSTER_ROLE_BINDING), add)
    assert failures(edited, "oci-break-glass-access", context) == [
        "group 'ocid1.group.oc1..aaaaaaaaother' is bound to cluster-admin but is not a break-glass group: only "
        "the (normally empty) break-glass groups hold cluster-admin"
    ]


def test_rejects_break_glass_without_key_recovery(plan: list[ResourceView], context: PolicyContext) -> None:
    def drop(props: dict[str, Any]) -> None:
        props["statements"] = [s for s in props["statements"] if BREAK_GLASS_OCID not in s]

    edited = edit(plan, lambda r: r.type == POLICY and BREAK_GLASS_OCID in str(r.get("statements")), drop)
    assert any("cannot recover keys" in m for m in failures(edited, "oci-break-glass-access", context))


def test_rejects_an_audit_bucket_whose_retention_never_locks(
    plan: list[ResourceView], context: PolicyContext
) -> None:
    def unlock(props: dict[str, Any]) -> None:
        props["retentionRules"] = [
            {k: v for k, v in rule.items() if k != "timeRuleLocked"} for rule in props["retentionRules"]
        ]

    edited = edit(plan, is_audit_bucket, unlock)
    assert any(
        "no locked retention rule" in m for m in failures(edited, "oci-audit-retention-locked", context)
    )


def test_rejects_a_lock_five_years_out_and_a_shortened_retention(
    plan: list[ResourceView], context: PolicyContext
) -> None:
    def weaken(props: dict[str, Any]) -> None:
        props["retentionRules"] = [
            {
                **rule,
                "timeRuleLocked": "2031-01-01T00:00:00Z",
                "duration": {**rule["duration"], "timeAmount": "30"},
            }
            for rule in props["retentionRules"]
        ]

    found = failures(edit(plan, is_audit_bucket, weaken), "oci-audit-retention-locked", context)
    assert any("locked retention 30 days < the store's retention_days 2555" in m for m in found)
    assert any("retention locks on 2031-01-01" in m for m in found)


def test_rejects_a_plan_without_the_audit_bucket(plan: list[ResourceView], context: PolicyContext) -> None:
    kept = [r for r in plan if not is_audit_bucket(r)]
    assert len(kept) < len(plan)
    assert failures(kept, "oci-audit-retention-locked", context) == [
        "no audit-log bucket declared for store(s) ['audit']"
    ]


def test_the_vault_is_replicated_to_the_secondary(plan: list[ResourceView]) -> None:
    [replica] = [r for r in plan if r.type == VAULT_REPLICA]
    assert replica.get("replicaRegion") == "ap-osaka-1"
    assert replica.protect, "prod keeps its key replica"
    [service] = [r for r in plan if r.type == POLICY and r.name.endswith("-key-replica-service")]
    assert [" ".join(s.split()) for s in service.get("statements")] == [
        "Allow service keymanagementservice to manage vaults in compartment id "
        f"{service.get('compartmentId')} where any {{request.region = 'NRT', request.region = 'KIX'}}"
    ]


def test_rejects_a_key_replica_abroad(plan: list[ResourceView], context: PolicyContext) -> None:
    def abroad(props: dict[str, Any]) -> None:
        props["replicaRegion"] = "ap-seoul-1"

    found = failures(edit(plan, of_type(VAULT_REPLICA), abroad), "oci-key-replica-in-country", context)
    assert any("vault replica in 'ap-seoul-1'" in m for m in found)
    assert any("no vault replica is declared there" in m for m in found)


def test_rejects_a_secondary_region_without_a_key_replica(
    plan: list[ResourceView], context: PolicyContext
) -> None:
    kept = [r for r in plan if r.type != VAULT_REPLICA]
    assert len(kept) < len(plan)
    assert failures(kept, "oci-key-replica-in-country", context) == [
        "regions.secondary is 'ap-osaka-1' but no vault replica is declared there: the keys would be lost with "
        "the primary region, so nothing restored in the secondary could be decrypted"
    ]
