"""``pods-fit-a-pool`` refuses a plan whose workloads fit no node pool (finding A5), and accepts the fix."""

from __future__ import annotations

from typing import Any

from sovereign.contracts import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE, GPU_TAINT
from tests.policies.test_rules import failures, view

SYSTEM = {"name": "system", "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"]}
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}


def cluster(*extra_pools: dict[str, Any]) -> list[Any]:
    managed = view(
        "azure-native:containerservice:ManagedCluster", {"agentPoolProfiles": [SYSTEM]}, name="aks"
    )
    pools = [
        view(
            "azure-native:containerservice:AgentPool",
            {"agentPoolName": p["name"], "nodeTaints": p.get("taints"), "nodeLabels": p.get("labels")},
            name=f"aks-{p['name']}",
        )
        for p in extra_pools
    ]
    return [managed, *pools]


GPU_POOL = {"name": "h100", "taints": [GPU_TAINT], "labels": {GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE}}


def workload(pod: dict[str, Any], name: str = "chat") -> Any:
    return view("kubernetes:apps/v1:Deployment", {"spec": {"template": {"spec": pod}}}, name=name)


def test_rejects_the_chat_front_end_with_only_system_and_gpu_pools() -> None:
    messages = failures([*cluster(GPU_POOL), workload({"containers": [{"name": "ui"}]})], "pods-fit-a-pool")
    assert len(messages) == 1
    assert "would stay Pending" in messages[0] and "CriticalAddonsOnly=true:NoSchedule" in messages[0]


def test_accepts_the_chat_front_end_once_an_untainted_user_pool_exists() -> None:
    resources = [*cluster(GPU_POOL, {"name": "apps"}), workload({"containers": [{"name": "ui"}]})]
    assert failures(resources, "pods-fit-a-pool") == []


def test_gpu_workloads_need_the_toleration_and_the_pool_label() -> None:
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": GPU_NODE_LABEL_KEY, "operator": "In", "values": ["true"]}]}
                ]
            }
        }
    }
    fitting = workload({"tolerations": [GPU_TOLERATION], "affinity": affinity}, name="vllm")
    assert failures([*cluster(GPU_POOL), fitting], "pods-fit-a-pool") == []
    # The label without the toleration, or a selector no pool carries, fits nothing.
    untolerated = workload({"affinity": affinity}, name="vllm")
    assert len(failures([*cluster(GPU_POOL, {"name": "apps"}), untolerated], "pods-fit-a-pool")) == 1
    elsewhere = workload({"nodeSelector": {"pool": "missing"}}, name="x")
    assert len(failures([*cluster(GPU_POOL, {"name": "apps"}), elsewhere], "pods-fit-a-pool")) == 1
