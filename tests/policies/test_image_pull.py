"""Rule 'digest-pinned-images-pulled-once' (REAL_PLATFORM_FINDINGS K12).

The defect: every container of the inference pod pulled its digest-pinned image with ``Always``, so each start
asked the registry again for the 70 GB weights image the node already held.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sovereign.policies import ALL_RULES, ResourceView, evaluate
from tests.policies.test_rules import SAFE_POD, ctx, deployment

RULE = "digest-pinned-images-pulled-once"
WEIGHTS = "desovereignregistry.azurecr.io/models/llama@sha256:" + "9c" * 32


def failures(resources: list[ResourceView]) -> list[str]:
    checks = evaluate([r for r in ALL_RULES if r.id == RULE], ctx(), resources)
    return [c["message"] for c in checks if c["status"] == "fail"]


def pod(**container: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SAFE_POD)
    spec["containers"][0].update(container)
    return spec


@pytest.mark.parametrize("policy", ["Always", "Never"])
def test_a_digest_pinned_container_pulled_other_than_once_fails(policy: str) -> None:
    [message] = failures([deployment(pod(imagePullPolicy=policy))])
    assert f"container 'app' pulls its digest-pinned image with imagePullPolicy '{policy}'" in message


def test_the_old_modelcar_init_container_fails() -> None:
    spec = pod(imagePullPolicy="IfNotPresent")
    spec["initContainers"] = [{"name": "modelcar", "image": WEIGHTS, "imagePullPolicy": "Always"}]
    [message] = failures([deployment(spec)])
    assert "container 'modelcar'" in message


def test_if_not_present_and_the_default_pass() -> None:
    assert failures([deployment(pod(imagePullPolicy="IfNotPresent")), deployment(pod())]) == []


def test_a_tag_is_not_this_rules_business() -> None:
    # images-from-country-registry refuses tags; this rule only speaks about pinned references.
    assert (
        failures([deployment(pod(image="desovereignregistry.azurecr.io/app:1.0", imagePullPolicy="Always"))])
        == []
    )


def test_an_image_volume_pulled_always_fails() -> None:
    spec = pod()
    spec["volumes"] = [{"name": "weights", "image": {"reference": WEIGHTS, "pullPolicy": "Always"}}]
    [message] = failures([deployment(spec)])
    assert "image volume 'weights'" in message and "'Always'" in message
    spec["volumes"][0]["image"]["pullPolicy"] = "IfNotPresent"
    assert failures([deployment(spec)]) == []
