"""Defender is the country's choice and never a control that reports nothing: off by default, refused without
egress, and with an allow-list its service's destinations are rules of the firewall policy.

Destinations: MicrosoftDocs/azure-aks-docs articles/aks/outbound-rules-control-egress.md, "Microsoft Defender
for Containers required FQDN / application rules" (login.microsoftonline.com, *.ods.opinsights.azure.com,
*.oms.opinsights.azure.com, *.cloud.defender.microsoft.com, all HTTPS:443).
"""

from __future__ import annotations

import pytest

from sovereign.engine.recorder import Recording
from sovereign.policies import ALL_RULES, evaluate, view_of_registration
from sovereign.types import EgressMode
from tests.components.azure.conftest import arm_id, at, cluster_spec, platform_args, record_platform
from tests.policies.test_rules import ctx

CLUSTER = "azure-native:containerservice:ManagedCluster"
GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
DEFENDER_HOSTS = {
    "login.microsoftonline.com",
    "*.ods.opinsights.azure.com",
    "*.oms.opinsights.azure.com",
    "*.cloud.defender.microsoft.com",
}


@pytest.fixture(scope="module")
def with_defender() -> Recording:
    """Allow-list egress (the country lists login.microsoftonline.com:443 itself) and Defender on, in the second
    deployment of the log cluster (its key applied, so the workspace writes under the country's key)."""
    return record_platform(
        platform_args(
            egress=EgressMode.ALLOW_LIST,
            cluster=cluster_spec(enable_defender=True),
            stores=(),
            logs_cluster_key_granted=True,
        )
    )


def test_defender_waits_for_the_workspace_key_in_the_first_deployment() -> None:
    first = record_platform(
        platform_args(egress=EgressMode.ALLOW_LIST, cluster=cluster_spec(enable_defender=True), stores=())
    )
    cluster = first.one(CLUSTER)
    assert cluster.get("securityProfile.defender") == {"securityMonitoring": {"enabled": False}}, at(cluster)


def _rule_check(recording: Recording) -> list[str]:
    rule = [r for r in ALL_RULES if r.id == "features-reach-their-service"]
    views = [view_of_registration(r) for r in recording.registrations]
    return [c["message"] for c in evaluate(rule, ctx(), views) if c["status"] == "fail"]


def test_defender_reports_to_the_in_country_workspace(with_defender: Recording) -> None:
    cluster = with_defender.one(CLUSTER)
    workspace = with_defender.one("azure-native:operationalinsights:Workspace")
    assert cluster.get("securityProfile.defender") == {
        "logAnalyticsWorkspaceResourceId": arm_id(
            "Microsoft.OperationalInsights/workspaces", workspace.get("workspaceName")
        ),
        "securityMonitoring": {"enabled": True},
    }, at(cluster)


def test_allow_list_gets_defenders_destinations_once(with_defender: Recording) -> None:
    group = with_defender.one(GROUP)
    [collection] = group.get("ruleCollections")
    fqdns = [fqdn for rule in collection["rules"] for fqdn in rule["targetFqdns"]]
    # The country's own entry stays first and is not duplicated; Defender's others follow it.
    assert fqdns[0] == "login.microsoftonline.com" and fqdns.count("login.microsoftonline.com") == 1, at(
        group
    )
    assert set(fqdns) == DEFENDER_HOSTS, at(group)
    for rule in collection["rules"]:
        assert rule["protocols"] == [{"protocolType": "Https", "port": 443}], at(group)
        assert rule["sourceAddresses"] == ["10.40.0.0/16"], at(group)


def test_the_plan_rule_passes_on_the_platform_and_fails_without_its_rules(with_defender: Recording) -> None:
    assert _rule_check(with_defender) == []
    without_rules = Recording(registrations=[r for r in with_defender.registrations if r.type != GROUP])
    [msg] = _rule_check(without_rules)
    assert "Microsoft Defender" in msg and "*.cloud.defender.microsoft.com:443" in msg


def test_defender_without_own_destinations_still_gets_an_allow_list() -> None:
    recording = record_platform(
        platform_args(
            egress=EgressMode.ALLOW_LIST,
            cluster=cluster_spec(enable_defender=True),
            stores=(),
            egress_destinations=[],
        )
    )
    group = recording.one(GROUP)
    [collection] = group.get("ruleCollections")
    assert {f for rule in collection["rules"] for f in rule["targetFqdns"]} == DEFENDER_HOSTS, at(group)


def test_no_defender_destinations_when_defender_is_off() -> None:
    recording = record_platform(platform_args(egress=EgressMode.ALLOW_LIST, stores=()))
    [collection] = recording.one(GROUP).get("ruleCollections")
    assert [f for rule in collection["rules"] for f in rule["targetFqdns"]] == ["login.microsoftonline.com"]


def test_rejects_defender_with_egress_none() -> None:
    with pytest.raises(ValueError, match="enable_defender: Microsoft Defender needs egress"):
        platform_args(cluster=cluster_spec(enable_defender=True))


def test_rejects_defender_with_egress_none_on_the_cluster_profile_itself() -> None:
    """A SovereignCluster built without the platform meets the same guard, in the profile builder."""
    from components.azure.cluster_profiles import security_profile

    with pytest.raises(ValueError, match="cannot reach its service with egress 'none'"):
        security_profile(
            kms_key_uri_with_version="https://v.vault.azure.net/keys/k/1",
            key_vault_id="vault",
            log_analytics_workspace_id="workspace",
            image_cleaner_interval_hours=24,
            enable_defender=True,
            egress_mode=EgressMode.NONE,
        )
