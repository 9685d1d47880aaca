"""The in-cluster Prometheus that feeds the inference autoscaler: metrics scraped and kept inside the country.

Installs the prometheus-community ``prometheus`` chart (``sovereign.catalogue.prometheus``) from the country's
registry as a ``helm.v3.Release`` in a restricted ``monitoring`` namespace (``RestrictedNamespace``: Pod
Security ``restricted``, default-deny, DNS). One server, no sub-charts, no persistent volume (it feeds the
autoscaler, a day of samples in an ``emptyDir`` is enough), no remote write, no alerting. It scrapes only
the listed :class:`ScrapeTarget` s (vLLM's ``/metrics``, the GPU Operator's DCGM exporter) by Kubernetes pod
discovery restricted to their namespaces: the chart binds its discovery role there only (``server.namespaces``
with ``server.useExistingClusterRoleName``, ``templates/rolebinding.yaml``), to the read-only ClusterRole made
here. Egress: DNS, the API server (discovery), each target's port; ingress: the query clients (KEDA) on 9090.

Why not Azure Managed Prometheus: it keeps samples in an Azure Monitor workspace outside the cluster, needs
a data collection rule, an endpoint and, on the network-isolated clusters here, Private Link ingestion
("you can set up private endpoint based ingestion to use Managed Prometheus", azure-aks-docs
``articles/aks/concepts-network-isolated.md``), and KEDA then queries it with a workload identity
(``articles/aks/autoscale-gpu-workloads-with-keda.md``). It would also be AKS-only. An in-cluster Prometheus is
fewer moving parts, the same on OKE, and nothing leaves the cluster. Non-goals: dashboards, alerting, long-term
storage, the Prometheus Operator and its ServiceMonitor CRDs (the scrape configuration is plain data here).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import require_dns_label, require_registry_prefix
from components.kubernetes.namespace import RestrictedNamespace, RestrictedNamespaceArgs
from components.kubernetes.netpol import (
    PeerSelector,
    egress_to_cidrs,
    ingress_from,
    peer,
    require_narrow_cidrs,
    tcp_ports,
)
from sovereign.catalogue import prometheus as catalogue
from sovereign.types import Environment

__all__ = ["PROMETHEUS_PORT", "Prometheus", "PrometheusArgs", "ScrapeTarget", "prometheus_values"]

PROMETHEUS_PORT = 9090
"""The server's container port (chart ``templates/_helpers.tpl`` ``prometheus.port``)."""
SERVER_NAME = "prometheus-server"
"""``server.fullnameOverride``: the Service, Deployment and ConfigMap name, so the URL is known in advance."""
SERVICE_PORT = 80
"""The chart's ``server.service.servicePort``."""
RELEASE_NAME = "prometheus"
SERVER_POD_LABELS = {
    "app.kubernetes.io/name": "prometheus",
    "app.kubernetes.io/instance": RELEASE_NAME,
    "app.kubernetes.io/component": "server",
}
"""The server pods' labels (chart ``prometheus.server.matchLabels``)."""
KUBERNETES_API_PORT = 443
_DISABLED_DEFAULT_JOBS = (
    "prometheus",
    "kubernetes-api-servers",
    "kubernetes-nodes",
    "kubernetes-nodes-cadvisor",
    "kubernetes-service-endpoints",
    "kubernetes-service-endpoints-slow",
    "prometheus-pushgateway",
    "kubernetes-services",
    "kubernetes-pods",
    "kubernetes-pods-slow",
)
"""The chart's default jobs (``values.yaml`` ``scrapeConfigs``): each would scrape the whole cluster."""
_SUBCHARTS = ("alertmanager", "kube-state-metrics", "prometheus-node-exporter", "prometheus-pushgateway")


