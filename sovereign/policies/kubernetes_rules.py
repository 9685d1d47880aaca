"""Sovereignty rules over Kubernetes objects (any conformant cluster, AKS and OKE alike)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from typing import Any

from sovereign.contracts import GPU_RESOURCE, GPU_TAINT, MODEL_ANNOTATION
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule
from sovereign.rules.models import REGISTER_APPROVAL_FIELDS, model_clearance
from sovereign.types import Cloud, ConfidentialTier, parse_image_ref

__all__ = ["KUBERNETES_RULES", "MODEL_ANNOTATION", "pod_spec"]


_POD_TEMPLATES = {
    "Deployment": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "Job": "spec.template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
    "Pod": "spec",
}


def _kind(r: ResourceView) -> str:
    return r.type.rsplit(":", 1)[-1] if r.type.startswith("kubernetes:") else ""


def pod_spec(r: ResourceView) -> dict[str, Any] | None:
    path = _POD_TEMPLATES.get(_kind(r))
    spec = r.get(path) if path else None
    return spec if isinstance(spec, dict) else None


def pod_annotations(r: ResourceView) -> dict[str, Any]:
    """The annotations of a workload's pod template (the pod's own for a Pod)."""
    path = _POD_TEMPLATES.get(_kind(r))
    annotations = r.get(path.removesuffix("spec") + "metadata.annotations") if path else None
    return annotations if isinstance(annotations, dict) else {}


def is_workload(r: ResourceView) -> bool:
    """A Kubernetes object that creates pods from a pod spec (Deployment, Job, CronJob, Pod, ...)."""
    return _kind(r) in _POD_TEMPLATES


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)]


def _hardened(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in resources:
        spec = pod_spec(r) or {}
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(key):
                yield Finding(f"{key} is enabled", r.urn)
        pod_ctx = spec.get("securityContext") or {}
        for c in _containers(spec):
            sc = {**pod_ctx, **(c.get("securityContext") or {})}
            name = c.get("name", "?")
            problems = []
            if sc.get("runAsNonRoot") is not True:
                problems.append("runAsNonRoot is not true")
            if sc.get("privileged"):
                problems.append("privileged")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append("allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append("readOnlyRootFilesystem is not true")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problems.append("capabilities do not drop ALL")
            if (sc.get("seccompProfile") or {}).get("type") not in ("RuntimeDefault", "Localhost"):
                problems.append("seccomp profile is not RuntimeDefault")
            if problems:
                yield Finding(f"container '{name}': {', '.join(problems)}", r.urn)


def _namespace_name(r: ResourceView) -> str | None:
    return r.get("metadata.name") or None


def _default_deny(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    namespaces = [r for r in resources if r.type == "kubernetes:core/v1:Namespace"]
    policies = [r for r in resources if r.type == "kubernetes:networking.k8s.io/v1:NetworkPolicy"]
    denied: set[str] = set()
    for p in policies:
        types = set(p.get("spec.policyTypes") or [])
        selector = p.get("spec.podSelector") or {}
        # Default deny: selects every pod, both directions, and allows nothing in its own rules.
        if (
            not selector.get("matchLabels")
            and not selector.get("matchExpressions")
            and {"Ingress", "Egress"} <= types
        ) and not p.get("spec.ingress"):
            denied.add(p.get("metadata.namespace") or "")
    for ns in namespaces:
        name = _namespace_name(ns)
        if name not in denied:
            yield Finding(
                f"namespace '{name}' has no default-deny NetworkPolicy (ingress and egress)", ns.urn
            )


def _images(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    prefix = ctx.registry_prefix + "/"
    for r in resources:
        for c in _containers(pod_spec(r) or {}):
            image = str(c.get("image") or "")
            try:
                parse_image_ref(image)
            except ValueError:
                yield Finding(
                    f"container '{c.get('name')}' image '{image}' is not pinned by sha256 digest", r.urn
                )
                continue
            if not image.startswith(prefix):
                repository = image.split("@", maxsplit=1)[0]
                yield Finding(
                    f"container '{c.get('name')}' image '{repository}' is outside the country's registry "
                    f"'{ctx.registry_prefix}'",
                    r.urn,
                )
        for volume in (pod_spec(r) or {}).get("volumes") or []:
            reference = (volume.get("image") or {}).get("reference") if isinstance(volume, dict) else None
            if reference and not str(reference).startswith(prefix):
                yield Finding(f"image volume '{reference}' is outside the country's registry", r.urn)


def _model_id(r: ResourceView) -> str | None:
    for path in ("spec.template.metadata.annotations", "metadata.annotations"):
        value = (r.get(path) or {}).get(MODEL_ANNOTATION)
        if value:
            return str(value)
    return None


def _requests_gpus(spec: dict[str, Any]) -> bool:
    for c in _containers(spec):
        resources = c.get("resources") or {}
        for amounts in (resources.get("requests") or {}, resources.get("limits") or {}):
            if str(amounts.get(GPU_RESOURCE, "0")) not in ("0", "0.0"):
                return True
    return False


def _approved_models(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """Fails closed: a GPU workload that names no model is a finding, not a pass."""
    confidential = ctx.config.cluster.confidential_tier == ConfidentialTier.CONFIDENTIAL_GPU
    for r in resources:
        spec = pod_spec(r) or {}
        model_id = _model_id(r)
        if model_id is None:
            if _requests_gpus(spec):
                yield Finding(
                    f"workload requests {GPU_RESOURCE} but names no model ('{MODEL_ANNOTATION}' pod annotation): "
                    "the risk gate cannot clear it",
                    r.urn,
                )
            continue
        record = ctx.register.find(model_id)
        if record is None:
            yield Finding(f"model '{model_id}' is not in the risk register", r.urn)
            continue
        digests = [image_digest_or_none(str(c.get("image", ""))) for c in _containers(spec)]
        approved = record.weights_digest
        deployed = approved if approved in digests else next((d for d in digests if d), None)
        a = record.assessment
        for refusal in model_clearance(
            model_id=model_id,
            tier=record.capability_tier,
            assessed_on=a.assessed_on,
            expires_on=a.expires_on,
            approved_countries=record.approved_countries,
            approved_weights_digest=approved,
            deployed_weights_digest=deployed,
            country=ctx.config.country,
            as_of=ctx.as_of,
            confidential_gpu=confidential,
            approvers=a.approvers,
        ):
            yield Finding(refusal.message, r.urn)


def image_digest_or_none(image: str) -> str | None:
    try:
        return parse_image_ref(image)[2]
    except ValueError:
        return None


_OCI_LB_TYPE = "oci.oraclecloud.com/load-balancer-type"
_INTERNAL_ANNOTATION = {
    # AKS: an internal Azure load balancer.
    "azure": "service.beta.kubernetes.io/azure-load-balancer-internal",
    # OKE: the annotation depends on the load-balancer type, and "nlb" alone is a *public* network load
    # balancer. oracle/oci-cloud-controller-manager pkg/cloudprovider/providers/oci/load_balancer_spec.go:
    # ServiceAnnotationLoadBalancerInternal = "service.beta.kubernetes.io/oci-load-balancer-internal" (type lb),
    # ServiceAnnotationNetworkLoadBalancerInternal = "oci-network-load-balancer.oraclecloud.com/internal" (type
    # nlb); OKE "Provisioning Network Load Balancers" (contengcreatingnetworkloadbalancers) documents the latter.
    "lb": "service.beta.kubernetes.io/oci-load-balancer-internal",
    "nlb": "oci-network-load-balancer.oraclecloud.com/internal",
}


def _internal_load_balancer(annotations: Mapping[str, Any]) -> bool:
    def true(key: str) -> bool:
        return str(annotations.get(key, "")).lower() == "true"

    oci_type = str(annotations.get(_OCI_LB_TYPE, "")).lower()
    if oci_type == "nlb":
        return true(_INTERNAL_ANNOTATION["nlb"])
    if oci_type in ("", "lb") and true(_INTERNAL_ANNOTATION["lb"]):
        return True
    return not oci_type and true(_INTERNAL_ANNOTATION["azure"])


def _no_public_services(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in resources:
        if r.type == "kubernetes:core/v1:Service":
            kind = r.get("spec.type") or "ClusterIP"
            if kind == "NodePort":
                yield Finding("NodePort service exposes every node", r.urn)
            if kind == "LoadBalancer" and not _internal_load_balancer(r.get("metadata.annotations") or {}):
                yield Finding(
                    "LoadBalancer service without an internal-only annotation (OKE network load balancers: "
                    "'oci-network-load-balancer.oraclecloud.com/internal: \"true\"'; 'load-balancer-type: nlb' "
                    "alone is public)",
                    r.urn,
                )
        if r.type == "kubernetes:networking.k8s.io/v1:Ingress" and not r.get("spec.tls"):
            yield Finding("Ingress without TLS", r.urn)


_HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
_GPU_OPERATOR_CHART = "gpu-operator"
_DEVICE_PLUGIN_IMAGE = "k8s-device-plugin"
_OKE_ADDON = "oci:ContainerEngine/addon:Addon"
_OKE_GPU_PLUGIN = "NvidiaGpuPlugin"
"""OKE's NVIDIA device plugin, a cluster add-on OKE installs only when declared (terraform-oci-oke
``examples/cluster-addons``: "The NvidiaGpuPlugin is disabled by default"); its pods reach tainted nodes only
through its ``tolerations`` argument, JSON in plain text or Base64 (Oracle, "NVIDIA GPU Plugin" configuration
arguments, ``configuration-arguments-nvidia-gpu-plugin.htm``)."""


def oke_gpu_plugin_tolerations(resources: list[ResourceView]) -> list[list[Any]]:
    """The tolerations of each planned NvidiaGpuPlugin add-on (an add-on without the argument tolerates none)."""
    found = []
    for r in resources:
        if r.type != _OKE_ADDON or r.get("addonName") != _OKE_GPU_PLUGIN:
            continue
        configs = {c.get("key"): c.get("value") for c in r.get("configurations") or [] if isinstance(c, dict)}
        found.append(_json_or_base64(configs.get("tolerations")))
    return found


def _json_or_base64(value: Any) -> list[Any]:
    """A JSON list of tolerations given as plain text or Base64 (Oracle accepts both); anything else: none."""
    if not isinstance(value, str):
        return []
    decodings = (lambda v: v, lambda v: base64.b64decode(v, validate=True).decode())
    for decode in decodings:
        try:
            parsed = json.loads(decode(value))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            continue
        return [t for t in parsed if isinstance(t, dict)] if isinstance(parsed, list) else []
    return []


def _tolerates(tolerations: Any, taint: str) -> bool:
    """Kubernetes' matching: same key (or empty key with Exists), Exists or the same value, same or no effect."""
    key_value, _, effect = taint.rpartition(":")
    key, _, value = key_value.partition("=")
    for t in tolerations if isinstance(tolerations, list) else []:
        if not isinstance(t, dict) or t.get("effect") not in (None, "", effect):
            continue
        exists = t.get("operator") == "Exists"
        if (t.get("key") == key or (not t.get("key") and exists)) and (exists or t.get("value", "") == value):
            return True
    return False


