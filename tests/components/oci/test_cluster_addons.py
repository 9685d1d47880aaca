"""OKE cluster add-ons (findings O8, O9): the autoscaler on the GPU pools, with its workload-identity grant in
the home region, and the metrics server.

Oracle, "Working with the Cluster Autoscaler as a Cluster Add-on": ``nodes`` = ``<min>:<max>:<nodepool-ocid>``,
comma separated; ``authType`` = ``workload``; the six ``any-user`` statements conditioned on the workload
principal ``kube-system/cluster-autoscaler`` of the cluster.
"""

from __future__ import annotations

import json

import pytest

from components.oci import NodePoolSpec
from components.oci.cluster_addons import (
    AutoscaledPool,
    autoscaler_nodes,
    autoscaler_statements,
    gpu_plugin_tolerations,
)
from sovereign.contracts import GPU_TAINT
from sovereign.policies.node_pools import tolerates
from tests.components.oci.helpers import at, offline_id, platform_args, record_platform

ADDON = "oci:ContainerEngine/addon:Addon"
POOL = "oci:ContainerEngine/nodePool:NodePool"
POLICY = "oci:Identity/policy:Policy"


POOLS = [
    NodePoolSpec(name="system", shape="VM.Standard.E4.Flex", node_count=3, ocpus=4, memory_gib=64),
    NodePoolSpec(name="h100", shape="BM.GPU.H100.8", node_count=0, node_count_max=2),
]


def autoscaled_platform():
    return record_platform(platform_args(node_pools=POOLS))


def test_statements_are_oracles_grants_on_the_workload_principal_in_the_region() -> None:
    statements = autoscaler_statements(
        compartment_id="ocid1.compartment.oc1..c", cluster_id="ocid1.cluster.oc1..k", region="eu-paris-1"
    )
    grants = [s.split(" in compartment")[0].removeprefix("Allow any-user to ") for s in statements]
    assert grants == [
        "manage cluster-node-pools",
        "manage instance-family",
        "use subnets",
        "read virtual-network-family",
        "use vnics",
        "inspect compartments",
    ]
    for s in statements:
        assert "in compartment id ocid1.compartment.oc1..c where all {" in s
        assert "request.principal.type = 'workload'" in s
        assert "request.principal.namespace = 'kube-system'" in s
        assert "request.principal.service_account = 'cluster-autoscaler'" in s
        assert "request.principal.cluster_id = 'ocid1.cluster.oc1..k'" in s
        assert "request.region = 'CDG'" in s


def test_a_quote_cannot_rewrite_a_statement() -> None:
    with pytest.raises(ValueError, match="cluster_id"):
        autoscaler_statements(
            compartment_id="ocid1.compartment.oc1..c", cluster_id="x' or 'a'='a", region="eu-paris-1"
        )


def test_nodes_value_is_oracles_format() -> None:
    assert autoscaler_nodes([(0, 2, "ocid1.nodepool.a"), (1, 5, "ocid1.nodepool.b")]) == (
        "0:2:ocid1.nodepool.a, 1:5:ocid1.nodepool.b"
    )


@pytest.mark.parametrize(("low", "high"), [(2, 2), (3, 1), (-1, 2)])
def test_an_autoscaled_pool_needs_a_range(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="node_count_min < node_count_max"):
        AutoscaledPool("h100", "ocid1.nodepool.x", low, high)


def test_node_pool_spec_refuses_a_max_not_above_the_size() -> None:
    with pytest.raises(ValueError, match=r"node_count_max: got 1 \(allowed: more than node_count 1"):
        NodePoolSpec(name="h100", shape="BM.GPU.H100.8", node_count=1, node_count_max=1)


