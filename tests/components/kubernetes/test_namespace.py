"""RestrictedNamespace: PSA restricted, labels, default-deny, DNS only, protection."""

import pytest

from components.kubernetes import RestrictedNamespace, RestrictedNamespaceArgs
from sovereign.types import Environment
from tests.components.kubernetes.helpers import NETWORK_POLICY, record

NAMESPACE = "kubernetes:core/v1:Namespace"


def args(**changes: object) -> RestrictedNamespaceArgs:
    values: dict[str, object] = {
        "namespace_name": "assistant",
        "country_code": "de",
        "environment": Environment.PROD,
        "purpose": "assistant",
    }
    values.update(changes)
    return RestrictedNamespaceArgs(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def recording():
    return record(lambda: RestrictedNamespace("assistant", args()))


def test_enforces_audits_and_warns_restricted(recording) -> None:
    namespace = recording.one(NAMESPACE, "assistant-namespace")
    assert namespace.get("metadata.name") == "assistant", namespace.urn
    assert namespace.get("metadata.labels") == {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "sovereign.ai/country": "de",
        "sovereign.ai/environment": "prod",
        "sovereign.ai/purpose": "assistant",
    }, namespace.urn


def test_namespace_is_protected_by_default(recording) -> None:
    namespace = recording.one(NAMESPACE, "assistant-namespace")
    assert namespace.protect is True, namespace.urn


def test_denies_all_ingress_and_egress_by_default(recording) -> None:
    deny = recording.one(NETWORK_POLICY, "assistant-default-deny")
    assert deny.get("metadata") == {"name": "default-deny-all", "namespace": "assistant"}, deny.urn
    assert deny.get("spec") == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, deny.urn


def test_allows_only_dns_to_the_cluster_resolver(recording) -> None:
    dns = recording.one(NETWORK_POLICY, "assistant-allow-dns")
    assert dns.get("spec") == {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
                "ports": [{"protocol": "UDP", "port": 53.0}, {"protocol": "TCP", "port": 53.0}],
            }
        ],
    }, dns.urn


def test_no_other_policies_unless_asked(recording) -> None:
    names = sorted(r.name for r in recording.of_type(NETWORK_POLICY))
    assert names == ["assistant-allow-dns", "assistant-default-deny"]


def test_unprotected_outside_production() -> None:
    recording = record(lambda: RestrictedNamespace("staging", args(protect_stateful=False)))
    namespace = recording.one(NAMESPACE, "staging-namespace")
    assert namespace.protect is False, namespace.urn


@pytest.mark.parametrize(
    "labels", [{"pod-security.kubernetes.io/enforce": "privileged"}, {"sovereign.ai/country": "us"}]
)
def test_extra_labels_cannot_weaken_or_relabel(labels: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="extra_labels may not set"):
        args(extra_labels=labels)


def test_rejects_a_namespace_name_that_is_not_a_dns_label() -> None:
    with pytest.raises(ValueError, match="namespace_name must be a DNS label"):
        args(namespace_name="Assistant_NS")
