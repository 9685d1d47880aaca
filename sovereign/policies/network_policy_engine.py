"""Kubernetes objects that do nothing unless the cluster runs what enforces or feeds them.

- ``network-policy-engine``: a NetworkPolicy is only an API object; "Simply creating the NetworkPolicy resource
  without a CNI network provider to implement it will have no effect" and OKE's own CNI plugins (VCN-native
  and flannel) "neither of them support Kubernetes NetworkPolicy resources" (Oracle, "Example: Installing
  Calico and Setting Up Network Policies", docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/
  contengsettingupcalico.htm). Without an engine the default-deny and the tenant isolation are no-ops while
  the plan reports them. Engines counted: on AKS the ManagedCluster's ``networkProfile.networkPolicy``
  (``azure``, ``calico`` or ``cilium``: MicrosoftDocs/azure-aks-docs ``articles/aks/use-network-policies.md``;
  ``none`` or omitted enforces nothing); anywhere a Calico release (chart ``calico`` from the country's
  registry, ``components/kubernetes/calico.py``) or a ``calico-node`` DaemonSet in the plan.
- ``hpa-metrics-source``: a HorizontalPodAutoscaler on ``Resource`` metrics reads the Metrics API, which only
  metrics-server serves ("Other Kubernetes add-ons require the Kubernetes Metrics Server, including the
  Horizontal Pod Autoscaler", Oracle, contengdeployingmetricsserver.htm). AKS runs metrics-server as a managed
  component (MicrosoftDocs/azure-aks-docs ``articles/aks/tutorial-kubernetes-scale.md``); OKE needs its
  ``KubernetesMetricsServer`` add-on or a metrics-server Deployment. Other metric types read the custom or
  external metrics APIs: an APIService for that group must be in the plan, or KEDA, which serves
  ``external.metrics.k8s.io`` ("Metrics server exposes external metrics to Horizontal Pod Autoscaler",
  azure-aks-docs ``articles/aks/keda-about.md``): the AKS add-on (ManagedCluster
  ``workloadAutoScalerProfile.keda.enabled``) or a ``keda`` chart release from the country's registry. A KEDA
  ScaledObject is an autoscaler on external metrics: it needs KEDA in the plan, or its CRD does not even
  exist (what its Prometheus queries must resolve to: ``autoscaling_rules.py``).

Both are about what the platform does with what it accepts: ``sovereignty=False``.
"""

from __future__ import annotations

from collections.abc import Iterator

from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["ENFORCING_AKS_NETWORK_POLICIES", "NETWORK_POLICY_ENGINE_RULES", "runs_keda"]

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
OKE_ADDON = "oci:ContainerEngine/addon:Addon"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
API_SERVICE = "kubernetes:apiregistration.k8s.io/v1:APIService"
ENFORCING_AKS_NETWORK_POLICIES = frozenset({"azure", "calico", "cilium"})
_CALICO_CHART = "calico"
_KEDA_CHART = "keda"
_RESOURCE_METRICS = frozenset({"Resource", "ContainerResource"})
_METRICS_API_GROUP = {"Pods": "custom.metrics.k8s.io", "Object": "custom.metrics.k8s.io"}
_METRICS_API_GROUP["External"] = "external.metrics.k8s.io"


def _kind(r: ResourceView) -> str:
    return r.type.rsplit(":", 1)[-1] if r.type.startswith("kubernetes:") else ""


def _images(r: ResourceView) -> list[str]:
    """Container image repositories of a workload, without tag or digest."""
    spec = r.get("spec.template.spec") or {}
    containers = [
        c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)
    ]
    return [str(c.get("image") or "").split("@", 1)[0].rsplit(":", 1)[0] for c in containers]


def _chart_name(r: ResourceView) -> str:
    return str(r.get("chart") or "").rstrip("/").rsplit("/", 1)[-1]


def _network_policy_engines(ctx: PolicyContext, resources: list[ResourceView]) -> tuple[list[str], list[str]]:
    """(what enforces NetworkPolicies in the plan, why candidates do not)."""
    engines: list[str] = []
    problems: list[str] = []
    for r in resources:
        if r.type == MANAGED_CLUSTER:
            policy = str(r.get("networkProfile.networkPolicy") or "none").lower()
            if policy in ENFORCING_AKS_NETWORK_POLICIES:
                engines.append(f"AKS network policy '{policy}'")
            else:
                problems.append(f"ManagedCluster '{r.name}' has networkProfile.networkPolicy '{policy}'")
        elif r.type == HELM_RELEASE and _chart_name(r) == _CALICO_CHART:
            chart = str(r.get("chart") or "")
            if chart.startswith(f"oci://{ctx.registry_prefix}/"):
                engines.append(f"Calico release '{r.name}'")
            else:
                problems.append(
                    f"Calico release '{r.name}' installs '{chart}', not a chart of the country's registry"
                )
        elif _kind(r) == "DaemonSet" and any(i.endswith("/calico/node") for i in _images(r)):
            engines.append(f"calico-node DaemonSet '{r.name}'")
    return engines, problems


