"""One tenant of the national startup programme: its own namespace, with quotas, and a group that edits it.

Creates a restricted namespace (PSA ``restricted``, default-deny networking, DNS, and traffic between the
tenant's own pods), a ResourceQuota (GPUs, CPU, memory, node-local ephemeral storage, volume storage, object
counts; no load balancers or node ports; zero storage on the cloud's unencrypted classes), a second quota
admitting no pod of any PriorityClass but the tenants' (so no tenant pod can take the assistant's class, or a
system class, and preempt the model servers), a LimitRange (defaults so every container counts against the
quota), and a namespaced edit Role and the RoleBinding giving it to the tenant's group. Tenants never reach the
inference services directly (their NetworkPolicy admits the chat front end only); the tenant API gateway is a
separate component. Non-goals: the tenant's workloads, the group itself (the country's identity provider),
admission of tenants' images.
"""

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import name_of, require_dns_label, require_positive
from components.kubernetes.namespace import RestrictedNamespace, RestrictedNamespaceArgs
from components.kubernetes.scheduling import GPU_RESOURCE
from sovereign.types import Environment

__all__ = ["TENANT_EDIT_RULES", "TenantNamespace", "TenantNamespaceArgs", "tenant_namespace_name"]

_WRITE = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
_READ = ("get", "list", "watch")
TENANT_EDIT_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # Like the built-in 'edit' role, minus what would undo the namespace's guard rails: NetworkPolicies,
    # quotas, limit ranges, RBAC and Ingresses are read-only or absent. No wildcards anywhere.
    ("", ("pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"), _WRITE),
    ("", ("pods/log",), _READ),
    ("", ("pods/exec", "pods/portforward"), ("get", "create")),
    ("", ("events", "endpoints", "resourcequotas", "limitranges"), _READ),
    ("apps", ("deployments", "statefulsets", "replicasets"), _WRITE),
    ("batch", ("jobs", "cronjobs"), _WRITE),
    ("autoscaling", ("horizontalpodautoscalers",), _WRITE),
    ("policy", ("poddisruptionbudgets",), _WRITE),
    ("networking.k8s.io", ("networkpolicies",), _READ),
)


def tenant_namespace_name(tenant_name: str) -> str:
    return f"tenant-{tenant_name}"


@dataclass(frozen=True)
class TenantNamespaceArgs:
    tenant_name: str
    """Short name of the tenant (a DNS label of at most 56 characters); the namespace is 'tenant-<name>'."""
    group_name: str
    """The tenant's group as the cluster sees it: Entra ID group object id on AKS, OCI IAM group OCID or name
    on OKE. Its members may edit the namespace and nothing else."""
    country_code: str
    environment: Environment
    gpu_quota: int
    """GPUs the tenant may request in total (``requests.nvidia.com/gpu``); 0 for CPU-only tenants."""
    cpu_cores: int
    """CPU cores the tenant may request and use in total."""
    memory_gib: int
    """Memory the tenant may request and use in total."""
    storage_gib: int
    """Storage all the tenant's volume claims may request in total."""
    max_pods: int
    """Pods that may exist at once."""
    ephemeral_storage_gib: int = 50
    """Node-local scratch space (writable layers, logs, emptyDirs) all the tenant's containers may request and
    use in total (``requests``/``limits.ephemeral-storage``): without it one tenant can fill a node's disk and
    the kubelet evicts whatever runs there, the model servers included."""
    priority_class_name: str | None = None
    """The tenants' PriorityClass (``priority.TENANT_PRIORITY_CLASS``, the cluster's global default): pods of
    any other class are refused in the namespace; omitted: no such quota."""
    denied_storage_classes: tuple[str, ...] = ()
    """Storage classes the tenant may not use (the cloud's built-in classes without customer-managed keys);
    omitted: none."""
    max_persistent_volume_claims: int = 10
    max_services: int = 10
    max_config_maps: int = 50
    max_secrets: int = 50
    default_container_cpu_millicores: int = 500
    """Request and limit given to containers that declare none, so they still count against the quota."""
    default_container_memory_mib: int = 512
    default_container_ephemeral_storage_mib: int = 1024
    protect_stateful: bool = True
    """Protect the namespace (and so the tenant's volumes) from ``pulumi destroy``."""

    def __post_init__(self) -> None:
        require_dns_label(tenant_namespace_name(self.tenant_name), "tenant namespace 'tenant-<tenant_name>'")
        if not self.group_name.strip():
            raise ValueError(f"tenant '{self.tenant_name}': group_name must name the tenant's group")
        if self.gpu_quota < 0:
            raise ValueError(
                f"tenant '{self.tenant_name}': gpu_quota must be 0 or more (got {self.gpu_quota})"
            )
        for what in (
            "cpu_cores",
            "memory_gib",
            "storage_gib",
            "ephemeral_storage_gib",
            "max_pods",
            "max_persistent_volume_claims",
            "default_container_ephemeral_storage_mib",
        ):
            require_positive(getattr(self, what), f"tenant '{self.tenant_name}': {what}")
        for storage_class in self.denied_storage_classes:
            require_dns_label(storage_class, "denied_storage_classes")
        if self.priority_class_name is not None:
            require_dns_label(self.priority_class_name, "priority_class_name")
        if self.default_container_ephemeral_storage_mib > self.ephemeral_storage_gib * 1024:
            raise ValueError(
                f"tenant '{self.tenant_name}': default_container_ephemeral_storage_mib "
                f"({self.default_container_ephemeral_storage_mib}) exceeds the quota "
                f"ephemeral_storage_gib ({self.ephemeral_storage_gib})"
            )

    def quota(self) -> dict[str, str]:
        hard = {
            f"requests.{GPU_RESOURCE}": str(self.gpu_quota),
            "requests.cpu": str(self.cpu_cores),
            "limits.cpu": str(self.cpu_cores),
            "requests.memory": f"{self.memory_gib}Gi",
            "limits.memory": f"{self.memory_gib}Gi",
            # Kubernetes "Resource Quotas" (concepts/policy/resource-quotas, 1.33): requests.ephemeral-storage and
            # limits.ephemeral-storage. Unlike cpu and memory, a pod without them is admitted and not counted
            # ("you can create a new pod without limit/request ephemeral storage"): the LimitRange defaults below
            # give every container both, so nothing escapes the quota.
            "requests.ephemeral-storage": f"{self.ephemeral_storage_gib}Gi",
            "limits.ephemeral-storage": f"{self.ephemeral_storage_gib}Gi",
            "requests.storage": f"{self.storage_gib}Gi",
            "persistentvolumeclaims": str(self.max_persistent_volume_claims),
            "pods": str(self.max_pods),
            "services": str(self.max_services),
            # Tenants publish nothing outside the cluster.
            "services.loadbalancers": "0",
            "services.nodeports": "0",
            "configmaps": str(self.max_config_maps),
            "secrets": str(self.max_secrets),
        }
        for storage_class in self.denied_storage_classes:
            hard[f"{storage_class}.storageclass.storage.k8s.io/requests.storage"] = "0"
            hard[f"{storage_class}.storageclass.storage.k8s.io/persistentvolumeclaims"] = "0"
        return hard


