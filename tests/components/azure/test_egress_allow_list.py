"""The egress allow-list is enforced where the traffic goes: rules in the hub firewall's policy."""

from __future__ import annotations

import pytest

from sovereign.types import EgressMode
from tests.components.azure.conftest import FIREWALL_POLICY_ID, at, platform_args, record_platform

GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"


def test_allow_list_destinations_become_application_rules_in_the_firewall_policy() -> None:
    recording = record_platform(platform_args(egress=EgressMode.ALLOW_LIST))
    group = recording.one(GROUP)
    assert group.get("resourceGroupName") == "hub" and group.get("firewallPolicyName") == "hub-egress", at(
        group
    )
    [collection] = group.get("ruleCollections")
    assert collection["action"] == {"type": "Allow"}, at(group)
    [rule] = collection["rules"]
    assert rule["targetFqdns"] == ["login.microsoftonline.com"], at(group)
    assert rule["protocols"] == [{"protocolType": "Https", "port": 443}], at(group)
    assert rule["sourceAddresses"] == ["10.40.0.0/16"], at(group)


def test_no_rules_without_an_allow_list() -> None:
    assert record_platform(platform_args()).of_type(GROUP) == []


def test_rejects_an_allow_list_enforced_nowhere() -> None:
    with pytest.raises(ValueError, match="exactly with egress 'allow_list'"):
        platform_args(egress=EgressMode.ALLOW_LIST, egress_firewall_policy_id=None)
    with pytest.raises(ValueError, match="not a firewall policy id"):
        platform_args(egress=EgressMode.ALLOW_LIST, egress_firewall_policy_id=FIREWALL_POLICY_ID + "/x/y")
