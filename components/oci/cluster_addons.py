"""ClusterAddons: the OKE cluster add-ons the platform needs, and the IAM they need.

Declares, on an enhanced cluster:

- the ``ClusterAutoscaler`` add-on managing every autoscaled pool (``min < max``) as ``<min>:<max>:<pool OCID>``
  in its ``nodes`` argument, authenticated as a workload identity (``authType: workload``), after the policy
  that lets exactly the add-on's service account manage the compartment's node pools (and a propagation wait);
- the ``KubernetesMetricsServer`` add-on (the Metrics API horizontal pod autoscalers read), after the
  ``CertManager`` add-on;
- on a cluster with GPU pools, the ``NvidiaGpuPlugin`` add-on (the NVIDIA device plugin that advertises
  ``nvidia.com/gpu``), tolerating every taint of those pools through its ``tolerations`` argument.

Sources (docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/, checked 2026-12):
- ``contengusingclusterautoscaler_topic-Working_with_Cluster_Autoscaler_as_Cluster_Add-on.htm``: the add-on
  ``ClusterAutoscaler`` with ``{"key": "nodes", "value": "2:4:ocid1.nodepool..., 1:5:ocid1.nodepool..."}`` and
  ``{"key": "authType", "value": "workload"}``; workload identity is "supported with enhanced clusters" and
  Cluster Autoscaler 1.26 or later; the six statements "Allow any-user to manage cluster-node-pools | manage
  instance-family | use subnets | read virtual-network-family | use vnics | inspect compartments in compartment
  <c> where ALL {request.principal.type='workload', request.principal.namespace ='kube-system',
  request.principal.service_account = 'cluster-autoscaler', request.principal.cluster_id = '<cluster-ocid>'}";
  and "always have at least one node pool that is not managed by the Kubernetes Cluster Autoscaler to run
  critical cluster add-ons": the system pool never is.
- ``contengintroducingclusteraddons.htm``: "Kubernetes Metrics Server ... exposes them in the Kubernetes API
  server through the Kubernetes Metrics API"; "If you specify that you want the add-on to be automatically
  updated (default behavior), Oracle deploys the most recent version of the add-on that supports the Kubernetes
  version specified for the cluster". No ``version`` is set (pulumi_oci ``containerengine.Addon``: "version -
  (Updatable) The version of addon to be installed", optional), so Oracle keeps the add-ons current.
- The metrics server waits for ``CertManager`` as Oracle-maintained module examples install it
  (oracle-terraform-modules/terraform-oci-oke ``modules/cluster-addons/addons.tf`` installs ``CertManager`` as
  the "primary" add-on every other add-on ``depends_on``).

- ``configuration-arguments-nvidia-gpu-plugin.htm`` ("NVIDIA GPU Plugin"): the arguments common to all add-ons
  include ``tolerations``, "JSON format in plain text or Base64 encoded", example
  ``[{"key":"tolerationKeyFoo", "value":"tolerationValBar", "effect":"noSchedule", "operator":"exists"}]``,
  "For a pod to run on a node that has a taint, the pod must have a corresponding toleration". The taints are
  passed in Kubernetes' own spelling (``Equal``/``Exists``, ``NoSchedule``), which the Kubernetes API requires.
  The plugin is not there unless declared: terraform-oci-oke ``examples/cluster-addons/vars-cluster-addons.auto.tfvars``
  ("The NvidiaGpuPlugin is disabled by default. To enable it, add the following block"), and
  ``contengintroducingclusteraddons.htm`` deploys only the essential add-ons (CoreDNS, kube-proxy, the CNI) by
  default. Oracle's page recommends choosing the plugin's version rather than automatic updates; no version is
  pinned here, as for the other add-ons (the supported versions depend on the cluster's Kubernetes version).

The autoscaler changes the pools' sizes: the pools ignore their size (``OkeNodePool``), as terraform-oci-oke's
``autoscaled_workers`` node pools do (``modules/workers/nodepools.tf``, ``ignore_changes = [... size]``).
IAM goes through the home-region provider (OCI accepts IAM writes only there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci
import pulumiverse_time as time

from components.oci.key_access import IAM_PROPAGATION
from components.oci.regions import region_key

__all__ = [
    "AUTOSCALER_NAMESPACE",
    "AUTOSCALER_SERVICE_ACCOUNT",
    "AutoscaledPool",
    "ClusterAddons",
    "ClusterAddonsArgs",
    "autoscaler_nodes",
    "autoscaler_statements",
    "gpu_plugin_tolerations",
]

AUTOSCALER_NAMESPACE = "kube-system"
AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler"
"""Where the add-on runs and as whom: the workload principal the policy names (Oracle's statements)."""
_AUTOSCALER_GRANTS = (
    "manage cluster-node-pools",
    "manage instance-family",
    "use subnets",
    "read virtual-network-family",
    "use vnics",
    "inspect compartments",
)


@dataclass(frozen=True)
class AutoscaledPool:
    name: str
    node_pool_id: pulumi.Input[str]
    min_nodes: int
    max_nodes: int

    def __post_init__(self) -> None:
        if not 0 <= self.min_nodes < self.max_nodes:
            raise ValueError(
                f"node_pools.{self.name}: the autoscaler needs 0 <= node_count_min < node_count_max (got "
                f"{self.min_nodes}..{self.max_nodes}); equal bounds make a fixed pool, leave it out"
            )


def autoscaler_nodes(pools: Sequence[tuple[int, int, str]]) -> str:
    """The add-on's ``nodes`` value: ``<min>:<max>:<pool OCID>`` per pool, comma separated (Oracle's format)."""
    return ", ".join(f"{low}:{high}:{pool_id}" for low, high, pool_id in pools)


def autoscaler_statements(*, compartment_id: str, cluster_id: str, region: str) -> list[str]:
    """Oracle's workload-identity statements for the add-on, by compartment OCID and in the region only."""
    for value, what in ((compartment_id, "compartment_id"), (cluster_id, "cluster_id")):
        if not value or "'" in value or " " in value:
            raise ValueError(f"{what}: {value!r} is not an OCID")
    condition = (
        "where all {request.principal.type = 'workload', "
        f"request.principal.namespace = '{AUTOSCALER_NAMESPACE}', "
        f"request.principal.service_account = '{AUTOSCALER_SERVICE_ACCOUNT}', "
        f"request.principal.cluster_id = '{cluster_id}', request.region = '{region_key(region)}'}}"
    )
    return [
        f"Allow any-user to {grant} in compartment id {compartment_id} {condition}"
        for grant in _AUTOSCALER_GRANTS
    ]


def gpu_plugin_tolerations(taints: Sequence[str]) -> str:
    """The ``tolerations`` argument: one Kubernetes toleration per ``key[=value]:Effect`` taint, as JSON."""
    tolerations = []
    for taint in dict.fromkeys(taints):
        key_value, sep, effect = taint.rpartition(":")
        key, has_value, value = key_value.partition("=")
        if not sep or not key or effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            raise ValueError(
                f"gpu_taints: {taint!r} is not 'key[=value]:NoSchedule|PreferNoSchedule|NoExecute'"
            )
        toleration = {"key": key, "operator": "Equal" if has_value else "Exists", "effect": effect}
        tolerations.append({**toleration, "value": value} if has_value else toleration)
    return json.dumps(tolerations, separators=(",", ":"))


@dataclass(frozen=True)
class ClusterAddonsArgs:
    cluster_id: pulumi.Input[str]
    compartment_id: pulumi.Input[str]
    """The compartment of the cluster, its node pools and their subnets (one compartment here)."""
    region: str
    autoscaled_pools: Sequence[AutoscaledPool] = ()
    """Pools the autoscaler manages. Empty: no autoscaler (and no policy)."""
    gpu_taints: Sequence[str] = ()
    """Every taint of the GPU pools (``key[=value]:Effect``). Empty: no GPU pools, no NVIDIA device plugin."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region provider for the policy. Omitted: the inherited provider."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    depends_on: Sequence[pulumi.Resource] = ()
    """What the add-ons wait for besides the cluster (the node pools: add-on pods need nodes to run on)."""

    def __post_init__(self) -> None:
        names = [p.name for p in self.autoscaled_pools]
        if len(names) != len(set(names)):
            raise ValueError(f"autoscaled_pools: names must be unique (got {names})")


class ClusterAddons(pulumi.ComponentResource):
    metrics_server: oci.containerengine.Addon
    autoscaler: oci.containerengine.Addon | None
    gpu_plugin: oci.containerengine.Addon | None

    def __init__(
        self, name: str, args: ClusterAddonsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:ClusterAddons", name, None, opts)
        waits = list(args.depends_on)

        def addon(suffix: str, addon_name: str, configurations=None, after=()) -> oci.containerengine.Addon:
            return oci.containerengine.Addon(
                f"{name}-{suffix}",
                cluster_id=args.cluster_id,
                addon_name=addon_name,
                configurations=configurations,
                # Disabling the add-on in Pulumi removes what it installed, not just OKE's record of it.
                remove_addon_resources_on_delete=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*waits, *after]),
            )

        cert_manager = addon("cert-manager", "CertManager")
        self.metrics_server = addon("metrics-server", "KubernetesMetricsServer", after=[cert_manager])
        self.gpu_plugin = None
        if args.gpu_taints:
            # The device plugin's DaemonSet must land on the tainted GPU nodes, or nvidia.com/gpu stays 0 there.
            self.gpu_plugin = addon(
                "nvidia-gpu-plugin",
                "NvidiaGpuPlugin",
                configurations=[
                    oci.containerengine.AddonConfigurationArgs(
                        key="tolerations", value=gpu_plugin_tolerations(args.gpu_taints)
                    )
                ],
            )
        self.autoscaler = None
        if args.autoscaled_pools:
            statements = pulumi.Output.all(args.compartment_id, args.cluster_id).apply(
                lambda v: autoscaler_statements(compartment_id=v[0], cluster_id=v[1], region=args.region)
            )
            policy = oci.identity.Policy(
                f"{name}-autoscaler",
                compartment_id=args.compartment_id,
                name=f"{name}-autoscaler",
                description="The OKE cluster autoscaler add-on (workload identity) resizes this cluster's pools",
                statements=statements,
                freeform_tags=dict(args.freeform_tags),
                opts=pulumi.ResourceOptions(parent=self, provider=args.identity_provider),
            )
            # IAM is eventually consistent: an autoscaler started before its grant propagates fails its calls.
            granted = time.Sleep(
                f"{name}-autoscaler-propagation",
                create_duration=IAM_PROPAGATION,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
            nodes = pulumi.Output.all(*[p.node_pool_id for p in args.autoscaled_pools]).apply(
                lambda ids: autoscaler_nodes(
                    [(p.min_nodes, p.max_nodes, i) for p, i in zip(args.autoscaled_pools, ids, strict=True)]
                )
            )
            self.autoscaler = addon(
                "cluster-autoscaler",
                "ClusterAutoscaler",
                configurations=[
                    oci.containerengine.AddonConfigurationArgs(key="nodes", value=nodes),
                    oci.containerengine.AddonConfigurationArgs(key="authType", value="workload"),
                ],
                after=[granted],
            )
        self.register_outputs({"metrics_server_id": self.metrics_server.id})