def _chart_name(r: ResourceView) -> str:
    return str(r.get("chart") or "").rstrip("/").rsplit("/", 1)[-1]


def _operator_problems(ctx: PolicyContext, r: ResourceView) -> list[str]:
    """Why a GPU operator release does not make GPUs allocatable on the tainted GPU pools (empty: it does)."""
    problems = []
    chart = str(r.get("chart") or "")
    if not chart.startswith(f"oci://{ctx.registry_prefix}/"):
        problems.append(
            f"its chart '{chart}' is not in the country's registry (oci://{ctx.registry_prefix}/...)"
        )
    if r.get("values.devicePlugin.enabled") is False:
        problems.append("devicePlugin.enabled is false")
    if not _tolerates(r.get("values.daemonsets.tolerations"), GPU_TAINT):
        problems.append(f"values.daemonsets.tolerations do not tolerate the GPU taint '{GPU_TAINT}'")
    return problems


def _device_plugin_daemonset(r: ResourceView) -> bool:
    spec = pod_spec(r) or {}
    images = [str(c.get("image") or "").split("@", 1)[0].rsplit(":", 1)[0] for c in _containers(spec)]
    return (
        _kind(r) == "DaemonSet"
        and any(i.endswith("/" + _DEVICE_PLUGIN_IMAGE) for i in images)
        and _tolerates(spec.get("tolerations"), GPU_TAINT)
    )


