"""``capacity_fits`` keeps the GPUs of the rollout's surge replica free at maximum replicas (finding K7)."""

from __future__ import annotations

from sovereign.config.invariants import capacity_fits
from sovereign.config.loader import load_register
from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.contracts import INFERENCE_ROLLOUT_SURGE
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged


def _capacity(data: dict) -> list[str]:
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    return [str(v) for v in capacity_fits(COUNTRY_CONFIG.validate_python(data), register, AS_OF)]


def test_rejects_frs_four_replicas_that_leave_no_gpus_for_the_surge_replica() -> None:
    # fr before the fix: one BM.GPU.H100.8 (8 GPUs), 4 replicas x 2 GPUs, and the rollout starts a fifth.
    found = _capacity(edit(merged("fr"), {"assistant.deployments.0.replicas_max": 4}))
    assert found == [
        "cluster.gpu_pools: demand of 10 GPUs (assistant 8 at max replicas + 2 for the rollout's surge replica "
        "+ tenant quotas 0) exceeds the pools' 8 — raise node_count_max, lower replicas_max or tenant gpu_quota "
        "(a rollout at max replicas needs the GPUs of one more replica)"
    ]
    assert INFERENCE_ROLLOUT_SURGE == 1  # the message's "2" is one replica of 2 GPUs


def test_every_shipped_stack_leaves_room_for_its_rollout() -> None:
    for code, env in [("fr", "prod"), ("fr", "staging"), ("ae", "prod"), ("au", "prod"), ("no", "prod")]:
        assert _capacity(merged(code, env)) == [], (code, env)
    assert _capacity(merged("de", "staging")) == []  # 1 replica + its surge + tenant quotas 3 on 5 nodes


def test_counts_the_surge_of_every_deployment() -> None:
    """One stack update can roll every deployment at once: each needs its own surge replica."""
    second = {**merged("jp")["assistant"]["deployments"][0], "name": "second"}
    data = edit(
        merged("jp"), {"assistant.deployments": [merged("jp")["assistant"]["deployments"][0], second]}
    )
    # jp: one BM.GPU.A100-v2.8 (8 GPUs); 2 deployments x 4 replicas x 1 GPU = 8, + 2 surge = 10.
    assert any("+ 2 for the rollout's surge replica" in m for m in _capacity(data)), _capacity(data)
