"""``pods-fit-a-pool`` counts requests against what one node offers, on AKS and OKE pools, and ``rollout-fits``
refuses a GPU Deployment whose surge pod at maximum replicas has no GPUs (finding K7, fr)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from components.oci.node_images import cloud_init_user_data
from sovereign.catalogue.allocatable import GIB, MIB, NodeCapacity, allocatable
from sovereign.config.loader import load_register
from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.contracts import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE, GPU_TAINT, POOL_LABEL_KEY
from sovereign.policies import PolicyContext
from sovereign.policies.pod_requests import effective_requests, parse_quantity
from sovereign.types import Cloud
from tests.config.helpers import AS_OF, CONFIG_DIR, merged
from tests.policies.test_rules import failures, view

GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
GPU_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": GPU_NODE_LABEL_KEY, "operator": "In", "values": ["true"]}]}
            ]
        }
    }
}


def context(code: str) -> PolicyContext:
    """The shipped country's context, validated by schema only (the rules under test need no invariant)."""
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    return PolicyContext.of(COUNTRY_CONFIG.validate_python(merged(code)), register, AS_OF)


def container(name: str = "app", **requests: str) -> dict[str, Any]:
    return {"name": name, "resources": {"requests": dict(requests), "limits": dict(requests)}}


def workload(pod: dict[str, Any], name: str = "app", **spec: Any) -> Any:
    return view(
        "kubernetes:apps/v1:Deployment",
        {"metadata": {"name": name, "namespace": "assistant"}, "spec": {**spec, "template": {"spec": pod}}},
        name=name,
    )


def aks(*pools: dict[str, Any]) -> list[Any]:
    """An AKS cluster: an untainted D8ds_v5 system pool (8 vCPU, 32 GiB, 128 GiB disk) plus ``pools``."""
    system = {"name": "system", "vmSize": "Standard_D8ds_v5", "count": 3, "maxPods": 30, "osDiskSizeGB": 128}
    managed = view(
        "azure-native:containerservice:ManagedCluster", {"agentPoolProfiles": [system]}, name="aks"
    )
    return [
        managed,
        *(view("azure-native:containerservice:AgentPool", p, name=p["agentPoolName"]) for p in pools),
    ]


H100_POOL = {
    "agentPoolName": "h100",
    "vmSize": "Standard_NCC40ads_H100_v5",
    "count": 0,
    "enableAutoScaling": True,
    "maxCount": 8,
    "maxPods": 30,
    "osDiskSizeGB": 128,
    "nodeTaints": [GPU_TAINT],
    "nodeLabels": {GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE},
}


def gpu_operator(ctx: PolicyContext) -> Any:
    return view(
        "kubernetes:helm.sh/v3:Release",
        {
            "chart": f"oci://{ctx.registry_prefix}/helm/gpu-operator",
            "values": {"devicePlugin": {"enabled": True}, "daemonsets": {"tolerations": [GPU_TOLERATION]}},
        },
        name="gpu-operator",
    )


def gpu_pod(gpus: str = "1") -> dict[str, Any]:
    return {
        "tolerations": [GPU_TOLERATION],
        "affinity": GPU_AFFINITY,
        "containers": [container("vllm", cpu="8000m", memory="64Gi", **{"nvidia.com/gpu": gpus})],
    }


# Requests against allocatable ---------------------------------------------------------------------------------


def test_rejects_a_pod_requesting_more_memory_than_the_largest_pool_offers() -> None:
    ctx = context("de")
    big = workload({"containers": [container(memory="40Gi")]})
    messages = failures([*aks(), big], "pods-fit-a-pool", ctx)
    assert len(messages) == 1
    assert "40.0Gi memory requested, a node offers 31.3Gi memory" in messages[0], messages[0]
    # The same pod with what a 32 GiB node keeps for pods (32 GiB - 650 MiB kube-reserved - 100 MiB) fits.
    assert (
        failures([*aks(), workload({"containers": [container(memory="31Gi")]})], "pods-fit-a-pool", ctx) == []
    )