def _gpus_advertised(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """A pod requesting GPUs only schedules where a device plugin advertises them on the tainted GPU nodes."""
    gpu_workloads = [r for r in resources if is_workload(r) and _requests_gpus(pod_spec(r) or {})]
    if not gpu_workloads or any(_device_plugin_daemonset(r) for r in resources):
        return
    addons = oke_gpu_plugin_tolerations(resources)
    if any(_tolerates(t, GPU_TAINT) for t in addons):
        return
    if ctx.config.cloud == Cloud.OCI:
        why = (
            f"the {_OKE_GPU_PLUGIN} add-on's tolerations do not tolerate the GPU taint '{GPU_TAINT}'"
            if addons
            else f"no {_OKE_GPU_PLUGIN} cluster add-on (OKE installs the NVIDIA device plugin only when declared)"
        )
        for r in gpu_workloads:
            yield Finding(
                f"workload '{r.get('metadata.name') or r.name}' requests {GPU_RESOURCE} but nothing in the plan "
                f"advertises it ({why}), so its pods stay Pending: declare oci.containerengine.Addon "
                f"'{_OKE_GPU_PLUGIN}' with a 'tolerations' configuration tolerating '{GPU_TAINT}' "
                "(components/oci/cluster_addons.py)",
                r.urn,
            )
        return
    releases = [r for r in resources if r.type == _HELM_RELEASE and _chart_name(r) == _GPU_OPERATOR_CHART]
    reasons = {r.name: _operator_problems(ctx, r) for r in releases}
    if any(not problems for problems in reasons.values()):
        return
    why = "; ".join(f"release '{name}': {', '.join(p)}" for name, p in reasons.items()) or (
        "no NVIDIA GPU Operator release and no device-plugin DaemonSet tolerating the GPU taint"
    )
    for r in gpu_workloads:
        name = r.get("metadata.name") or r.name
        yield Finding(
            f"workload '{name}' requests {GPU_RESOURCE} but nothing in the plan advertises it ({why}), so its "
            f"pods stay Pending: install the GPU operator from oci://{ctx.registry_prefix}/helm/gpu-operator "
            f"with devicePlugin enabled and daemonsets tolerating '{GPU_TAINT}' "
            "(components/kubernetes/gpu_operator.py; stacks/assistant.py builds it for clusters with GPU pools)",
            r.urn,
        )


KUBERNETES_RULES: tuple[Rule, ...] = (
    Rule(
        "hardened-pods",
        "Every container runs restricted: non-root, no escalation, read-only root, ALL "
        "capabilities dropped, RuntimeDefault seccomp; no host namespaces.",
        _hardened,
        is_workload,
        reads=(
            "inputs.spec.*securityContext*",
            "inputs.spec.*hostNetwork",
            "inputs.spec.*hostPID",
            "inputs.spec.*hostIPC",
        ),
    ),
    Rule(
        "default-deny-network-policies",
        "Every namespace has a default-deny NetworkPolicy for ingress and egress.",
        _default_deny,
        lambda r: r.type.startswith("kubernetes:"),
        reads=("inputs.spec.policyTypes*", "inputs.spec.podSelector*", "inputs.spec.ingress*"),
    ),
    Rule(
        "images-from-country-registry",
        "Container images and model artifacts come only from the country's "
        "registry, pinned by sha256 digest.",
        _images,
        is_workload,
        reads=("inputs.spec.*containers.image", "inputs.spec.*volumes.image.reference"),
    ),
    Rule(
        "approved-models",
        "Only models with an unexpired risk assessment covering the country, with the approved weights, on "
        "confidential GPUs where their tier needs it; a GPU workload that names no model fails.",
        _approved_models,
        is_workload,
        reads=(
            f"inputs.spec.*annotations.{MODEL_ANNOTATION}",
            "inputs.spec.*containers.image",
            "inputs.spec.*resources.*",
            # The register record it clears each model against: the plan document's 'models' section
            # (sovereign.plan.document.deployed_models), so `sovereign diff` shows a changed approval.
            *(f"models.{f}" for f in REGISTER_APPROVAL_FIELDS),
        ),
    ),
    Rule(
        "gpu-device-plugin",
        "Workloads that request GPUs run on a cluster where a device plugin advertises them: the NVIDIA GPU "
        "Operator from the country's registry (device plugin on, tolerating the GPU taint), a device-plugin "
        "DaemonSet tolerating it, or on OKE the NvidiaGpuPlugin cluster add-on tolerating it.",
        _gpus_advertised,
        lambda r: is_workload(r) or r.type in (_HELM_RELEASE, _OKE_ADDON),
        sovereignty=False,
        reads=(
            "inputs.addonName",
            "inputs.configurations*",
            "inputs.chart",
            "inputs.values.devicePlugin.*",
            "inputs.values.daemonsets.tolerations*",
            "inputs.spec.*tolerations*",
            "inputs.spec.*containers.image",
            "inputs.spec.*resources.*",
        ),
    ),
    Rule(
        "no-public-kubernetes-endpoints",
        "No NodePort or public LoadBalancer services; ingresses only with TLS.",
        _no_public_services,
        lambda r: r.type.startswith("kubernetes:"),
        reads=("inputs.spec.type", "inputs.metadata.annotations.*", "inputs.spec.tls*"),
    ),
)
