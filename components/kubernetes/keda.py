"""KEDA on OKE: what turns the inference ScaledObjects into HorizontalPodAutoscalers and serves their metrics.

AKS runs KEDA as a managed add-on (``workloadAutoScalerProfile.keda.enabled`` on the ManagedCluster,
``components/azure/cluster.py``); OKE has none, so this component installs the kedacore ``keda`` chart
(``sovereign.catalogue.keda``) from the country's registry as a ``helm.v3.Release`` in a restricted ``keda``
namespace (the chart's pods run as non-root with every capability dropped and a read-only root, kedacore/charts
``keda/values.yaml`` "KEDA is secure by default", so Pod Security ``restricted`` admits them), with its CRDs
(``crds.install``, the ScaledObject CRD the inference services need), every image from the in-country mirror
by tag (the catalogue says why there is no digest), and its own NetworkPolicies (KEDA's ports: keda.sh/docs/
2.20/operate/cluster "Firewall"; the chart's ``templates/*/deployment.yaml`` at v2.20.2):

- the API server calls the metrics API server (6443, ``service.portHttpsTarget``) and the admission webhooks
  (9443); its source address is the control plane's, not a pod's, so these two ports are open to any source
  (both are TLS and authenticate the API server's requests);
- the metrics API server calls the operator's gRPC metrics service (9666);
- the operator queries the in-cluster Prometheus (``monitoring.py``) and everything calls the API server.

Workloads whose ScaledObjects need the CRD depend on the release (``stacks/assistant.py``). Non-goals:
KEDA's HTTP add-on, cert-manager integration, KEDA's own Prometheus metrics.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import require_registry_prefix
from components.kubernetes.namespace import RestrictedNamespace, RestrictedNamespaceArgs
from components.kubernetes.netpol import PeerSelector, egress_to_cidrs, peer, require_narrow_cidrs, tcp_ports
from sovereign.catalogue import keda as catalogue
from sovereign.catalogue.mirror import UpstreamImage
from sovereign.types import Environment

__all__ = ["OPERATOR_POD_LABELS", "Keda", "KedaArgs", "keda_values"]

OPERATOR_POD_LABELS = {"app.kubernetes.io/name": "keda-operator"}
"""The operator pods' label (chart ``templates/manager/deployment.yaml``: ``app.kubernetes.io/name:
{{ .Values.operator.name }}``, default 'keda-operator')."""
_METRICS_SERVER_LABELS = {"app.kubernetes.io/name": "keda-operator-metrics-apiserver"}
_WEBHOOK_LABELS = {"app.kubernetes.io/name": "keda-admission-webhooks"}
METRICS_API_PORT = 6443
WEBHOOK_PORT = 9443
OPERATOR_GRPC_PORT = 9666
KUBERNETES_API_PORT = 443


@dataclass(frozen=True)
class KedaArgs:
    registry_prefix: str
    country_code: str
    environment: Environment
    api_server_cidrs: Sequence[str]
    """Address ranges of the Kubernetes API server (OKE: the API endpoint subnet)."""
    prometheus: PeerSelector
    """The Prometheus pods the operator queries."""
    prometheus_port: int = 9090
    namespace_name: str = "keda"
    protect_stateful: bool = True

    def __post_init__(self) -> None:
        require_registry_prefix(self.registry_prefix)
        require_narrow_cidrs(self.api_server_cidrs, "api_server_cidrs")
        if not self.api_server_cidrs:
            raise ValueError("api_server_cidrs is empty: KEDA cannot reach the API server")

    @property
    def operator(self) -> PeerSelector:
        return PeerSelector(self.namespace_name, OPERATOR_POD_LABELS)


def keda_values(args: KedaArgs) -> dict[str, Any]:
    """Chart values (keys of kedacore/charts ``keda/values.yaml`` at v2.20.2)."""
    registry = args.registry_prefix

    def image(ref: UpstreamImage) -> dict[str, str]:
        return {"registry": ref.mirror_registry(registry), "repository": ref.path, "tag": ref.tag}

    return {
        "image": {
            "keda": image(catalogue.OPERATOR),
            "metricsApiServer": image(catalogue.METRICS_API_SERVER),
            "webhooks": image(catalogue.ADMISSION_WEBHOOKS),
            # Tags, not digests (see the catalogue): never re-pull a tag that could have moved.
            "pullPolicy": "IfNotPresent",
        },
        "crds": {"install": True},
        # This component writes the policies (the chart's `kubernetes` flavour allows egress to every pod).
        "networkPolicy": {"enabled": False},
    }


class Keda(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    """The Helm release; ScaledObjects depend on it (it installs their CRD)."""

    def __init__(self, name: str, args: KedaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:kubernetes:Keda", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = RestrictedNamespace(
            f"{name}-namespace",
            RestrictedNamespaceArgs(
                namespace_name=args.namespace_name,
                country_code=args.country_code,
                environment=args.environment,
                purpose="autoscaling",
                protect_stateful=args.protect_stateful,
            ),
            opts=child,
        )
        ns = namespace.namespace_name

        def policy(
            suffix: str,
            pods: dict[str, str],
            ingress: list[k8s.networking.v1.NetworkPolicyIngressRuleArgs] | None = None,
            egress: list[k8s.networking.v1.NetworkPolicyEgressRuleArgs] | None = None,
        ) -> k8s.networking.v1.NetworkPolicy:
            return k8s.networking.v1.NetworkPolicy(
                f"{name}-{suffix}",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=f"keda-{suffix}", namespace=ns),
                spec=k8s.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=pods),
                    policy_types=[t for t, rules in (("Ingress", ingress), ("Egress", egress)) if rules],
                    ingress=ingress,
                    egress=egress,
                ),
                opts=child,
            )

        prometheus = k8s.networking.v1.NetworkPolicyEgressRuleArgs(
            to=[peer(args.prometheus)], ports=tcp_ports(args.prometheus_port)
        )
        operator_grpc = k8s.networking.v1.NetworkPolicyEgressRuleArgs(
            to=[peer(args.operator)], ports=tcp_ports(OPERATOR_GRPC_PORT)
        )
        policies = [
            # Every KEDA pod watches or writes objects through the API server.
            policy(
                "allow-api-server", {}, egress=egress_to_cidrs(args.api_server_cidrs, KUBERNETES_API_PORT)
            ),
            policy("operator", OPERATOR_POD_LABELS, egress=[prometheus]),
            policy(
                "operator-grpc",
                OPERATOR_POD_LABELS,
                ingress=[
                    k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                        from_=[peer(PeerSelector(args.namespace_name, _METRICS_SERVER_LABELS))],
                        ports=tcp_ports(OPERATOR_GRPC_PORT),
                    )
                ],
            ),
            policy(
                "metrics-apiserver",
                _METRICS_SERVER_LABELS,
                ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs(ports=tcp_ports(METRICS_API_PORT))],
                egress=[operator_grpc],
            ),
            policy(
                "webhooks",
                _WEBHOOK_LABELS,
                ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs(ports=tcp_ports(WEBHOOK_PORT))],
            ),
        ]
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name="keda",
            chart=catalogue.chart_url(args.registry_prefix),
            version=catalogue.CHART_VERSION,
            namespace=ns,
            values=keda_values(args),
            atomic=True,
            timeout=600,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace, *policies]),
        )
        self.register_outputs({})
