"""The policy pack's policies, as pulumi-policy objects, run on pulumi-policy resources (no gRPC server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
)

from sovereign.policies import ALL_RULES
from sovereign.policies.pack import build_policies

ROOT = Path(__file__).resolve().parents[2]
STACK = "urn:pulumi:de-prod::sovereign-ai::"


def resource(type_: str, name: str, props: dict[str, Any], *, protect: bool = True) -> PolicyResource:
    opts = PolicyResourceOptions(
        protect=protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=None,
    )
    return PolicyResource(
        resource_type=type_,
        props=props,
        urn=f"{STACK}{type_}::{name}",
        name=name,
        opts=opts,
        provider=None,
        parent=None,
        dependencies=[],
        property_dependencies={},
    )


def run(policy_name: str, resources: list[PolicyResource]) -> list[tuple[str, str | None]]:
    [policy] = [p for p in build_policies() if p.name == policy_name]
    reported: list[tuple[str, str | None]] = []
    policy.validate(
        StackValidationArgs(resources=resources), lambda message, urn=None: reported.append((message, urn))
    )
    return reported


def test_one_mandatory_policy_per_rule() -> None:
    policies = build_policies()
    assert [p.name for p in policies] == [r.id for r in ALL_RULES]
    assert all(p.enforcement_level == EnforcementLevel.MANDATORY for p in policies)


def test_pack_reports_a_public_vault_in_a_real_preview_shape() -> None:
    public = resource(
        "azure-native:keyvault:Vault",
        "kv",
        {"location": "germanywestcentral", "properties": {"publicNetworkAccess": "Enabled"}},
    )
    [(message, urn)] = run("no-public-endpoints", [public])
    assert "public network access" in message and urn == public.urn
    private = resource(
        "azure-native:keyvault:Vault",
        "kv",
        {"location": "germanywestcentral", "properties": {"publicNetworkAccess": "Disabled"}},
    )
    assert run("no-public-endpoints", [private]) == []


def test_pack_finds_the_country_from_the_stack_name() -> None:
    """de-prod's allowed regions come from country_configs/de.yaml: eastus is refused."""
    [(message, _)] = run(
        "residency", [resource("azure-native:storage:StorageAccount", "sa", {"location": "eastus"})]
    )
    assert "'eastus' is outside the country" in message and "germanywestcentral" in message


def test_pack_reports_resources_without_the_in_country_provider() -> None:
    [(message, _)] = run(
        "explicit-in-country-provider", [resource("azure-native:storage:StorageAccount", "sa", {})]
    )
    assert "default provider" in message


def test_pack_entry_point_is_only_built_in_its_main() -> None:
    text = (ROOT / "policy" / "__main__.py").read_text(encoding="utf-8")
    assert "PolicyPack(" in text and "build_policies()" in text
    assert "runtime:" in (ROOT / "policy" / "PulumiPolicy.yaml").read_text(encoding="utf-8")
