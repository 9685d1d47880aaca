"""Who goes first on a full cluster: the national assistant above the tenants, the cluster's add-ons above both.

Creates two PriorityClasses (cluster-scoped, ``scheduling.k8s.io/v1``):

- ``sovereign-assistant`` (value 1,000,000, may preempt): the model servers and the chat front end name it;
  when GPUs or nodes run short, the scheduler evicts tenants' pods for them, never the other way round.
- ``sovereign-tenant`` (value 0, ``globalDefault``, ``preemptionPolicy: Never``): every pod without a class gets
  it, so tenants need not name it. The Priority admission plugin writes the default class's name into
  ``spec.priorityClassName`` of class-less pods (kubernetes ``plugin/pkg/admission/priority/admission.go``,
  ``admitPod``: ``pod.Spec.PriorityClassName = pcName``), which the tenants' quota (``tenant.py``) then matches.

Why the default is the tenants' class and why its value is 0: ``globalDefault`` applies to every class-less pod
of the cluster, the GPU Operator's, KEDA's, Prometheus' and any add-on's too (kubernetes.io "Pod Priority and
Preemption": "globalDefault ... this PriorityClass should be used for Pods without a priorityClassName. Only one
PriorityClass with globalDefault set to true can exist"; without one, such pods get priority 0). At 0 those
pods keep exactly the priority they had; a higher default would let every add-on preempt the others, a lower
one would put them below nothing. ``Never`` only stops pods of the default class from preempting (a pod at 0
could preempt only pods below 0, of which there are none). System components keep their built-in classes
``system-cluster-critical`` (2,000,000,000) and ``system-node-critical`` (2,000,001,000), above both; user
classes may go up to 1,000,000,000 (same page), so no value here can outrank them.

What the assistant's class does to the add-ons at 0 on the same nodes: the model servers only run on GPU
nodes, whose add-on pods are DaemonSets at ``system-node-critical`` (``gpu_operator.py``); the chat front end
schedules on general nodes, where it may preempt a class-less add-on pod that no longer fits. Non-goals: the
add-ons' own classes (their charts'), a mutating webhook.
"""

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import name_of

__all__ = [
    "ASSISTANT_PRIORITY",
    "ASSISTANT_PRIORITY_CLASS",
    "TENANT_PRIORITY",
    "TENANT_PRIORITY_CLASS",
    "PriorityClasses",
]

ASSISTANT_PRIORITY_CLASS = "sovereign-assistant"
ASSISTANT_PRIORITY = 1_000_000
TENANT_PRIORITY_CLASS = "sovereign-tenant"
TENANT_PRIORITY = 0
"""The priority of pods without a class when no class is the global default: the default changes nobody's."""


class PriorityClasses(pulumi.ComponentResource):
    assistant: pulumi.Output[str]
    tenant: pulumi.Output[str]

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sovereign:kubernetes:PriorityClasses", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        assistant = k8s.scheduling.v1.PriorityClass(
            f"{name}-assistant",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ASSISTANT_PRIORITY_CLASS),
            value=ASSISTANT_PRIORITY,
            global_default=False,
            preemption_policy="PreemptLowerPriority",
            description="The national assistant (model servers, chat front end): ahead of tenants' pods.",
            opts=child,
        )
        tenant = k8s.scheduling.v1.PriorityClass(
            f"{name}-tenant",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=TENANT_PRIORITY_CLASS),
            value=TENANT_PRIORITY,
            global_default=True,
            preemption_policy="Never",
            description="Default of every pod without a class (tenants' pods): priority 0, never preempts.",
            opts=child,
        )
        self.assistant = name_of(assistant, ASSISTANT_PRIORITY_CLASS)
        self.tenant = name_of(tenant, TENANT_PRIORITY_CLASS)
        self.register_outputs({"assistant": self.assistant, "tenant": self.tenant})