def test_the_gpu_pool_starts_at_min_and_the_autoscaler_manages_only_it(monkeypatch) -> None:
    import pulumi_oci as oci

    ignored: dict[str, object] = {}
    real = oci.containerengine.NodePool

    def recording_pool(resource_name, *args, opts=None, **kwargs):
        ignored[resource_name] = opts.ignore_changes if opts else None
        return real(resource_name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(oci.containerengine, "NodePool", recording_pool)
    recording = autoscaled_platform()
    pools = {r.name: r for r in recording.of_type(POOL)}
    gpu = pools["fr-h100-pool"]
    assert gpu.inputs["nodeConfigDetails"]["size"] == 0, at(gpu)
    # The autoscaler owns the GPU pool's size; the system pool is the one it never manages (Oracle's advice).
    assert ignored == {"fr-h100-pool": ["nodeConfigDetails.size"], "fr-system-pool": None}
    [autoscaler] = [r for r in recording.of_type(ADDON) if r.inputs["addonName"] == "ClusterAutoscaler"]
    config = {c["key"]: c["value"] for c in autoscaler.inputs["configurations"]}
    assert config == {"nodes": f"0:2:{offline_id('nodepool', 'fr-h100-pool')}", "authType": "workload"}, at(
        autoscaler
    )


def test_the_autoscaler_waits_for_its_grant_and_the_metrics_server_for_cert_manager() -> None:
    recording = autoscaled_platform()
    by_urn = recording.by_urn()
    addons = {r.inputs["addonName"]: r for r in recording.of_type(ADDON)}
    assert set(addons) == {"CertManager", "KubernetesMetricsServer", "ClusterAutoscaler", "NvidiaGpuPlugin"}
    [policy] = [r for r in recording.of_type(POLICY) if r.name.endswith("-autoscaler")]
    autoscaler = addons["ClusterAutoscaler"]
    waits = {by_urn[u].type for u in autoscaler.dependencies if u in by_urn}
    assert "time:index/sleep:Sleep" in waits, at(autoscaler)
    sleep = next(
        by_urn[u] for u in autoscaler.dependencies if by_urn.get(u) and by_urn[u].type.startswith("time:")
    )
    assert policy.urn in sleep.dependencies, at(sleep)
    assert addons["CertManager"].urn in addons["KubernetesMetricsServer"].dependencies
    assert all(a.inputs["removeAddonResourcesOnDelete"] is True for a in addons.values())
    assert all("version" not in a.inputs for a in addons.values())  # Oracle keeps them current


def test_fixed_pools_get_no_autoscaler_and_no_grant() -> None:
    recording = record_platform()
    names = {r.inputs["addonName"] for r in recording.of_type(ADDON)}
    assert names == {"CertManager", "KubernetesMetricsServer", "NvidiaGpuPlugin"}
    assert not [r for r in recording.of_type(POLICY) if r.name.endswith("-autoscaler")]


# NVIDIA device plugin: OKE installs the NvidiaGpuPlugin add-on only when declared (terraform-oci-oke
# examples/cluster-addons/vars-cluster-addons.auto.tfvars: "The NvidiaGpuPlugin is disabled by default"); its
# `tolerations` argument is JSON (Oracle, configuration-arguments-nvidia-gpu-plugin.htm).


def test_gpu_plugin_tolerations_are_kubernetes_tolerations_of_each_taint() -> None:
    assert json.loads(gpu_plugin_tolerations([GPU_TAINT, "dedicated:NoExecute", GPU_TAINT])) == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"},
        {"key": "dedicated", "operator": "Exists", "effect": "NoExecute"},
    ]


@pytest.mark.parametrize("taint", ["nvidia.com/gpu=present", "=x:NoSchedule", "a=b:noSchedule"])
def test_gpu_plugin_refuses_a_malformed_taint(taint: str) -> None:
    with pytest.raises(ValueError, match="gpu_taints"):
        gpu_plugin_tolerations([taint])


def test_the_gpu_plugin_tolerates_every_taint_of_the_gpu_pools() -> None:
    pools = [
        POOLS[0],
        NodePoolSpec(name="h100", shape="BM.GPU.H100.8", node_count=1, taints=["team=ml:NoSchedule"]),
    ]
    recording = record_platform(platform_args(node_pools=pools))
    [plugin] = [r for r in recording.of_type(ADDON) if r.inputs["addonName"] == "NvidiaGpuPlugin"]
    [config] = plugin.inputs["configurations"]
    assert config["key"] == "tolerations", at(plugin)
    tolerations = json.loads(config["value"])
    for taint in (("nvidia.com/gpu", "present", "NoSchedule"), ("team", "ml", "NoSchedule")):
        assert tolerates(tolerations, taint), (taint, tolerations)
    assert plugin.inputs["removeAddonResourcesOnDelete"] is True


def test_a_cluster_without_gpu_pools_gets_no_gpu_plugin() -> None:
    recording = record_platform(platform_args(node_pools=[POOLS[0]]))
    assert "NvidiaGpuPlugin" not in {r.inputs["addonName"] for r in recording.of_type(ADDON)}
