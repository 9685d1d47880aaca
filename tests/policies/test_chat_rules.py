"""Rules 'prod-chat-reachable' and 'idp-egress-allowed', and the validation invariant 'chat_is_reachable'.

The defects (REAL_PLATFORM_FINDINGS K1, K2): the prod chat had no Ingress and WEBUI_URL=http://localhost:8080,
and its NetworkPolicy admitted only the model servers, so Open WebUI could not fetch the issuer's metadata nor
exchange the code. The shipped prod stacks now pass; each test below rebuilds the old defect and fails.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from sovereign.config.invariants import chat_is_reachable
from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR, DELETE, edit, merged
from tests.plan.test_plan import _context, _views
from tests.policies.test_rules import view

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
ROUTES = "azure-native:network:RouteTable"
FIREWALL = "azure-native:network:FirewallPolicyRuleCollectionGroup"
NSG = "oci:Core/networkSecurityGroup:NetworkSecurityGroup"
NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
PUBLIC_IDP = "20.190.128.0/28"


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    names = ("de-prod", "fr-prod", "de-staging")
    stacks = [s for s in find_stacks(default_stacks_dir()) if s.name in names]
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}


def fails(rule: str, ctx: PolicyContext, views: list[ResourceView]) -> list[str]:
    checks = evaluate([r for r in ALL_RULES if r.id == rule], ctx, views)
    return [c["message"] for c in checks if c["status"] == "fail"]


def with_chat(ctx: PolicyContext, **changes: Any) -> PolicyContext:
    """The stack's context with edited ``assistant.chat`` settings (the country file as it might be written)."""
    assert ctx.config.assistant is not None
    chat = ctx.config.assistant.chat.model_copy(update=changes)
    assistant = ctx.config.assistant.model_copy(update={"chat": chat})
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"assistant": assistant}))


def replaced(views: list[ResourceView], target: ResourceView, props: dict[str, Any]) -> list[ResourceView]:
    return [dataclasses.replace(v, props=props) if v.urn == target.urn else v for v in views]


def chat_policy(views: list[ResourceView]) -> ResourceView:
    [policy] = [v for v in views if v.type == NETPOL and v.get("metadata.name") == "chat-allowed-flows"]
    return policy


def chat_deployment(views: list[ResourceView]) -> ResourceView:
    [deployment] = [v for v in views if v.type == DEPLOYMENT and v.get("metadata.name") == "chat"]
    return deployment


def egress_with(views: list[ResourceView], *extra: dict[str, Any]) -> list[ResourceView]:
    """The chat policy with only its model-server egress (the old policy), plus ``extra`` rules."""
    policy = chat_policy(views)
    props = copy.deepcopy(dict(policy.props))
    props["spec"]["egress"] = [
        r for r in props["spec"]["egress"] if any("podSelector" in t and "vllm" in str(t) for t in r["to"])
    ] + list(extra)
    return replaced(views, policy, props)


def to_cidr(cidr: str) -> dict[str, Any]:
    return {"to": [{"ipBlock": {"cidr": cidr}}], "ports": [{"protocol": "TCP", "port": 443}]}


# --- the shipped stacks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["de-prod", "fr-prod", "de-staging"])
def test_shipped_stacks_pass(plans, stack: str) -> None:
    document = plans[stack]
    views = _views(document)
    for rule in ("prod-chat-reachable", "idp-egress-allowed"):
        assert fails(rule, _context(document), views) == [], (stack, rule)


# --- prod-chat-reachable -----------------------------------------------------------------------------------


def test_a_prod_chat_without_its_ingress_fails(plans) -> None:
    """K2 as it was: the Service existed, no Ingress led to it."""
    document = plans["de-prod"]
    views = [v for v in _views(document) if v.type != INGRESS]
    [message] = fails("prod-chat-reachable", _context(document), views)
    assert "prod chat front end 'assistant/chat' is not reachable: no Ingress" in message
    assert "assistant.chat.internal_exposure" in message  # how to fix


