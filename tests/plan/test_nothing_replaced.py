"""The redesign replaces no real resource: every URN a shipped stack had before it is still answered to.

``urns_before_redesign/<stack>.txt`` holds the URNs of each stack as planned at 35d46a0, before the L3
platforms. Each must be a URN of the current plan or an alias of one (the engine then finds the old state and
updates in place). Resources removed on purpose are listed below with the reason; anything else missing would
be a replacement of real infrastructure.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sovereign.clouds.azure.facts import LOGS_KEY_GRANTED_CONFIG
from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import PROJECT, default_stacks_dir, find_stacks
from tests.config.helpers import AS_OF, CONFIG_DIR

BEFORE = Path(__file__).parent / "urns_before_redesign"
STACKS = [s.name for s in find_stacks(default_stacks_dir())]


def _removed_on_purpose(urn: str) -> bool:
    """The Managed HSM private DNS zone and its link: validation refuses Managed HSM custody, so the zone
    served nothing (a code path no config could reach, removed with it). The inference HPA on CPU (finding
    K11): KEDA's ScaledObject of the same name takes it over (components/kubernetes/autoscaling.py
    ``HPA_TRANSFER_ANNOTATION``); a different type cannot be an alias. The registry repository of jais-30b-chat:
    the model left the register (vLLM removed its architecture in 0.22 and it needed trust_remote_code), ae now
    serves Falcon-H1, and a repository of a model nobody serves holds nothing to keep. The tenants' egress to the
    model servers (finding K15): tenants reach the model through the tenant gateway only, never directly."""
    name = urn.rsplit("::", 1)[-1]
    if (
        "sovereign:kubernetes:TenantNamespace$kubernetes:networking.k8s.io/v1:NetworkPolicy::" in urn
        and name.endswith("-allow-assistant")
    ):
        return True
    if "$oci:Artifacts/containerRepository:ContainerRepository::" in urn and name.endswith(
        "-models-jais-30b-chat"
    ):
        return True
    if "$kubernetes:autoscaling/v2:HorizontalPodAutoscaler::" in urn and name.endswith("-autoscaler"):
        return True
    return name.endswith(("-net-dns-managed-hsm", "-net-dns-managed-hsm-link"))


@pytest.fixture(scope="module")
def steady_plans(plans: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each stack as it stands after every staged deployment: Azure stacks with customer-keyed logs take two
    `pulumi up` runs (the log cluster's key after its grant: sovereign.clouds.azure.facts), and only the second
    has the workspace link and the AKS diagnostic setting that the stacks had before the redesign."""
    staged = [
        replace(s, config={**s.config, f"{PROJECT}:{LOGS_KEY_GRANTED_CONFIG}": "true"})
        for s in find_stacks(default_stacks_dir())
        if plans[s.name]["cloud"] == "azure"
    ]
    second = {d["stack"]: d for d in plan_stacks(staged, as_of=AS_OF, config_dir=CONFIG_DIR)}
    return {name: second.get(name, document) for name, document in plans.items()}


@pytest.mark.parametrize("stack", STACKS)
def test_every_urn_of_before_the_redesign_is_kept(
    steady_plans: dict[str, dict[str, Any]], stack: str
) -> None:
    before = (BEFORE / f"{stack}.txt").read_text(encoding="utf-8").split()
    assert len(before) > 50, stack
    answered = {r["urn"] for r in steady_plans[stack]["resources"]}
    answered |= {alias for r in steady_plans[stack]["resources"] for alias in r["aliases"]}
    lost = [urn for urn in before if urn not in answered and not _removed_on_purpose(urn)]
    assert lost == [], f"{stack}: these resources would be replaced (add aliases): {lost}"


def test_the_l2_components_moved_under_the_platform_through_an_alias(
    plans: dict[str, dict[str, Any]],
) -> None:
    document = plans["de-prod"]
    moved = [r for r in document["resources"] if r["type"] == "sovereign:azure:KeyCustody"]
    assert len(moved) == 1
    [keys] = moved
    assert "sovereign:azure:AzurePlatform$" in keys["urn"]
    assert any(
        alias.endswith("pulumi:pulumi:Stack$sovereign:azure:KeyCustody::de-prod-keys")
        for alias in keys["aliases"]
    ), keys


def test_the_second_deployment_of_each_azure_stack_passes_every_check(
    steady_plans: dict[str, dict[str, Any]],
) -> None:
    for name, document in steady_plans.items():
        failed = [c for c in document["checks"] if c["status"] == "fail"]
        assert failed == [], f"{name}: {failed}"
        if document["cloud"] == "azure":
            types = {r["type"] for r in document["resources"]}
            assert "azure-native:operationalinsights:LinkedService" in types, name
            assert "azure-native:monitor:DiagnosticSetting" in types, name
