"""The ``no-image-policy-break-glass`` rule: image verification has no bypass (OCI check line).

A pod annotated ``*.image-policy.k8s.io/break-glass`` asks an ImagePolicyWebhook backend to admit it whatever
its image (kubernetes.io "Admission Controllers", ImagePolicyWebhook). The plan must deny that annotation in the
API server (the ValidatingAdmissionPolicy of ``components/kubernetes/admission.py``, bound with ``Deny``), and
no planned workload may carry it in its pod template.
"""

from __future__ import annotations

from collections.abc import Iterator

from components.kubernetes.admission import BREAK_GLASS_SUFFIX
from sovereign.policies.kubernetes_rules import is_workload, pod_annotations
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["ADMISSION_RULES"]

POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"


def _denies_break_glass(policy: ResourceView) -> bool:
    rules = policy.get("spec.matchConstraints.resourceRules") or []
    covers_pods = any(
        "pods" in (r.get("resources") or []) and "CREATE" in (r.get("operations") or []) for r in rules
    )
    expressions = [str(v.get("expression", "")) for v in policy.get("spec.validations") or []]
    return covers_pods and any(BREAK_GLASS_SUFFIX in e and "!" in e for e in expressions)


def _no_break_glass(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    workloads = [r for r in resources if is_workload(r)]
    if not workloads:
        return
    guarding = {str(p.get("metadata.name")) for p in resources if p.type == POLICY and _denies_break_glass(p)}
    bound = any(
        b.type == BINDING
        and str(b.get("spec.policyName")) in guarding
        and "Deny" in (b.get("spec.validationActions") or [])
        for b in resources
    )
    if not bound:
        yield Finding(
            "no ValidatingAdmissionPolicy bound with Deny refuses the '*.image-policy.k8s.io/break-glass' pod "
            "annotation: a pod could ask the image policy to skip verification",
            None,
        )
    for r in workloads:
        for key in pod_annotations(r):
            if str(key).endswith(BREAK_GLASS_SUFFIX):
                yield Finding(f"pod template carries the break-glass annotation '{key}'", r.urn)


ADMISSION_RULES: tuple[Rule, ...] = (
    Rule(
        "no-image-policy-break-glass",
        "A bound ValidatingAdmissionPolicy denies the image-policy break-glass pod annotation, and no workload "
        "carries it.",
        _no_break_glass,
        lambda r: r.type in (POLICY, BINDING) or is_workload(r),
        reads=(
            "inputs.metadata.name",
            "inputs.spec.matchConstraints*",
            "inputs.spec.validations*",
            "inputs.spec.policyName",
            "inputs.spec.validationActions*",
            "inputs.spec.*template.metadata.annotations*",
        ),
    ),
)
