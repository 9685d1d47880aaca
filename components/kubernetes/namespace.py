"""A namespace that admits only restricted pods and no traffic it was not told about.

Creates the Namespace with Pod Security Admission ``restricted`` enforced (and audited and warned), labels for
country and environment, a default-deny NetworkPolicy for ingress and egress, and one policy that allows DNS
to the cluster's resolver. Everything else a workload needs is allowed by the component that owns it.
Non-goals: resource quotas (``tenant.py``), the cluster's CNI (it must enforce NetworkPolicies).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import COUNTRY_LABEL, ENVIRONMENT_LABEL, name_of, require_dns_label
from components.kubernetes.netpol import namespace_selector
from sovereign.types import Environment

__all__ = ["PSA_LABELS", "RestrictedNamespace", "RestrictedNamespaceArgs"]

PSA_LABELS = {
    f"pod-security.kubernetes.io/{mode}{suffix}": value
    for mode in ("enforce", "audit", "warn")
    for suffix, value in (("", "restricted"), ("-version", "latest"))
}
"""Pod Security Admission: refuse (enforce), log (audit) and warn about any pod below ``restricted``."""

_PURPOSE_LABEL = "sovereign.ai/purpose"


@dataclass(frozen=True)
class RestrictedNamespaceArgs:
    namespace_name: str
    """Name of the Kubernetes namespace (a DNS label), such as 'assistant' or 'tenant-acme'."""
    country_code: str
    """ISO 3166-1 alpha-2 code in lower case; becomes the ``sovereign.ai/country`` label."""
    environment: Environment
    """Becomes the ``sovereign.ai/environment`` label."""
    purpose: str
    """What the namespace is for ('assistant', 'tenant'); becomes the ``sovereign.ai/purpose`` label."""
    extra_labels: Mapping[str, str] = field(default_factory=dict)
    """More namespace labels; omitted: none. They may not touch the PSA, country, environment or purpose
    labels."""
    dns_namespace: str = "kube-system"
    """Namespace of the cluster DNS (CoreDNS on AKS and OKE alike)."""
    dns_pod_labels: Mapping[str, str] = field(default_factory=lambda: {"k8s-app": "kube-dns"})
    """Labels of the cluster DNS pods (CoreDNS keeps the historical ``k8s-app: kube-dns``)."""
    allow_same_namespace: bool = False
    """Also allow pods of this namespace to talk to each other; omitted: they may not (default-deny)."""
    protect_stateful: bool = True
    """Protect the namespace from ``pulumi destroy``: deleting it deletes every volume claim inside. The stack
    sets False for non-production environments."""

    def __post_init__(self) -> None:
        require_dns_label(self.namespace_name, "namespace_name")
        require_dns_label(self.purpose, "purpose")
        reserved = [key for key in self.extra_labels if key in PSA_LABELS or key.startswith("sovereign.ai/")]
        if reserved:
            raise ValueError(
                f"extra_labels may not set {reserved} (the component owns the Pod Security Admission and "
                "sovereign.ai/* labels): remove them"
            )


class RestrictedNamespace(pulumi.ComponentResource):
    namespace_name: pulumi.Output[str]
    """Name of the namespace, resolved once it exists (use it as ``namespace`` of objects inside)."""

    def __init__(self, name: str, args: RestrictedNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sovereign:kubernetes:RestrictedNamespace", name, None, opts)
        labels = {
            **args.extra_labels,
            **PSA_LABELS,
            COUNTRY_LABEL: args.country_code,
            ENVIRONMENT_LABEL: Environment(args.environment).value,
            _PURPOSE_LABEL: args.purpose,
        }
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace_name, labels=labels),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
        )
        self.namespace_name = name_of(namespace, args.namespace_name)
        everything = k8s.meta.v1.LabelSelectorArgs()  # empty selector: every pod of the namespace

        k8s.networking.v1.NetworkPolicy(
            f"{name}-default-deny",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="default-deny-all", namespace=self.namespace_name),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=everything, policy_types=["Ingress", "Egress"]
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-dns",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="allow-dns-egress", namespace=self.namespace_name),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=everything,
                policy_types=["Egress"],
                egress=[
                    k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                        to=[
                            k8s.networking.v1.NetworkPolicyPeerArgs(
                                namespace_selector=namespace_selector(args.dns_namespace),
                                pod_selector=k8s.meta.v1.LabelSelectorArgs(
                                    match_labels=dict(args.dns_pod_labels)
                                ),
                            )
                        ],
                        ports=[
                            k8s.networking.v1.NetworkPolicyPortArgs(protocol=protocol, port=53)
                            for protocol in ("UDP", "TCP")
                        ],
                    )
                ],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if args.allow_same_namespace:
            same = k8s.networking.v1.NetworkPolicyPeerArgs(pod_selector=everything)
            k8s.networking.v1.NetworkPolicy(
                f"{name}-allow-same-namespace",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name="allow-same-namespace", namespace=self.namespace_name
                ),
                spec=k8s.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=everything,
                    policy_types=["Ingress", "Egress"],
                    ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[same])],
                    egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs(to=[same])],
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"namespace_name": self.namespace_name})