def _policies_enforced(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    policies = [r for r in resources if r.type == NETWORK_POLICY]
    if not policies:
        return
    engines, problems = _network_policy_engines(ctx, resources)
    if engines:
        return
    why = "; ".join(problems) or "no Calico release, calico-node DaemonSet or AKS network policy in the plan"
    for r in policies:
        namespace = r.get("metadata.namespace") or "?"
        name = r.get("metadata.name") or r.name
        yield Finding(
            f"NetworkPolicy '{namespace}/{name}' is not enforced by anything ({why}): pods accept every "
            "connection while the policy claims isolation. OKE: install Calico in policy-only mode from "
            f"oci://{ctx.registry_prefix}/helm/calico (components/kubernetes/calico.py, built by stacks/assistant.py "
            "for OCI clusters); AKS: set networkProfile.networkPolicy to 'cilium', 'calico' or 'azure'",
            r.urn,
        )


def _serves_metrics_api(r: ResourceView) -> bool:
    """AKS runs metrics-server itself; OKE through its add-on; anywhere a metrics-server Deployment."""
    return (
        r.type == MANAGED_CLUSTER
        or (r.type == OKE_ADDON and r.get("addonName") == "KubernetesMetricsServer")
        or (_kind(r) == "Deployment" and any(i.endswith("/metrics-server") for i in _images(r)))
    )


def runs_keda(ctx: PolicyContext, r: ResourceView) -> bool:
    """The AKS add-on, or the kedacore chart from the country's registry."""
    if r.type == MANAGED_CLUSTER:
        return r.get("workloadAutoScalerProfile.keda.enabled") is True
    return (
        r.type == HELM_RELEASE
        and _chart_name(r) == _KEDA_CHART
        and str(r.get("chart") or "").startswith(f"oci://{ctx.registry_prefix}/")
    )


def _metrics_sources(ctx: PolicyContext, resources: list[ResourceView]) -> set[str]:
    """API groups something in the plan serves: 'metrics.k8s.io', 'custom.metrics.k8s.io', ..."""
    groups = {"metrics.k8s.io"} if any(_serves_metrics_api(r) for r in resources) else set()
    groups |= {str(r.get("spec.group")) for r in resources if r.type == API_SERVICE and r.get("spec.group")}
    if any(runs_keda(ctx, r) for r in resources):
        groups.add("external.metrics.k8s.io")
    return groups


def _hpa_metrics(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    served = _metrics_sources(ctx, resources)
    for r in resources:
        if r.type == SCALED_OBJECT and "external.metrics.k8s.io" not in served:
            name = f"{r.get('metadata.namespace') or '?'}/{r.get('metadata.name') or r.name}"
            yield Finding(
                f"ScaledObject '{name}' needs KEDA, but the plan has none (no ManagedCluster with "
                "workloadAutoScalerProfile.keda.enabled, no 'keda' chart release from "
                f"oci://{ctx.registry_prefix}/helm): its CRD does not exist and the deployment never scales. AKS: "
                "components/azure/cluster.py enables the add-on; OKE: components/kubernetes/keda.py",
                r.urn,
            )
            continue
        if r.type != HPA:
            continue
        metrics = r.get("spec.metrics") or [{"type": "Resource"}]  # omitted: 80% average CPU
        needed = {
            "metrics.k8s.io"
            if m.get("type") in _RESOURCE_METRICS
            else _METRICS_API_GROUP.get(str(m.get("type")), "?")
            for m in metrics
            if isinstance(m, dict)
        }
        missing = sorted(needed - served)
        if missing:
            name = f"{r.get('metadata.namespace') or '?'}/{r.get('metadata.name') or r.name}"
            yield Finding(
                f"HorizontalPodAutoscaler '{name}' reads {', '.join(missing)} but nothing in the plan serves it, "
                "so it never scales (FailedGetResourceMetric). OKE: the KubernetesMetricsServer cluster add-on "
                "(components/oci/cluster_addons.py); custom or external metrics: the adapter's APIService",
                r.urn,
            )


NETWORK_POLICY_ENGINE_RULES: tuple[Rule, ...] = (
    Rule(
        "network-policy-engine",
        "NetworkPolicies only where the plan has an engine enforcing them (AKS networkProfile.networkPolicy; "
        "Calico on OKE): without one, default-deny and tenant isolation are no-ops.",
        _policies_enforced,
        lambda r: r.type in (NETWORK_POLICY, MANAGED_CLUSTER, HELM_RELEASE) or _kind(r) == "DaemonSet",
        sovereignty=False,
        reads=(
            "type",
            "inputs.networkProfile.networkPolicy",
            "inputs.chart",
            "inputs.spec.*containers.image",
        ),
    ),
    Rule(
        "hpa-metrics-source",
        "Every HorizontalPodAutoscaler and KEDA ScaledObject has a source for its metrics in the plan "
        "(metrics-server: AKS built in, the OKE KubernetesMetricsServer add-on; custom or external metrics: an "
        "APIService or KEDA, the AKS add-on or the keda chart from the country's registry).",
        _hpa_metrics,
        lambda r: (
            r.type in (HPA, SCALED_OBJECT, MANAGED_CLUSTER, OKE_ADDON, API_SERVICE, HELM_RELEASE)
            or _kind(r) == "Deployment"
        ),
        sovereignty=False,
        reads=(
            "type",
            "inputs.spec.metrics*",
            "inputs.addonName",
            "inputs.spec.group",
            "inputs.workloadAutoScalerProfile.keda.enabled",
            "inputs.chart",
        ),
    ),
)
