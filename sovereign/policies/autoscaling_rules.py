"""Rule ``scaled-object-metrics-planned``: a ScaledObject scales on metrics that exist, in the cluster.

Built from finding K11 (the inference autoscaler scaled on CPU, nothing scraped vLLM, and the monitoring
namespace could not reach it: the plan passed and the deployment could never scale on load). KEDA's Prometheus
scaler sends its ``query`` to ``serverAddress`` (kedacore/keda ``pkg/scalers/prometheus_scaler.go``); for
each ``prometheus`` trigger of a ``keda.sh/v1alpha1`` ScaledObject the plan must hold:

- the scale target: a Deployment of that name in the ScaledObject's namespace (KEDA's ``scaleTargetRef``
  kind defaults to Deployment);
- the Prometheus the address names: ``http://<service>.<namespace>.svc...`` resolving to a ``prometheus``
  chart release from the country's registry in that namespace whose ``server.fullnameOverride`` is the
  service (``components/kubernetes/monitoring.py``); an address outside the cluster is refused, so the load
  signal of the national assistant is neither sent nor read elsewhere;
- that the Prometheus keeps its samples: no ``server.remoteWrite``;
- that it scrapes the target: a scrape job discovering pods in the target's namespace whose label selector
  the Deployment's pod template satisfies.

Whether KEDA itself is planned is rule ``hpa-metrics-source`` (``network_policy_engine.py``). Scope: the
prometheus chart's values as ``monitoring.py`` writes them. Non-goals: PromQL semantics, other scalers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["AUTOSCALING_RULES"]

SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
_PROMETHEUS_CHART = "prometheus"
_IN_CLUSTER = re.compile(
    r"^https?://(?P<service>[a-z0-9-]+)\.(?P<namespace>[a-z0-9-]+)\.svc(\.cluster\.local)?(:\d+)?/?$"
)


def _prometheus_releases(
    ctx: PolicyContext, resources: list[ResourceView]
) -> dict[tuple[str, str], ResourceView]:
    """(namespace, server service name) of each planned prometheus release from the country's registry."""
    found: dict[tuple[str, str], ResourceView] = {}
    for r in resources:
        chart = str(r.get("chart") or "")
        if r.type != HELM_RELEASE or chart.rstrip("/").rsplit("/", 1)[-1] != _PROMETHEUS_CHART:
            continue
        if not chart.startswith(f"oci://{ctx.registry_prefix}/"):
            continue
        service = r.get("values.server.fullnameOverride")
        if service:
            found[(str(r.get("namespace") or ""), str(service))] = r
    return found


def _selector(job: Mapping[str, Any], namespace: str) -> dict[str, str] | None:
    """The pod labels a kubernetes_sd pod job selects in the namespace, or None if it does not look there."""
    for sd in job.get("kubernetes_sd_configs") or []:
        if sd.get("role") != "pod" or namespace not in ((sd.get("namespaces") or {}).get("names") or []):
            continue
        labels: dict[str, str] = {}
        for selector in sd.get("selectors") or []:
            for term in str(selector.get("label") or "").split(","):
                key, _, value = term.partition("=")
                if key:
                    labels[key.strip()] = value.strip()
        return labels
    return None


def _scrapes(release: ResourceView, namespace: str, pod_labels: Mapping[str, str]) -> bool:
    jobs = release.get("values.scrapeConfigs") or {}
    for job in jobs.values() if isinstance(jobs, dict) else []:
        if not isinstance(job, dict) or job.get("enabled") is False:
            continue
        wanted = _selector(job, namespace)
        if wanted is not None and all(pod_labels.get(k) == v for k, v in wanted.items()):
            return True
    return False


def _problems(
    ctx: PolicyContext,
    r: ResourceView,
    resources: list[ResourceView],
    releases: Mapping[tuple[str, str], ResourceView],
) -> Iterator[str]:
    namespace = str(r.get("metadata.namespace") or "")
    ref = r.get("spec.scaleTargetRef") or {}
    target = next(
        (
            d
            for d in resources
            if d.type == DEPLOYMENT
            and ref.get("kind", "Deployment") == "Deployment"
            and d.get("metadata.name") == ref.get("name")
            and d.get("metadata.namespace") == namespace
        ),
        None,
    )
    if target is None:
        yield f"its scale target {ref.get('kind', 'Deployment')} '{namespace}/{ref.get('name')}' is not in the plan"
    pod_labels = (target.get("spec.template.metadata.labels") if target else None) or {}
    for trigger in r.get("spec.triggers") or []:
        if not isinstance(trigger, dict) or trigger.get("type") != "prometheus":
            continue
        address = str((trigger.get("metadata") or {}).get("serverAddress") or "")
        match = _IN_CLUSTER.match(address)
        if match is None:
            yield (
                f"serverAddress '{address}' is not a Service in the cluster: the load signal would be read from "
                "outside it (use the in-cluster Prometheus, components/kubernetes/monitoring.py)"
            )
            continue
        release = releases.get((match["namespace"], match["service"]))
        if release is None:
            yield (
                f"serverAddress '{address}' names no planned Prometheus (no '{_PROMETHEUS_CHART}' release from "
                f"oci://{ctx.registry_prefix}/helm in namespace '{match['namespace']}' with server.fullnameOverride "
                f"'{match['service']}')"
            )
            continue
        if release.get("values.server.remoteWrite"):
            yield f"Prometheus release '{release.name}' writes its samples elsewhere (server.remoteWrite)"
        if target is not None and not _scrapes(release, namespace, pod_labels):
            yield (
                f"Prometheus release '{release.name}' has no scrape job discovering the pods of "
                f"'{namespace}/{ref.get('name')}' (a kubernetes_sd pod job in '{namespace}' whose selector its "
                "pod labels satisfy): the query finds no series"
            )


def _scaled_objects_planned(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    releases = _prometheus_releases(ctx, resources)
    for r in resources:
        if r.type != SCALED_OBJECT:
            continue
        name = f"{r.get('metadata.namespace') or '?'}/{r.get('metadata.name') or r.name}"
        for problem in _problems(ctx, r, resources, releases):
            yield Finding(f"ScaledObject '{name}': {problem}, so it never scales on load", r.urn)


AUTOSCALING_RULES: tuple[Rule, ...] = (
    Rule(
        "scaled-object-metrics-planned",
        "Every KEDA ScaledObject scales a planned Deployment on a Prometheus planned in the cluster (a prometheus "
        "release from the country's registry, no remote write) that scrapes that Deployment's pods.",
        _scaled_objects_planned,
        lambda r: r.type in (SCALED_OBJECT, DEPLOYMENT, HELM_RELEASE),
        sovereignty=True,
        reads=(
            "type",
            "inputs.spec.scaleTargetRef*",
            "inputs.spec.triggers*",
            "inputs.metadata.*",
            "inputs.spec.template.metadata.labels*",
            "inputs.chart",
            "inputs.namespace",
            "inputs.values.server*",
            "inputs.values.scrapeConfigs*",
        ),
    ),
)
