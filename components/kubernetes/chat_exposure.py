"""How users reach the chat front end: internal by default, public only as a justified opt-in with TLS.

Pure (no resources): the two exposure choices, their checks, and the pieces the front end builds from them
(its URL, the Ingress spec, the NetworkPolicy rule admitting the ingress controller). There is deliberately
no ``public: bool``: public exposure is its own type, which cannot be built without a hostname, a TLS
secret and a justification. Non-goals: the ingress controller, DNS records and certificates.
"""

import re
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import require_dns_label
from components.kubernetes.netpol import namespace_selector, tcp_ports
from sovereign.config.limits import MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS
from sovereign.config.text import justification_problem

__all__ = [
    "ChatExposure",
    "InternalExposure",
    "PublicExposure",
    "check_exposure",
    "controller_ingress_rules",
    "exposure_url",
    "ingress_spec",
]

_HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


@dataclass(frozen=True)
class InternalExposure:
    """Reachable only inside the cluster or, through an internal ingress class, the private network."""

    hostname: str | None = None
    """Private DNS name served by an internal ingress controller; omitted: no Ingress, ClusterIP only."""
    ingress_class_name: str | None = None
    """IngressClass of an internal (private load balancer) controller; required with ``hostname``."""
    ingress_controller_namespace: str | None = None
    """Namespace of that controller, admitted by the NetworkPolicy; required with ``hostname``."""
    tls_secret_name: str | None = None
    """TLS secret for ``hostname`` in the front end's namespace; omitted: plain HTTP inside the private
    network."""


@dataclass(frozen=True)
class PublicExposure:
    """Reachable from the internet: an explicit opt-in, always with TLS."""

    hostname: str
    """Public DNS name of the assistant."""
    ingress_class_name: str
    """IngressClass of the public ingress controller."""
    ingress_controller_namespace: str
    """Namespace of that controller, admitted by the NetworkPolicy."""
    tls_secret_name: str
    """TLS secret for ``hostname`` in the front end's namespace (for example issued by cert-manager)."""
    justification: str
    """Why citizens must reach the assistant from the internet; kept in the plan for reviewers."""


ChatExposure = InternalExposure | PublicExposure


def check_exposure(exposure: ChatExposure) -> None:
    if exposure.hostname is None:
        if exposure.ingress_class_name or exposure.ingress_controller_namespace or exposure.tls_secret_name:
            raise ValueError("exposure: ingress class, controller namespace and TLS secret need a hostname")
        return
    if not _HOSTNAME.fullmatch(exposure.hostname):
        raise ValueError(f"exposure.hostname must be a fully qualified DNS name (got {exposure.hostname!r})")
    if not exposure.ingress_class_name or not exposure.ingress_controller_namespace:
        raise ValueError("exposure with a hostname needs ingress_class_name and ingress_controller_namespace")
    require_dns_label(exposure.ingress_controller_namespace, "exposure.ingress_controller_namespace")
    if isinstance(exposure, PublicExposure):
        if not exposure.tls_secret_name:
            raise ValueError("public exposure requires TLS: set tls_secret_name to the certificate's secret")
        # The same judge as validation's (sovereign.config.text), so both refuse the same padding.
        problem = justification_problem(
            exposure.justification, min_chars=MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS
        )
        if problem is not None:
            raise ValueError(
                f"public exposure requires a justification (got {exposure.justification!r}: {problem}): say why "
                "citizens must reach it from the internet"
            )
    if exposure.tls_secret_name:
        require_dns_label(exposure.tls_secret_name, "exposure.tls_secret_name")


def exposure_url(exposure: ChatExposure, port: int) -> str:
    """The URL users open, which OIDC redirects need (the port-forward URL without a hostname)."""
    if exposure.hostname is None:
        return f"http://localhost:{port}"
    return f"{'https' if exposure.tls_secret_name else 'http'}://{exposure.hostname}"


def controller_ingress_rules(
    exposure: ChatExposure, port: int
) -> list[k8s.networking.v1.NetworkPolicyIngressRuleArgs]:
    """Admit the ingress controller's namespace, and nobody when there is no controller."""
    if not exposure.ingress_controller_namespace:
        return []
    controller = k8s.networking.v1.NetworkPolicyPeerArgs(
        namespace_selector=namespace_selector(exposure.ingress_controller_namespace)
    )
    return [k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[controller], ports=tcp_ports(port))]


def ingress_spec(
    exposure: ChatExposure, service_name: pulumi.Input[str]
) -> k8s.networking.v1.IngressSpecArgs:
    if exposure.hostname is None:
        raise ValueError("an Ingress needs exposure.hostname")
    backend = k8s.networking.v1.IngressBackendArgs(
        service=k8s.networking.v1.IngressServiceBackendArgs(
            name=service_name, port=k8s.networking.v1.ServiceBackendPortArgs(name="http")
        )
    )
    tls = (
        [k8s.networking.v1.IngressTLSArgs(hosts=[exposure.hostname], secret_name=exposure.tls_secret_name)]
        if exposure.tls_secret_name
        else None
    )
    path = k8s.networking.v1.HTTPIngressPathArgs(path="/", path_type="Prefix", backend=backend)
    return k8s.networking.v1.IngressSpecArgs(
        ingress_class_name=exposure.ingress_class_name,
        tls=tls,
        rules=[
            k8s.networking.v1.IngressRuleArgs(
                host=exposure.hostname, http=k8s.networking.v1.HTTPIngressRuleValueArgs(paths=[path])
            )
        ],
    )
