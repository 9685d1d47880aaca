"""Every shipped stack planned offline: contract, golden component tree, sovereignty checks, isolation."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sovereign.config.loader import country_files, load_country, load_register
from sovereign.config.schema import OciCountry
from sovereign.plan.contract import PlanDocument
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate, view_of_plan_resource
from tests.config.helpers import AS_OF, CONFIG_DIR

ROOT = Path(__file__).resolve().parents[2]
STACKS = find_stacks(default_stacks_dir())


def test_every_country_has_a_prod_stack_and_every_stack_a_country() -> None:
    countries = {p.stem for p in country_files(CONFIG_DIR)}
    stacks = {(s.country, s.environment) for s in STACKS}
    assert {c for c, _ in stacks} == countries
    assert all((c, "prod") in stacks for c in countries)
    for stack in STACKS:  # and each stack's environment exists in its country file
        load_country(stack.country, stack.environment, config_dir=CONFIG_DIR, as_of=AS_OF)


def test_plans_conform_to_the_contract(plans: dict[str, dict[str, Any]]) -> None:
    assert set(plans) == {s.name for s in STACKS}
    for name, document in plans.items():
        PlanDocument.model_validate(document)
        assert document["summary"]["resources"] == len(document["resources"]) > 50, name
        urns = {r["urn"] for r in document["resources"]}
        for r in document["resources"]:
            assert (
                r["parent"] is None or r["parent"] in urns or r["parent"].endswith("::sovereign-ai-" + name)
            )
            assert all(dep in urns for dep in r["dependencies"]), r["urn"]


def test_every_shipped_stack_passes_every_sovereignty_check(plans: dict[str, dict[str, Any]]) -> None:
    for name, document in plans.items():
        failed = [c for c in document["checks"] if c["status"] == "fail"]
        assert failed == [], f"{name}: {failed}"
        assert {c["policy"] for c in document["checks"]} == {r.id for r in ALL_RULES}


def _tree(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    names = {r["urn"]: r["name"] for r in document["resources"]}
    return sorted((r["type"], r["name"], names.get(r["parent"])) for r in document["resources"])


@pytest.mark.parametrize("stack", [s.name for s in STACKS])
def test_golden_component_tree(plans: dict[str, dict[str, Any]], stack: str, snapshot: Any) -> None:
    """(type, name, parent) of every resource: a change here is a change of URNs, i.e. real resources
    destroyed and recreated. Review it; update with `pytest --snapshot-update` only when intended."""
    assert _tree(plans[stack]) == snapshot


def _views(document: dict[str, Any]) -> list[ResourceView]:
    return [view_of_plan_resource(r) for r in document["resources"]]


def _context(document: dict[str, Any]) -> PolicyContext:
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    config = load_country(document["country"], document["environment"], config_dir=CONFIG_DIR, as_of=AS_OF)
    return PolicyContext.of(config, register, AS_OF)


@pytest.mark.parametrize(
    ("stack", "resource_type", "path", "value", "policy"),
    [
        (
            "de-prod",
            "azure-native:storage:StorageAccount",
            "publicNetworkAccess",
            "Enabled",
            "no-public-endpoints",
        ),
        ("de-prod", "azure-native:storage:StorageAccount", "location", "eastus", "residency"),
        (
            "br-prod",
            "azure-native:storage:StorageAccount",
            "sku",
            {"name": "Standard_GRS"},
            "no-cross-border-replication",
        ),
        (
            "de-prod",
            "azure-native:containerservice:ManagedCluster",
            "securityProfile",
            {},
            "customer-managed-encryption",
        ),
        (
            "fr-prod",
            "oci:ContainerEngine/cluster:Cluster",
            "endpointConfig",
            {"isPublicIpEnabled": True},
            "no-public-endpoints",
        ),
        ("fr-prod", "oci:ObjectStorage/bucket:Bucket", "kmsKeyId", None, "customer-managed-encryption"),
        ("de-prod", "kubernetes:apps/v1:Deployment", "spec.template.spec.hostNetwork", True, "hardened-pods"),
        # What Azure would refuse (finding A1: the vault's auto-name, 26 > 24 characters).
        ("de-prod", "azure-native:keyvault:Vault", "vaultName", "de-prod-keys-vault-ab12cd34", "azure-names"),
        ("gb-prod", "azure-native:storage:StorageAccount", "accountName", "gb-prod-store", "azure-names"),
        ("de-prod", "azure-native:keyvault:Vault", "location", "westeurope", "key-vault-replica-in-country"),
    ],
)
def test_breaking_a_real_registration_fails_its_policy(
    plans: dict[str, dict[str, Any]], stack: str, resource_type: str, path: str, value: Any, policy: str
) -> None:
    document = copy.deepcopy(plans[stack])
    target = next(r for r in document["resources"] if r["type"] == resource_type)
    node = target["inputs"]
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    checks = evaluate([r for r in ALL_RULES if r.id == policy], _context(document), _views(document))
    assert any(c["status"] == "fail" and c["urn"] == target["urn"] for c in checks), checks


def test_prod_protects_stateful_resources_and_staging_does_not(plans: dict[str, dict[str, Any]]) -> None:
    for stack, expected in (
        ("de-prod", True),
        ("de-staging", False),
        ("fr-prod", True),
        ("fr-staging", False),
    ):
        stateful = [
            r
            for r in plans[stack]["resources"]
            if r["type"]
            in (
                "azure-native:keyvault:Vault",
                "azure-native:storage:StorageAccount",
                "oci:Kms/vault:Vault",
                "oci:ObjectStorage/bucket:Bucket",
            )
        ]
        assert stateful and all(r["protect"] is expected for r in stateful), stack
        keys = [
            r
            for r in plans[stack]["resources"]
            if r["type"] in ("azure-native:keyvault:Key", "oci:Kms/key:Key")
        ]
        # Keys outlive a destroy, except OCI staging: a retained vault keeps billing, so a staging destroy schedules
        # the vault's and keys' deletion (7-30 days pending, ScheduleVaultDeletion; components/oci/key_custody.py).
        assert keys and all(
            r["retain_on_delete"] is (expected or r["type"].startswith("azure-native")) for r in keys
        ), stack


def test_kubeconfig_export_and_secret_inputs_are_masked(plans: dict[str, dict[str, Any]]) -> None:
    text = json.dumps(plans["de-prod"])
    assert "offline-plan-placeholder" not in text
    secrets = [r for r in plans["de-prod"]["resources"] if r["type"] == "kubernetes:core/v1:Secret"]
    assert secrets and all("[secret]" in json.dumps(r["inputs"]) for r in secrets)
    assert any("chatOidcClientSecret" in note for note in plans["de-prod"]["notes"])


def test_resources_land_in_the_country(plans: dict[str, dict[str, Any]]) -> None:
    for document in plans.values():
        providers = [
            r
            for r in document["resources"]
            if r["type"] in ("pulumi:providers:azure-native", "pulumi:providers:oci")
        ]
        config = load_country(
            document["country"], document["environment"], config_dir=CONFIG_DIR, as_of=AS_OF
        )
        # OCI also has the home-region provider, through which only IAM is written (finding O1).
        home = [p for p in providers if p["name"].endswith("-oci-home")]
        [provider] = [p for p in providers if p not in home]
        region = provider["inputs"].get("location") or provider["inputs"].get("region")
        assert region == config.regions.primary
        for p in home:
            assert isinstance(config, OciCountry), p["urn"]
            assert p["inputs"]["region"] == (config.oci.home_region or config.regions.primary), p["urn"]
            used = {r["type"] for r in document["resources"] if (r["provider"] or "").startswith(p["urn"])}
            assert used and all(t.startswith(("oci:Identity/", "oci:Limits/")) for t in used), used


def test_cloud_modules_stay_apart() -> None:
    """An Azure stack's plan loads no pulumi_oci module, and an OCI stack's no pulumi_azure_native."""
    code = (
        "import sys, datetime\n"
        "from sovereign.plan.runner import plan_stack\n"
        "from sovereign.plan.stackfiles import default_stacks_dir, find_stacks\n"
        "[stack] = find_stacks(default_stacks_dir(), [sys.argv[1]])\n"
        "plan_stack(stack, as_of=datetime.date(2026, 11, 22))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('pulumi_')}))\n"
    )
    for stack, absent, present in (
        ("kr-prod", "pulumi_oci", "pulumi_azure_native"),
        ("jp-prod", "pulumi_azure_native", "pulumi_oci"),
    ):
        result = subprocess.run(
            [sys.executable, "-c", code, stack], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        loaded = result.stdout.strip().splitlines()[-1]
        assert absent not in loaded and present in loaded and "pulumi_kubernetes" in loaded, loaded


def test_the_chat_front_end_fits_no_pool_without_the_untainted_user_pool(
    plans: dict[str, dict[str, Any]],
) -> None:
    """Finding A5 on a real plan: taint the user pool like the others and the chat Deployment fits nothing."""
    document = copy.deepcopy(plans["gb-prod"])
    [user_pool] = [
        r
        for r in document["resources"]
        if r["type"] == "azure-native:containerservice:AgentPool" and r["inputs"]["agentPoolName"] == "apps"
    ]
    user_pool["inputs"]["nodeTaints"] = ["CriticalAddonsOnly=true:NoSchedule"]
    rule = [r for r in ALL_RULES if r.id == "pods-fit-a-pool"]
    failing = {
        c["urn"] for c in evaluate(rule, _context(document), _views(document)) if c["status"] == "fail"
    }
    assert any(urn.endswith("::gb-prod-assistant-chat-deployment") for urn in failing), failing
    assert [
        c
        for c in evaluate(rule, _context(plans["gb-prod"]), _views(plans["gb-prod"]))
        if c["status"] == "fail"
    ] == []