class TenantNamespace(pulumi.ComponentResource):
    namespace_name: pulumi.Output[str]

    def __init__(self, name: str, args: TenantNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sovereign:kubernetes:TenantNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = RestrictedNamespace(
            f"{name}-namespace",
            RestrictedNamespaceArgs(
                namespace_name=tenant_namespace_name(args.tenant_name),
                country_code=args.country_code,
                environment=args.environment,
                purpose="tenant",
                extra_labels={"tenant.sovereign.ai/name": args.tenant_name},
                allow_same_namespace=True,
                protect_stateful=args.protect_stateful,
            ),
            opts=child,
        )
        self.namespace_name = namespace.namespace_name

        def meta(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=self.namespace_name)

        k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata=meta("tenant-quota"),
            spec=k8s.core.v1.ResourceQuotaSpecArgs(hard=args.quota()),
            opts=child,
        )
        if args.priority_class_name is not None:
            # Kubernetes "Resource Quotas", "Limit Priority Class consumption by default" and the PriorityClass
            # scope (NotIn): a quota of zero pods over every class but the tenants' refuses a pod naming the
            # assistant's or a system class. Class-less pods carry the default's name by the time the quota
            # admission runs (priority.py), so they are not in its scope.
            k8s.core.v1.ResourceQuota(
                f"{name}-priority-quota",
                metadata=meta("tenant-priority"),
                spec=k8s.core.v1.ResourceQuotaSpecArgs(
                    hard={"pods": "0"},
                    scope_selector=k8s.core.v1.ScopeSelectorArgs(
                        match_expressions=[
                            k8s.core.v1.ScopedResourceSelectorRequirementArgs(
                                scope_name="PriorityClass",
                                operator="NotIn",
                                values=[args.priority_class_name],
                            )
                        ]
                    ),
                ),
                opts=child,
            )
        container_default = {
            "cpu": f"{args.default_container_cpu_millicores}m",
            "memory": f"{args.default_container_memory_mib}Mi",
            "ephemeral-storage": f"{args.default_container_ephemeral_storage_mib}Mi",
        }
        k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=meta("tenant-limits"),
            spec=k8s.core.v1.LimitRangeSpecArgs(
                limits=[
                    k8s.core.v1.LimitRangeItemArgs(
                        type="Container",
                        default=container_default,
                        default_request=container_default,
                        max={
                            "cpu": str(args.cpu_cores),
                            "memory": f"{args.memory_gib}Gi",
                            "ephemeral-storage": f"{args.ephemeral_storage_gib}Gi",
                        },
                    ),
                    k8s.core.v1.LimitRangeItemArgs(
                        type="PersistentVolumeClaim", max={"storage": f"{args.storage_gib}Gi"}
                    ),
                ]
            ),
            opts=child,
        )
        role = k8s.rbac.v1.Role(
            f"{name}-edit-role",
            metadata=meta("tenant-edit"),
            rules=[
                k8s.rbac.v1.PolicyRuleArgs(api_groups=[group], resources=list(resources), verbs=list(verbs))
                for group, resources, verbs in TENANT_EDIT_RULES
            ],
            opts=child,
        )
        k8s.rbac.v1.RoleBinding(
            f"{name}-edit-binding",
            metadata=meta("tenant-edit"),
            role_ref=k8s.rbac.v1.RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="Role", name=name_of(role, "tenant-edit")
            ),
            subjects=[
                k8s.rbac.v1.SubjectArgs(
                    kind="Group", name=args.group_name, api_group="rbac.authorization.k8s.io"
                )
            ],
            opts=child,
        )
        self.register_outputs({"namespace_name": self.namespace_name})
