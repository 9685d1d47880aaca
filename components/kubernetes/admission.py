"""No pod may ask the cluster's image policy to let it through unverified: a ValidatingAdmissionPolicy denies
the ImagePolicyWebhook break-glass annotation on every pod.

Kubernetes' ImagePolicyWebhook admission documents the escape hatch: "annotations on the pod that match
``*.image-policy.k8s.io/*`` are sent to the webhook", and a pod annotated ``alpha.image-policy.k8s.io/break-glass:
"true"`` asks the backend to admit it whatever its image (kubernetes.io "Admission Controllers",
ImagePolicyWebhook). OKE's image verification (the cluster's ``image_policy_config``, signed images from the
country's registry) is such a policy, and Oracle documents no answer on whether it honours the annotation, so
the annotation is refused before any image policy sees it: a harmless rule if OKE ignores it, the only guard if
it does not. CEL validation (``admissionregistration.k8s.io/v1`` ValidatingAdmissionPolicy, GA in Kubernetes
1.30; the clusters run 1.33 or later) is evaluated by the API server itself: no webhook to run or keep up.
Workload controllers create pods, so a Deployment carrying the annotation in its template fails visibly (its
ReplicaSet reports the denial). Non-goals: other admission rules (Pod Security admission runs per namespace).
"""

import pulumi
import pulumi_kubernetes as k8s

__all__ = ["BREAK_GLASS_SUFFIX", "POLICY_NAME", "ImagePolicyGuard"]

POLICY_NAME = "sovereign-no-image-policy-break-glass"
BREAK_GLASS_SUFFIX = "image-policy.k8s.io/break-glass"
_EXPRESSION = (
    "!has(object.metadata.annotations) || "
    f"!object.metadata.annotations.exists(k, k.endsWith('{BREAK_GLASS_SUFFIX}'))"
)


class ImagePolicyGuard(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:kubernetes:ImagePolicyGuard", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            f"{name}-policy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=POLICY_NAME),
            spec=k8s.admissionregistration.v1.ValidatingAdmissionPolicySpecArgs(
                failure_policy="Fail",
                match_constraints=k8s.admissionregistration.v1.MatchResourcesArgs(
                    resource_rules=[
                        k8s.admissionregistration.v1.NamedRuleWithOperationsArgs(
                            api_groups=[""],
                            api_versions=["v1"],
                            operations=["CREATE", "UPDATE"],
                            resources=["pods"],
                        )
                    ]
                ),
                validations=[
                    k8s.admissionregistration.v1.ValidationArgs(
                        expression=_EXPRESSION,
                        message=f"pods may not carry a '*.{BREAK_GLASS_SUFFIX}' annotation: images are verified, "
                        "with no break-glass bypass",
                    )
                ],
            ),
            opts=child,
        )
        k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            f"{name}-binding",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=POLICY_NAME),
            spec=k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpecArgs(
                policy_name=policy.metadata.apply(lambda m: m.name or POLICY_NAME),
                validation_actions=["Deny"],
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.register_outputs({})