def test_counts_the_largest_init_container_not_their_sum() -> None:
    ctx = context("de")
    inits = [container("a", memory="20Gi"), container("b", memory="20Gi")]
    fitting = workload({"initContainers": inits, "containers": [container(memory="1Gi")]})
    assert failures([*aks(), fitting], "pods-fit-a-pool", ctx) == []
    too_big = workload({"initContainers": [container("a", memory="33Gi")], "containers": [container()]})
    assert "33.0Gi memory requested" in failures([*aks(), too_big], "pods-fit-a-pool", ctx)[0]


def test_counts_ephemeral_storage_requests_but_not_empty_dir_size_limits() -> None:
    ctx = context("de")
    disk = workload({"containers": [container(**{"ephemeral-storage": "200Gi"})]})
    assert (
        "ephemeral-storage requested, a node offers 115.2Gi"
        in failures([*aks(), disk], "pods-fit-a-pool", ctx)[0]
    )
    # sizeLimit is enforced by eviction, not by the scheduler (kubernetes.io ephemeral-storage docs).
    scratch = {"containers": [container()], "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "500Gi"}}]}
    assert failures([*aks(), workload(scratch)], "pods-fit-a-pool", ctx) == []


def test_rejects_a_gpu_pod_on_a_pool_where_nothing_advertises_gpus() -> None:
    ctx = context("de")
    messages = failures([*aks(H100_POOL), workload(gpu_pod(), name="vllm")], "pods-fit-a-pool", ctx)
    assert len(messages) == 1
    assert "h100: 1 nvidia.com/gpu requested, a node offers 0 nvidia.com/gpu" in messages[0], messages[0]
    assert "nothing advertises nvidia.com/gpu on Standard_NCC40ads_H100_v5 nodes" in messages[0]
    planned = [*aks(H100_POOL), gpu_operator(ctx), workload(gpu_pod(), name="vllm")]
    assert failures(planned, "pods-fit-a-pool", ctx) == []
    # An operator whose daemonsets do not tolerate an extra taint of the pool advertises nothing there.
    tainted = {**H100_POOL, "nodeTaints": [GPU_TAINT, "dedicated=llm:NoSchedule"]}
    pod = {**gpu_pod(), "tolerations": [GPU_TOLERATION, {"key": "dedicated", "operator": "Exists"}]}
    messages = failures(
        [*aks(tainted), gpu_operator(ctx), workload(pod, name="vllm")], "pods-fit-a-pool", ctx
    )
    assert "a node offers 0 nvidia.com/gpu" in messages[0], messages


def test_rejects_more_gpus_per_pod_than_one_node_has() -> None:
    ctx = context("de")
    planned = [*aks(H100_POOL), gpu_operator(ctx), workload(gpu_pod("2"), name="vllm")]
    assert (
        "2 nvidia.com/gpu requested, a node offers 1 nvidia.com/gpu"
        in failures(planned, "pods-fit-a-pool", ctx)[0]
    )


# OKE pools -----------------------------------------------------------------------------------------------------


def oke_pool(name: str, shape: str, size: int, taints: list[str], **extra: Any) -> Any:
    labels = {POOL_LABEL_KEY: name, **({GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE} if taints else {})}
    return view(
        "oci:ContainerEngine/nodePool:NodePool",
        {
            "name": f"fr-prod-{name}",
            "nodeShape": shape,
            "initialNodeLabels": [{"key": k, "value": v} for k, v in labels.items()],
            "nodeMetadata": {"user_data": cloud_init_user_data(taints)},
            "nodeSourceDetails": {"sourceType": "IMAGE", "bootVolumeSizeInGbs": "500"},
            "nodeConfigDetails": {"size": size, "nodePoolPodNetworkOptionDetails": {"maxPodsPerNode": 31}},
            **extra,
        },
        name=f"fr-prod-{name}-pool",
    )


AUTOSCALER = view(
    "oci:ContainerEngine/addon:Addon",
    {
        "addonName": "ClusterAutoscaler",
        "configurations": [{"key": "nodes", "value": "0:1:ocid1.nodepool..x"}],
    },
    name="autoscaler",
)


GPU_PLUGIN = view(
    "oci:ContainerEngine/addon:Addon",
    {
        "addonName": "NvidiaGpuPlugin",
        "configurations": [
            {
                "key": "tolerations",
                "value": '[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]',
            }
        ],
    },
    name="gpu-plugin",
)


def oke(*, gpu_plugin: bool = True) -> list[Any]:
    system = oke_pool("system", "VM.Standard.E4.Flex", 3, [], nodeShapeConfig={"ocpus": 4, "memoryInGbs": 64})
    return [
        system,
        oke_pool("h100", "BM.GPU.H100.8", 0, [GPU_TAINT]),
        AUTOSCALER,
        *([GPU_PLUGIN] * gpu_plugin),
    ]


def test_reads_oke_taints_from_the_kubelet_arguments_and_sizes_from_the_shape() -> None:
    ctx = context("fr")
    # The GPU pool's taint is in the cloud-init user data: a pod without the toleration only fits the system
    # pool, whose flexible shape (4 OCPUs = 8 vCPUs, 64 GB) cannot hold 100 GiB.
    messages = failures(
        [*oke(), workload({"containers": [container(memory="100Gi")]})], "pods-fit-a-pool", ctx
    )
    assert len(messages) == 1, messages
    assert f"fr-prod-h100: taint {GPU_TAINT} not tolerated" in messages[0], messages[0]
    assert "fr-prod-system: 100.0Gi memory requested, a node offers" in messages[0], messages[0]
    # OKE's NvidiaGpuPlugin add-on, tolerating the pool's taint, advertises the GPUs; the inference pod fits.
    assert failures([*oke(), workload(gpu_pod("2"), name="vllm")], "pods-fit-a-pool", ctx) == []
    # Without the add-on (OKE installs it only when declared) the H100 nodes offer no nvidia.com/gpu.
    [message] = failures(
        [*oke(gpu_plugin=False), workload(gpu_pod("2"), name="vllm")], "pods-fit-a-pool", ctx
    )
    assert "nothing advertises nvidia.com/gpu on BM.GPU.H100.8 nodes" in message, message


def test_oke_user_data_without_taints_gives_an_untainted_pool() -> None:
    decoded = base64.b64decode(cloud_init_user_data([GPU_TAINT])).decode()
    assert f"--register-with-taints={GPU_TAINT}" in decoded  # the format node_pools parses
    ctx = context("fr")
    assert (
        failures([*oke(), workload({"containers": [container(memory="8Gi")]})], "pods-fit-a-pool", ctx) == []
    )


# Rollout at maximum replicas (K7) --------------------------------------------------------------------------------


def autoscaler(max_replicas: int) -> Any:
    return view(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        {
            "metadata": {"name": "assistant", "namespace": "assistant"},
            "spec": {
                "maxReplicas": max_replicas,
                "scaleTargetRef": {"kind": "Deployment", "name": "assistant"},
            },
        },
        name="hpa",
    )


def surge_strategy(surge: Any, unavailable: Any = 0) -> dict[str, Any]:
    return {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}


def test_rejects_frs_rollout_whose_surge_pod_needs_gpus_that_do_not_exist() -> None:
    ctx = context("fr")  # one BM.GPU.H100.8 (8 GPUs) at most, 2 GPUs per replica
    deployment = workload(gpu_pod("2"), name="assistant", strategy=surge_strategy(1))
    messages = failures([*oke(), deployment, autoscaler(4)], "rollout-fits", ctx)
    assert len(messages) == 1
    assert "maximum of 4 replicas (autoscaler maxReplicas 4) a rollout adds 1 surge pod(s)" in messages[0]
    assert "pools hold 4 at their maximum node count (fr-prod-h100: 4)" in messages[0], messages[0]
    # The fixes: one replica fewer, or a rollout that frees a replica first.
    assert failures([*oke(), deployment, autoscaler(3)], "rollout-fits", ctx) == []
    freeing = workload(gpu_pod("2"), name="assistant", strategy=surge_strategy(0, 1))
    assert failures([*oke(), freeing, autoscaler(4)], "rollout-fits", ctx) == []


def test_percent_surge_rounds_up_and_recreate_has_none() -> None:
    ctx = context("fr")
    by_percent = workload(gpu_pod("2"), name="assistant", strategy=surge_strategy("10%"))
    assert failures([*oke(), by_percent, autoscaler(4)], "rollout-fits", ctx)  # ceil(0.4) = 1 surge pod
    recreate = workload(gpu_pod("2"), name="assistant", strategy={"type": "Recreate"})
    assert failures([*oke(), recreate, autoscaler(4)], "rollout-fits", ctx) == []


def test_rollout_slots_are_counted_per_node() -> None:
    """Pods pack per node: 3 GPUs per pod leave 2 of a node's 8 unused, so 2 pods per node, not 8 / 3."""
    ctx = context("fr")
    deployment = workload(gpu_pod("3"), name="assistant", strategy=surge_strategy(1))
    assert failures([*oke(), deployment, autoscaler(2)], "rollout-fits", ctx)
    assert failures([*oke(), deployment, autoscaler(1)], "rollout-fits", ctx) == []


# The arithmetic, against its sources ------------------------------------------------------------------------------


def test_aks_allocatable_matches_the_documented_example() -> None:
    # node-resource-reservations.md: 8 GB VM, 30 max pods: "8 GB - 0.65 GB (kube-reserved) - 0.1 GB (eviction
    # threshold) = 7.25 GB"; 8 cores: 180 millicores kube-reserved.
    node = allocatable(NodeCapacity(Cloud.AZURE, 8, 8, 128, 30, 0, 35))
    assert node["memory"] == 8 * GIB - 650 * MIB - 100 * MIB
    assert node["cpu"] == 8000 - 180
    assert node["ephemeral-storage"] == pytest.approx(128 * GIB * 0.9)
    # A size between the table's points: 100 + 10 x cores (40 cores: 500m).
    assert allocatable(NodeCapacity(Cloud.AZURE, 40, 320, None, 30, 1))["cpu"] == 40000 - 500


def test_quantities_and_sidecars_as_kubernetes_counts_them() -> None:
    assert parse_quantity("500m") == 0.5 and parse_quantity("64Gi") == 64 * GIB and parse_quantity(2) == 2
    assert parse_quantity("1e3") == 1000 and parse_quantity("129M") == 129e6
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity("lots")
    sidecar = {**container("proxy", memory="1Gi"), "restartPolicy": "Always"}
    pod = {
        "initContainers": [sidecar, container("init", memory="4Gi")],
        "containers": [container(memory="2Gi")],
        "overhead": {"memory": "128Mi"},
    }
    # init: max(1Gi sidecar, 1Gi + 4Gi) = 5Gi; app: 1Gi sidecar + 2Gi = 3Gi; pod: 5Gi + 128Mi overhead.
    assert effective_requests(pod)["memory"] == 5 * GIB + 128 * MIB
    only_limits = {"containers": [{"name": "a", "resources": {"limits": {"cpu": "2"}}}]}
    assert effective_requests(only_limits) == {"cpu": 2000.0}


def test_unreadable_requests_are_a_finding_not_a_pass() -> None:
    ctx = context("de")
    broken = workload({"containers": [container(memory="sixty-four")]})
    assert "resource requests cannot be read" in failures([*aks(), broken], "pods-fit-a-pool", ctx)[0]
