"""Rule 'gpu-device-plugin': a GPU workload fails the plan unless something advertises nvidia.com/gpu.

The defect (REAL_PLATFORM_FINDINGS A6/K10): AKS GPU pools had a driver and no device plugin, so vLLM stayed
Pending while every offline check passed. The real de-prod and gb-prod plans pass with the GPU operator the
stack now builds, and fail the moment it is taken out or broken.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from sovereign.contracts import GPU_TAINT
from sovereign.plan.runner import plan_stacks
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR
from tests.plan.test_plan import _context, _views
from tests.policies.test_rules import SAFE_POD, ctx, view

RULE = "gpu-device-plugin"
RELEASE = "kubernetes:helm.sh/v3:Release"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def check(resources: list[ResourceView], context: PolicyContext | None = None) -> list[dict[str, Any]]:
    return evaluate([r for r in ALL_RULES if r.id == RULE], context or ctx(), resources)


def failures(resources: list[ResourceView], context: PolicyContext | None = None) -> list[str]:
    return [c["message"] for c in check(resources, context) if c["status"] == "fail"]


def gpu_deployment(name: str = "assistant") -> ResourceView:
    pod = copy.deepcopy(SAFE_POD)
    pod["containers"][0]["resources"] = {
        "limits": {"nvidia.com/gpu": "2"},
        "requests": {"nvidia.com/gpu": "2"},
    }
    return view(
        "kubernetes:apps/v1:Deployment",
        {"metadata": {"name": name}, "spec": {"template": {"spec": pod}}},
        name=f"dep-{name}",
    )


def operator_release(**values: Any) -> ResourceView:
    props = {
        "chart": "oci://desovereignregistry.azurecr.io/helm/gpu-operator",
        "version": "v26.7.0",
        "values": {
            "devicePlugin": {"enabled": True},
            "daemonsets": {"tolerations": [GPU_TOLERATION]},
            **values,
        },
    }
    return view(RELEASE, props, name="gpu-release")


def test_fails_a_gpu_workload_without_any_device_plugin() -> None:
    [message] = failures([gpu_deployment()])
    assert "workload 'assistant' requests nvidia.com/gpu but nothing in the plan advertises it" in message
    assert "no NVIDIA GPU Operator release and no device-plugin DaemonSet" in message
    assert "oci://desovereignregistry.azurecr.io/helm/gpu-operator" in message  # how to fix


def test_passes_with_a_gpu_operator_release_from_the_country_registry() -> None:
    assert failures([gpu_deployment(), operator_release()]) == []


def test_passes_when_no_workload_requests_gpus() -> None:
    cpu_only = view("kubernetes:apps/v1:Deployment", {"spec": {"template": {"spec": SAFE_POD}}}, name="web")
    assert failures([cpu_only]) == []


@pytest.mark.parametrize(
    ("release", "reason"),
    [
        (
            view(
                RELEASE, {**operator_release().props, "chart": "oci://nvcr.io/nvidia/gpu-operator"}, name="g"
            ),
            "chart 'oci://nvcr.io/nvidia/gpu-operator' is not in the country's registry",
        ),
        (operator_release(devicePlugin={"enabled": False}), "devicePlugin.enabled is false"),
        (operator_release(daemonsets={"tolerations": []}), f"do not tolerate the GPU taint '{GPU_TAINT}'"),
        (
            operator_release(
                daemonsets={
                    "tolerations": [{"key": "nvidia.com/gpu", "value": "other", "effect": "NoSchedule"}]
                }
            ),
            "do not tolerate the GPU taint",
        ),
        (
            operator_release(daemonsets={"tolerations": [{**GPU_TOLERATION, "effect": "NoExecute"}]}),
            "do not tolerate the GPU taint",
        ),
    ],
)
def test_fails_with_a_release_that_cannot_advertise_gpus(release: ResourceView, reason: str) -> None:
    [message] = failures([gpu_deployment(), release])
    assert reason in message and "workload 'assistant'" in message


def test_a_device_plugin_daemonset_tolerating_the_taint_is_enough() -> None:
    pod = copy.deepcopy(SAFE_POD)
    pod["containers"][0]["image"] = (
        "desovereignregistry.azurecr.io/mirror/nvidia/k8s-device-plugin@sha256:" + "b" * 64
    )
    daemonset = view("kubernetes:apps/v1:DaemonSet", {"spec": {"template": {"spec": pod}}}, name="plugin")
    assert len(failures([gpu_deployment(), daemonset])) == 1  # untolerated: it never runs on GPU nodes
    pod["tolerations"] = [{"operator": "Exists"}]  # empty key with Exists tolerates every taint
    daemonset = view("kubernetes:apps/v1:DaemonSet", {"spec": {"template": {"spec": pod}}}, name="plugin")
    assert failures([gpu_deployment(), daemonset]) == []


# --- OKE: the NvidiaGpuPlugin cluster add-on (finding "Check: the NVIDIA device plugin add-on tolerating the
# GPU taint"). OKE installs it only when declared (terraform-oci-oke examples/cluster-addons: "The NvidiaGpuPlugin
# is disabled by default"); its pods reach the tainted GPU nodes only through its `tolerations` argument, JSON in
# plain text or Base64 (docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/configuration-arguments-nvidia-gpu-plugin.htm).


def gpu_plugin(tolerations: Any = None, *, encode: bool = False) -> ResourceView:
    props: dict[str, Any] = {"addonName": "NvidiaGpuPlugin"}
    if tolerations is not None:
        text = json.dumps(tolerations)
        value = base64.b64encode(text.encode()).decode() if encode else text
        props["configurations"] = [{"key": "tolerations", "value": value}]
    return view("oci:ContainerEngine/addon:Addon", props, name="gpu-plugin")


def test_oke_fails_a_gpu_workload_without_the_gpu_plugin_add_on() -> None:
    [message] = failures([gpu_deployment()], ctx("fr"))
    assert "no NvidiaGpuPlugin cluster add-on" in message and "workload 'assistant'" in message
    assert "'tolerations' configuration tolerating 'nvidia.com/gpu=present:NoSchedule'" in message  # the fix


@pytest.mark.parametrize(
    "plugin", [gpu_plugin(), gpu_plugin([]), gpu_plugin([{**GPU_TOLERATION, "key": "x"}])]
)
def test_oke_fails_with_a_gpu_plugin_that_does_not_tolerate_the_taint(plugin: ResourceView) -> None:
    [message] = failures([gpu_deployment(), plugin], ctx("fr"))
    assert "the NvidiaGpuPlugin add-on's tolerations do not tolerate the GPU taint" in message


@pytest.mark.parametrize("encode", [False, True])
def test_oke_passes_with_the_gpu_plugin_tolerating_the_taint(encode: bool) -> None:
    exact = {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    assert failures([gpu_deployment(), gpu_plugin([exact], encode=encode)], ctx("fr")) == []


def test_fr_prod_plan_declares_the_gpu_plugin_and_fails_without_it() -> None:
    [stack] = [s for s in find_stacks(default_stacks_dir()) if s.name == "fr-prod"]
    [document] = plan_stacks([stack], as_of=AS_OF, config_dir=CONFIG_DIR)
    views, context = _views(document), _context(document)
    gpu_workloads = [
        v.urn for v in views if v.type == "kubernetes:apps/v1:Deployment" and "nvidia.com/gpu" in str(v.props)
    ]
    assert gpu_workloads and failures(views, context) == []
    without = [v for v in views if v.props.get("addonName") != "NvidiaGpuPlugin"]
    failed = [c for c in check(without, context) if c["status"] == "fail"]
    assert sorted(c["urn"] for c in failed) == sorted(gpu_workloads)


# --- the real stacks -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    stacks = [s for s in find_stacks(default_stacks_dir()) if s.name in ("de-prod", "gb-prod")]
    return {d["stack"]: d for d in plan_stacks(stacks, as_of=AS_OF, config_dir=CONFIG_DIR)}


@pytest.mark.parametrize("stack", ["de-prod", "gb-prod"])
def test_real_plan_passes_with_the_operator_and_fails_without_it(plans, stack: str) -> None:
    document = plans[stack]
    views, context = _views(document), _context(document)
    gpu_workloads = [
        v.urn for v in views if v.type == "kubernetes:apps/v1:Deployment" and "nvidia.com/gpu" in str(v.props)
    ]
    assert gpu_workloads, stack
    assert failures(views, context) == [], stack
    without = [v for v in views if v.type != RELEASE]
    failed = [c for c in check(without, context) if c["status"] == "fail"]
    assert sorted(c["urn"] for c in failed) == sorted(gpu_workloads), stack


@pytest.mark.parametrize("stack", ["de-prod", "gb-prod"])
def test_real_plan_orders_the_operator_before_the_assistant(plans, stack: str) -> None:
    resources = plans[stack]["resources"]
    [release] = [
        r["urn"] for r in resources if r["type"] == RELEASE and r["inputs"]["chart"].endswith("/gpu-operator")
    ]
    [assistant] = [r for r in resources if r["type"] == "sovereign:kubernetes:AssistantPlatform"]
    assert release in assistant["dependencies"], assistant["urn"]


def test_real_plans_pick_the_driver_source_of_the_pool_kind(plans) -> None:
    def values(stack: str) -> dict[str, Any]:
        [release] = [
            r
            for r in plans[stack]["resources"]
            if r["type"] == RELEASE and r["inputs"]["chart"].endswith("/gpu-operator")  # not the Prometheus
        ]
        return release["inputs"]["values"]

    # de: confidential H100 (AKS gpuProfile.driver None) -> the operator installs the driver.
    assert values("de-prod")["driver"]["enabled"] is True
    # gb: ND H100 v5 (AKS installs driver and runtime) -> the operator only adds the plugin and friends.
    assert values("gb-prod")["driver"]["enabled"] is False
    assert values("gb-prod")["operator"]["runtimeClass"] == "nvidia-container-runtime"
    [pool] = [
        r
        for r in plans["gb-prod"]["resources"]
        if r["type"] == "azure-native:containerservice:AgentPool" and "gpuProfile" in r["inputs"]
    ]
    assert pool["inputs"]["gpuProfile"] == {"driver": "Install"}, pool["urn"]