@dataclass(frozen=True)
class ScrapeTarget:
    """Pods whose ``/metrics`` Prometheus scrapes."""

    job: str
    namespace: str
    pod_labels: Mapping[str, str]
    port: int
    admit_here: bool = False
    """Create the ingress NetworkPolicy in the target's namespace (for namespaces whose owner does not admit
    the scraper itself, such as the GPU Operator's); omitted: the target's component admits it."""


@dataclass(frozen=True)
class PrometheusArgs:
    registry_prefix: str
    country_code: str
    environment: Environment
    api_server_cidrs: Sequence[str]
    """Address ranges of the Kubernetes API server, which pod discovery watches."""
    targets: Sequence[ScrapeTarget]
    query_clients: Sequence[PeerSelector] = ()
    """Pods that may query the server (KEDA's operator)."""
    namespace_name: str = "monitoring"
    retention: str = "24h"
    scrape_interval: str = "15s"
    protect_stateful: bool = True
    extra_labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_registry_prefix(self.registry_prefix)
        require_dns_label(self.namespace_name, "namespace_name")
        require_narrow_cidrs(self.api_server_cidrs, "api_server_cidrs")
        if not self.api_server_cidrs:
            raise ValueError("api_server_cidrs is empty: pod discovery cannot reach the API server")
        if not self.targets:
            raise ValueError("targets is empty: a Prometheus that scrapes nothing feeds no autoscaler")
        jobs = [t.job for t in self.targets]
        if len(set(jobs)) != len(jobs):
            raise ValueError(f"scrape target jobs must be unique (got {jobs})")
        for target in self.targets:
            require_dns_label(target.namespace, f"targets[{target.job}].namespace")
            if not target.pod_labels:
                raise ValueError(f"targets[{target.job}].pod_labels is empty: it would scrape every pod")

    @property
    def server_address(self) -> str:
        return f"http://{SERVER_NAME}.{self.namespace_name}.svc.cluster.local:{SERVICE_PORT}"

    @property
    def scraper(self) -> PeerSelector:
        return PeerSelector(self.namespace_name, SERVER_POD_LABELS)


def _scrape_config(target: ScrapeTarget) -> dict[str, Any]:
    selector = ",".join(f"{k}={v}" for k, v in sorted(target.pod_labels.items()))
    return {
        "kubernetes_sd_configs": [
            {
                "role": "pod",
                "namespaces": {"names": [target.namespace]},
                "selectors": [{"role": "pod", "label": selector}],
            }
        ],
        # One target per pod and port (the chart's own `kubernetes-pods` job reads these meta labels).
        "relabel_configs": [
            {
                "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                "action": "keep",
                "regex": str(target.port),
            },
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
        ],
    }


