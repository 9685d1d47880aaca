"""What ``sovereign diff`` calls sovereignty-relevant is exactly what the sovereignty rules read."""

from __future__ import annotations

import pytest

from sovereign.plan.diff import is_sovereignty_relevant
from sovereign.policies import ALL_RULES


def test_every_rule_says_what_it_reads() -> None:
    assert all(rule.reads for rule in ALL_RULES), [r.id for r in ALL_RULES if not r.reads]


@pytest.mark.parametrize(
    "path",
    [
        "inputs.location",
        "provider",
        "protect",
        "inputs.encryption.keyVaultProperties.keyName",
        "inputs.properties.publicNetworkAccess",
        "inputs.sku.name",
        "inputs.spec.template.spec.containers[0].image",
        "inputs.spec.template.spec.initContainers[1].securityContext.runAsNonRoot",
        "inputs.spec.template.metadata.annotations.sovereign.ai/model-id",
        "inputs.nodeConfigDetails.kmsKeyId",
    ],
)
def test_paths_a_rule_reads_are_sovereignty_relevant(path: str) -> None:
    assert is_sovereignty_relevant(path), path


@pytest.mark.parametrize(
    "path",
    [
        "inputs.tags.owner",
        "inputs.description",
        "inputs.spec.template.spec.containers[0].args[3]",
        "inputs.name",
    ],
)
def test_other_paths_are_not(path: str) -> None:
    assert not is_sovereignty_relevant(path), path