def test_a_prod_chat_whose_url_is_localhost_fails(plans) -> None:
    document = plans["de-prod"]
    views = _views(document)
    deployment = chat_deployment(views)
    props = copy.deepcopy(dict(deployment.props))
    for variable in props["spec"]["template"]["spec"]["containers"][0]["env"]:
        if variable["name"] == "WEBUI_URL":
            variable["value"] = "http://localhost:8080"
    [message] = fails("prod-chat-reachable", _context(document), replaced(views, deployment, props))
    assert (
        "WEBUI_URL 'http://localhost:8080' but is reached at https://assistant.internal.de.gov.example"
        in message
    )


def test_staging_needs_no_ingress(plans) -> None:
    document = plans["de-staging"]
    views = _views(document)
    assert not any(v.type == INGRESS for v in views)
    assert fails("prod-chat-reachable", _context(document), views) == []


# --- idp-egress-allowed ------------------------------------------------------------------------------------


def test_a_chat_policy_admitting_only_the_model_servers_fails(plans) -> None:
    """K1 as it was: de-prod's chat policy without the identity provider's range."""
    document = plans["de-prod"]
    views = egress_with(_views(document))
    [message] = fails("idp-egress-allowed", _context(document), views)
    assert "no egress rule admits the identity provider's range 10.250.1.0/28 on TCP 443" in message


def test_a_country_naming_no_identity_provider_fails(plans) -> None:
    document = plans["de-prod"]
    ctx = with_chat(_context(document), identity_provider_cidrs=[])
    [message] = fails("idp-egress-allowed", ctx, egress_with(_views(document)))
    assert (
        "signs in through login.de.gov.example but the country names neither its ranges nor its pods"
        in message
    )


def test_an_in_cluster_provider_needs_its_selector_rule(plans) -> None:
    document = plans["fr-prod"]
    views = _views(document)
    assert fails("idp-egress-allowed", _context(document), views) == []
    [message] = fails("idp-egress-allowed", _context(document), egress_with(views))
    assert "no egress rule admits the identity provider's pods in namespace 'identity'" in message


def test_azure_egress_none_drops_a_public_provider(plans) -> None:
    document = plans["de-prod"]
    ctx = with_chat(_context(document), identity_provider_cidrs=[PUBLIC_IDP])
    [message] = fails("idp-egress-allowed", ctx, egress_with(_views(document), to_cidr(PUBLIC_IDP)))
    assert "route 0.0.0.0/0 drops it (egress 'none')" in message