def prometheus_values(args: PrometheusArgs, cluster_role_name: str) -> dict[str, Any]:
    """Chart values (keys of ``charts/prometheus/values.yaml`` at prometheus-29.27.0)."""
    registry = args.registry_prefix
    restricted = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    return {
        **{name: {"enabled": False} for name in _SUBCHARTS},
        "networkPolicy": {"enabled": False},  # this component writes its own
        "configmapReload": {
            "prometheus": {
                "image": {
                    "repository": catalogue.CONFIG_RELOADER.mirror_repository(registry),
                    "tag": catalogue.CONFIG_RELOADER.tag,
                },
                "containerSecurityContext": restricted,
                "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
            }
        },
        "server": {
            "fullnameOverride": SERVER_NAME,
            "image": {
                "repository": catalogue.SERVER.mirror_repository(registry),
                "tag": catalogue.SERVER.tag,
            },
            "namespaces": sorted({t.namespace for t in args.targets}),
            "useExistingClusterRoleName": cluster_role_name,
            "global": {"scrape_interval": args.scrape_interval, "evaluation_interval": "1m"},
            # Nothing leaves the cluster.
            "remoteWrite": [],
            "remoteRead": [],
            "retention": args.retention,
            "persistentVolume": {"enabled": False},
            "emptyDir": {"sizeLimit": "8Gi"},
            "securityContext": {
                "runAsUser": 65534,
                "runAsGroup": 65534,
                "fsGroup": 65534,
                "runAsNonRoot": True,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containerSecurityContext": restricted,
            "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
            "service": {"type": "ClusterIP", "servicePort": SERVICE_PORT},
        },
        "scrapeConfigs": {
            **{job: {"enabled": False} for job in _DISABLED_DEFAULT_JOBS},
            **{t.job: _scrape_config(t) for t in args.targets},
        },
    }


class Prometheus(pulumi.ComponentResource):
    namespace_name: pulumi.Output[str]
    release: k8s.helm.v3.Release
    server_address: str
    scraper: PeerSelector

    def __init__(self, name: str, args: PrometheusArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:kubernetes:Prometheus", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = RestrictedNamespace(
            f"{name}-namespace",
            RestrictedNamespaceArgs(
                namespace_name=args.namespace_name,
                country_code=args.country_code,
                environment=args.environment,
                purpose="monitoring",
                protect_stateful=args.protect_stateful,
            ),
            opts=child,
        )
        self.namespace_name = namespace.namespace_name
        pods = k8s.meta.v1.LabelSelectorArgs(match_labels=SERVER_POD_LABELS)
        role_name = f"{args.namespace_name}-prometheus-discovery"
        prerequisites: list[pulumi.Resource] = [
            namespace,
            # Read-only pod discovery, bound by the chart only in the targets' namespaces.
            k8s.rbac.v1.ClusterRole(
                f"{name}-discovery",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=role_name),
                rules=[
                    k8s.rbac.v1.PolicyRuleArgs(
                        api_groups=[""],
                        resources=["pods", "services", "endpoints"],
                        verbs=["get", "list", "watch"],
                    )
                ],
                opts=child,
            ),
            k8s.networking.v1.NetworkPolicy(
                f"{name}-egress",
                metadata=k8s.meta.v1.ObjectMetaArgs(name="prometheus-egress", namespace=self.namespace_name),
                spec=k8s.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=pods,
                    policy_types=["Egress"],
                    egress=[
                        *egress_to_cidrs(args.api_server_cidrs, KUBERNETES_API_PORT),
                        *(
                            k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                                to=[peer(PeerSelector(t.namespace, t.pod_labels))], ports=tcp_ports(t.port)
                            )
                            for t in args.targets
                        ),
                    ],
                ),
                opts=child,
            ),
        ]
        if args.query_clients:
            prerequisites.append(
                k8s.networking.v1.NetworkPolicy(
                    f"{name}-allow-queries",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name="prometheus-allow-queries", namespace=self.namespace_name
                    ),
                    spec=k8s.networking.v1.NetworkPolicySpecArgs(
                        pod_selector=pods,
                        policy_types=["Ingress"],
                        ingress=ingress_from(args.query_clients, PROMETHEUS_PORT),
                    ),
                    opts=child,
                )
            )
        scraper = PeerSelector(args.namespace_name, SERVER_POD_LABELS)
        for target in (t for t in args.targets if t.admit_here):
            prerequisites.append(
                k8s.networking.v1.NetworkPolicy(
                    f"{name}-admit-{target.job}",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name="allow-prometheus-scrape", namespace=target.namespace
                    ),
                    spec=k8s.networking.v1.NetworkPolicySpecArgs(
                        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(target.pod_labels)),
                        policy_types=["Ingress"],
                        ingress=ingress_from([scraper], target.port),
                    ),
                    opts=child,
                )
            )
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name=RELEASE_NAME,
            chart=catalogue.chart_url(args.registry_prefix),
            version=catalogue.CHART_VERSION,
            namespace=self.namespace_name,
            values=prometheus_values(args, role_name),
            atomic=True,
            timeout=600,
            opts=pulumi.ResourceOptions(parent=self, depends_on=prerequisites),
        )
        self.server_address = args.server_address
        self.scraper = scraper
        self.register_outputs({"namespace_name": self.namespace_name})
