"""The egress allow-list is enforced where the traffic goes: rules in the hub firewall's policy."""

from __future__ import annotations

import pytest

from sovereign.clouds.azure.offline import set_offline_hub
from sovereign.types import EgressMode
from tests.components.azure.conftest import (
    FIREWALL_IP,
    FIREWALL_POLICY_ID,
    REGION,
    at,
    platform_args,
    record_platform,
)

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


def test_rejects_a_next_hop_firewall_in_another_country() -> None:
    # The policy's firewall at the next hop is in Sweden: the German platform's traffic would leave there.
    set_offline_hub(FIREWALL_IP, "swedencentral")
    with pytest.raises(ValueError, match="is in 'swedencentral', outside the country's regions"):
        record_platform(platform_args(egress=EgressMode.ALLOW_LIST))


def test_rejects_a_next_hop_that_is_not_the_policys_firewall() -> None:
    set_offline_hub("10.0.0.99", REGION)
    with pytest.raises(
        ValueError, match=f"no firewall that uses policy 'hub-egress' has the private IP {FIREWALL_IP}"
    ):
        record_platform(platform_args(egress=EgressMode.ALLOW_LIST))


def test_rules_are_written_once_the_firewall_is_confirmed() -> None:
    # The rule group's policy name comes out of the check, so the group waits for Azure's answer.
    recording = record_platform(platform_args(egress=EgressMode.ALLOW_LIST))
    assert recording.one(GROUP).get("firewallPolicyName") == "hub-egress"