def test_azure_allow_list_needs_a_firewall_rule_for_the_issuer(plans) -> None:
    document = plans["de-prod"]
    ctx = with_chat(_context(document), identity_provider_cidrs=[PUBLIC_IDP])
    views = egress_with(_views(document), to_cidr(PUBLIC_IDP))
    [table] = [v for v in views if v.type == ROUTES]
    to_firewall = {
        **table.props,
        "routes": [{"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}],
    }
    views = replaced(views, table, to_firewall)
    [message] = fails("idp-egress-allowed", ctx, views)
    assert "no application rule for login.de.gov.example on HTTPS 443" in message

    def firewall(fqdn: str) -> ResourceView:
        rule = {
            "ruleType": "ApplicationRule",
            "targetFqdns": [fqdn],
            "protocols": [{"protocolType": "Https", "port": 443}],
        }
        collection = {"action": {"type": "Allow"}, "rules": [rule]}
        return view(FIREWALL, {"ruleCollections": [collection]}, name="egress")

    assert fails("idp-egress-allowed", ctx, [*views, firewall("login.de.gov.example")]) == []
    assert fails("idp-egress-allowed", ctx, [*views, firewall("*.gov.example")]) == []
    assert fails("idp-egress-allowed", ctx, [*views, firewall("login.fr.gov.example")]) != []


def test_oci_pods_reach_a_range_only_through_their_nsg_and_a_route(plans) -> None:
    document = plans["fr-prod"]
    cidr = "10.250.1.0/28"
    ctx = with_chat(_context(document), identity_provider_cidrs=[cidr], identity_provider_in_cluster=None)
    views = egress_with(_views(document), to_cidr(cidr))
    [message] = fails("idp-egress-allowed", ctx, views)
    assert (
        "10.250.1.0/28 is not reachable: OKE pods have no egress rule in the pods' NSG and no route"
        in message
    )
    [pods] = [v for v in views if v.type == NSG and str(v.get("displayName")).endswith("-pods")]
    egress = view(
        NSG_RULE,
        {"direction": "EGRESS", "destinationType": "CIDR_BLOCK", "destination": cidr, "protocol": "6",
         "tcpOptions": {"destinationPortRange": {"min": 443, "max": 443}}},
        name="pods-out-idp",
        dependencies=(pods.urn,),
    )  # fmt: skip
    [message] = fails("idp-egress-allowed", ctx, [*views, egress])
    assert "OKE pods have no route to it" in message
    [table] = [v for v in views if v.type == "oci:Core/routeTable:RouteTable"]
    route = {
        "destination": "10.250.0.0/16",
        "destinationType": "CIDR_BLOCK",
        "networkEntityId": "ocid1.drg.oc1..x",
    }
    routed = replaced(views, table, {**table.props, "routeRules": [*table.props["routeRules"], route]})
    assert fails("idp-egress-allowed", ctx, [*routed, egress]) == []


# --- validation: chat_is_reachable -------------------------------------------------------------------------


def refusals(data: dict[str, Any]) -> list[str]:
    return [str(v) for v in chat_is_reachable(COUNTRY_CONFIG.validate_python(data), None, AS_OF)]  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["ae", "au", "br", "de", "fr", "gb", "in", "jp", "kr", "no"])
def test_shipped_countries_are_reachable_and_can_sign_in(code: str) -> None:
    assert refusals(merged(code)) == []


def test_a_prod_chat_without_exposure_is_refused() -> None:
    [message] = refusals(edit(merged("de"), {"assistant.chat.internal_exposure": DELETE}))
    assert message.startswith("assistant.chat.internal_exposure: the prod chat has no exposure")
    assert "set assistant.chat.internal_exposure: hostname" in message
    assert refusals(edit(merged("de", "staging"), {})) == []  # outside prod: port-forward only is allowed


def test_both_exposures_at_once_are_refused() -> None:
    public = {
        "hostname": "assistent.de.gov.example",
        "ingress_class_name": "nginx",
        "ingress_controller_namespace": "ingress-nginx",
        "tls_secret_name": "assistent-tls",
        "justification": "Citizens reach the assistant from home, reviewed by the DPO.",
    }
    [message] = refusals(edit(merged("de"), {"assistant.chat.public_exposure": public}))
    assert "both internal_exposure and public_exposure are set" in message


def test_an_identity_provider_that_cannot_be_reached_is_refused() -> None:
    [message] = refusals(edit(merged("de"), {"assistant.chat.identity_provider_cidrs": []}))
    assert message.startswith(
        "assistant.chat.identity_provider_cidrs: the identity provider https://login.de"
    )
    assert "cannot be reached" in message and "identity_provider_in_cluster" in message
    [message] = refusals(edit(merged("fr"), {"assistant.chat.identity_provider_in_cluster": DELETE}))
    assert "cannot be reached" in message


def test_admin_roles_cannot_be_empty_or_carry_the_separator() -> None:
    with pytest.raises(ValueError, match="admin_roles"):
        COUNTRY_CONFIG.validate_python(edit(merged("de"), {"assistant.chat.admin_roles": []}))
    with pytest.raises(ValueError, match="admin_roles"):
        COUNTRY_CONFIG.validate_python(edit(merged("de"), {"assistant.chat.admin_roles": ["a,b"]}))
