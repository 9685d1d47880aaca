"""The NVIDIA GPU Operator on a cluster's GPU pools: what makes ``nvidia.com/gpu`` allocatable at all.

Without a device plugin no node advertises ``nvidia.com/gpu`` and every inference pod stays Pending (the AKS
``gpuProfile.driver: Install`` installs the driver only: MicrosoftDocs/azure-aks-docs
``articles/aks/use-nvidia-gpu.md``, "Self-managed GPU setup"). This component installs the operator's Helm
chart from the country's registry as a ``helm.v3.Release`` (chart ``oci://<registry>/helm/gpu-operator``;
pulumi-kubernetes resolves ``oci://`` charts through Helm's registry client, ``provider/pkg/provider/
helm_release.go`` ``registry.IsOCI``), with every image overridden to the in-country mirror by digest, in its
own namespace: Pod Security ``privileged`` (the operands are privileged DaemonSets, as the released bundle
labels its namespace: ``pod-security.kubernetes.io/enforce: privileged``), default-deny, DNS and the API server.

Two driver sources (``GpuDriverSource``), because the driver container of the operator downloads OS packages
at start (NVIDIA "Install NVIDIA GPU Operator in Air-Gapped Environments") and clusters here have no internet:
- ``node_image``: the cloud installs the driver and the NVIDIA container runtime on the node (AKS
  ``gpuProfile.driver: Install``; AKS names the containerd runtime ``nvidia-container-runtime``:
  Azure/AgentBaker ``pkg/agent/baker.go`` containerd template, ``IsNSeriesSKU``). The operator then runs
  without driver, toolkit and CDI and its operands use that runtime (``operator.runtimeClass``).
- ``operator``: the node has no driver and the operator installs it (AKS confidential GPUs: "you need to skip
  the automatic GPU driver installation and install the NVIDIA GPU Operator to provide the signed drivers",
  learn.microsoft.com/azure/aks/use-confidential-gpus). The driver container needs a package source:
  ``driver_repo_config_map`` (``driver.repoConfig``) names an in-country mirror.
Non-goals: the Kata/confidential-containers stack (``sandboxWorkloads``, ``ccManager``: the operator deploys
the CC manager only with sandbox workloads in Kata mode, ``controllers/state_manager.go`` ``isStateEnabled``;
on Azure confidential GPU VMs the host sets the GPU's CC mode), MIG, vGPU, GPUDirect, Prometheus objects.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.hardening import (
    COUNTRY_LABEL,
    ENVIRONMENT_LABEL,
    name_of,
    require_dns_label,
    require_registry_prefix,
)
from components.kubernetes.netpol import egress_to_cidrs, namespace_selector, require_narrow_cidrs
from components.kubernetes.scheduling import NodeLabel, Taint
from sovereign.catalogue import gpu_operator as catalogue
from sovereign.catalogue.gpu_operator import MirroredImage
from sovereign.contracts import GPU_NODE_LABEL, GPU_TAINT
from sovereign.types import Environment

__all__ = ["GpuDriverSource", "GpuOperator", "GpuOperatorArgs", "gpu_operator_values", "toleration"]

PRIVILEGED_PSA_LABELS = {
    f"pod-security.kubernetes.io/{mode}{suffix}": value
    for mode in ("enforce", "audit", "warn")
    for suffix, value in (("", "privileged"), ("-version", "latest"))
}
"""The driver, toolkit, device plugin and validator pods mount host paths and run privileged."""
KUBERNETES_API_PORT = 443
_PURPOSE_LABEL = "sovereign.ai/purpose"
DRIVER_REPO_CONFIG_MAP = "gpu-driver-repo"
"""The ConfigMap of the driver container's package repositories (``driver.repoConfig.configMapName``)."""
DISABLED_COMPONENTS = (
    "dcgm",
    "migManager",
    "nodeStatusExporter",
    "gds",
    "gdrcopy",
    "vgpuManager",
    "vgpuDeviceManager",
    "vfioManager",
    "sandboxDevicePlugin",
    "kataSandboxDevicePlugin",
    "kataManager",
    "ccManager",
)
"""Chart components switched off: standalone DCGM (the exporter embeds it), MIG, vGPU, GPUDirect, and the
VM-passthrough / Kata stack with its CC manager. Each is a privileged DaemonSet and an image to mirror that
no workload here uses."""


class GpuDriverSource(StrEnum):
    NODE_IMAGE = "node_image"
    """The cloud's node image brings the driver and the NVIDIA container runtime."""
    OPERATOR = "operator"
    """The operator installs the driver and the container toolkit."""


def toleration(taint: Taint) -> dict[str, str]:
    """A toleration of exactly this taint (any value when the taint has one: ``Exists``)."""
    return {"key": taint.key, "operator": "Exists", "effect": taint.effect}


@dataclass(frozen=True)
class GpuOperatorArgs:
    registry_prefix: str
    """The country's registry; the chart and every image come from it (see ``sovereign.catalogue``)."""
    country_code: str
    environment: Environment
    driver_source: GpuDriverSource
    """Who installs the NVIDIA driver: the cloud's node image or the operator (see the module docstring)."""
    api_server_cidrs: Sequence[str]
    """Address ranges of the Kubernetes API server (AKS: the API server subnet of VNet integration)."""
    node_runtime_class: str = "nvidia"
    """``node_image`` only: the containerd runtime the node image configures for GPUs. Omitted: 'nvidia'
    (the operator's own name, created by its toolkit)."""
    controller_tolerations: Sequence[str] = ()
    """Taints of the pool where the operator's controllers (operator, NFD master and gc) run, as
    'key[=value]:Effect'. Omitted: none (they run on untainted nodes)."""
    gpu_taint: str = GPU_TAINT
    gpu_node_label: str = GPU_NODE_LABEL
    namespace_name: str = "gpu-operator"
    protect_stateful: bool = True
    """Protect the namespace from ``pulumi destroy`` like every namespace (rule ``stateful-protected``); the
    stack sets False for non-production environments."""
    driver_package_sources: Sequence[str] = ()
    """``operator`` only (required there): APT lines of the in-country mirror the driver container installs OS
    packages from, written into a ConfigMap the chart mounts (``driver.repoConfig``: NVIDIA GPU Operator
    "Install in Air-Gapped Environments", local package repository)."""
    driver_package_cidrs: Sequence[str] = ()
    """``operator`` only (required there): the mirror's private address ranges, the driver pods' only egress
    besides DNS and the API server (TCP 80 and 443)."""

    def __post_init__(self) -> None:
        require_registry_prefix(self.registry_prefix)
        require_dns_label(self.namespace_name, "namespace_name")
        require_narrow_cidrs(self.api_server_cidrs, "api_server_cidrs")
        if not self.api_server_cidrs:
            raise ValueError("api_server_cidrs is empty: the operator and NFD cannot reach the API server")
        Taint.parse(self.gpu_taint)
        NodeLabel.parse(self.gpu_node_label)
        for text in self.controller_tolerations:
            Taint.parse(text)
        operator_driver = self.driver_source == GpuDriverSource.OPERATOR
        if operator_driver != bool(self.driver_package_sources) or operator_driver != bool(
            self.driver_package_cidrs
        ):
            raise ValueError(
                "driver_package_sources / driver_package_cidrs: given exactly with driver_source 'operator' (got "
                f"{self.driver_source.value!r}) - the operator's driver build needs an in-country package mirror, "
                "and nothing else uses one"
            )
        require_narrow_cidrs(self.driver_package_cidrs, "driver_package_cidrs")
        if self.driver_source == GpuDriverSource.OPERATOR and self.node_runtime_class != "nvidia":
            raise ValueError(
                f"node_runtime_class {self.node_runtime_class!r} with driver_source 'operator': the operator's "
                "toolkit creates the runtime 'nvidia'; remove node_runtime_class"
            )


def _pinned(image: MirroredImage, registry_prefix: str) -> dict[str, str]:
    """repository/image/version as the chart takes them, resolving to ``<mirror>/<name>:<tag>@<digest>``.

    The chart's helpers join ``repository/image:version`` (``templates/_helpers.tpl`` ``gpu-operator.fullimage``)
    and the operator joins ``repository/image:version`` unless the version starts with ``sha256:``
    (``internal/image/image.go`` ``ImagePath``), so ``<tag>@<digest>`` as the version yields the same digest
    reference on both paths.
    """
    return {
        "repository": image.mirror_directory(registry_prefix),
        "image": image.name,
        "version": f"{image.tag}@{image.digest}",
    }


def gpu_operator_values(args: GpuOperatorArgs) -> dict[str, Any]:
    """The chart values (keys of ``deployments/gpu-operator/values.yaml`` at v26.7.0)."""
    registry = args.registry_prefix
    operator_driver = args.driver_source == GpuDriverSource.OPERATOR
    gpu = [toleration(Taint.parse(args.gpu_taint))]
    controllers = [toleration(Taint.parse(t)) for t in args.controller_tolerations]
    label = NodeLabel.parse(args.gpu_node_label)
    nfd = catalogue.NODE_FEATURE_DISCOVERY
    driver: dict[str, Any] = {
        "enabled": operator_driver,
        "manager": _pinned(catalogue.DRIVER_MANAGER, registry),
    }
    if operator_driver:
        driver.update(
            repository=f"{registry}/mirror/{catalogue.DRIVER.path.rsplit('/', 1)[0]}",
            image=catalogue.DRIVER.path.rsplit("/", 1)[-1],
            version=catalogue.DRIVER.version,
            # Driver upgrades evict GPU pods: they follow the pinned catalogue, never an automatic bump.
            upgradePolicy={"autoUpgrade": False},
            repoConfig={"configMapName": DRIVER_REPO_CONFIG_MAP},
        )
    return {
        "platform": {"openshift": False},
        "nfd": {"enabled": True, "nodefeaturerules": False},
        # The component labels the namespace itself; the operator must not relabel it.
        "psa": {"enabled": False},
        # CDI needs the toolkit's containerd configuration; the node image's runtime injects devices itself.
        "cdi": {"enabled": operator_driver},
        "sandboxWorkloads": {"enabled": False},
        "daemonsets": {"tolerations": gpu, "priorityClassName": "system-node-critical"},
        "operator": {
            **_pinned(catalogue.OPERATOR, registry),
            "runtimeClass": "nvidia" if operator_driver else args.node_runtime_class,
            "tolerations": controllers,
            "cleanupCRD": False,
            "upgradeCRD": True,
        },
        "validator": _pinned(catalogue.OPERATOR, registry),
        "driver": driver,
        "toolkit": {"enabled": operator_driver, **_pinned(catalogue.TOOLKIT, registry)},
        "devicePlugin": {"enabled": True, **_pinned(catalogue.DEVICE_PLUGIN, registry)},
        "gfd": {"enabled": True, **_pinned(catalogue.DEVICE_PLUGIN, registry)},
        "dcgmExporter": {
            "enabled": True,
            **_pinned(catalogue.DCGM_EXPORTER, registry),
            # No Prometheus operator on the platform: a ServiceMonitor would only fail to apply.
            "serviceMonitor": {"enabled": False},
        },
        **{key: {"enabled": False} for key in DISABLED_COMPONENTS},
        "node-feature-discovery": {
            # The NFD chart joins ``repository:tag`` (``templates/master.yaml``).
            "image": {"repository": nfd.mirror_repository(registry), "tag": f"{nfd.tag}@{nfd.digest}"},
            "master": {"tolerations": controllers},
            "gc": {"tolerations": controllers},
            # Only GPU nodes need their PCI devices labelled; the operator deploys operands where they are.
            "worker": {"tolerations": gpu, "nodeSelector": {label.key: label.value}},
        },
    }


class GpuOperator(pulumi.ComponentResource):
    namespace_name: pulumi.Output[str]
    release: k8s.helm.v3.Release
    """The Helm release; workloads that request GPUs depend on it."""

    def __init__(self, name: str, args: GpuOperatorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:kubernetes:GpuOperator", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.namespace_name,
                labels={
                    **PRIVILEGED_PSA_LABELS,
                    COUNTRY_LABEL: args.country_code,
                    ENVIRONMENT_LABEL: Environment(args.environment).value,
                    _PURPOSE_LABEL: "gpu-operator",
                },
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
        )
        self.namespace_name = name_of(namespace, args.namespace_name)
        prerequisites: list[pulumi.Resource] = [
            _network_policy(f"{name}-default-deny", "default-deny-all", self.namespace_name, [], child),
            _network_policy(
                f"{name}-allow-dns", "allow-dns-egress", self.namespace_name, [_dns_egress()], child
            ),
            # The operator, NFD and the validator watch and write nodes and CRs: the API server, nothing else.
            _network_policy(
                f"{name}-allow-api-server",
                "allow-api-server-egress",
                self.namespace_name,
                egress_to_cidrs(args.api_server_cidrs, KUBERNETES_API_PORT),
                child,
            ),
        ]
        if args.driver_source == GpuDriverSource.OPERATOR:
            prerequisites.append(
                _network_policy(
                    f"{name}-allow-package-mirror",
                    "allow-package-mirror-egress",
                    self.namespace_name,
                    [rule for port in (80, 443) for rule in egress_to_cidrs(args.driver_package_cidrs, port)],
                    child,
                )
            )
            prerequisites.append(
                k8s.core.v1.ConfigMap(
                    f"{name}-driver-repo",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name=DRIVER_REPO_CONFIG_MAP, namespace=self.namespace_name
                    ),
                    data={"custom-repo.list": "\n".join(args.driver_package_sources) + "\n"},
                    opts=child,
                )
            )
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name="gpu-operator",
            chart=catalogue.chart_url(args.registry_prefix),
            version=catalogue.CHART_VERSION,
            namespace=self.namespace_name,
            values=gpu_operator_values(args),
            # A failed install is rolled back rather than left half-applied on the GPU nodes.
            atomic=True,
            timeout=900,
            opts=pulumi.ResourceOptions(parent=self, depends_on=prerequisites),
        )
        self.register_outputs({"namespace_name": self.namespace_name})


def _dns_egress() -> k8s.networking.v1.NetworkPolicyEgressRuleArgs:
    return k8s.networking.v1.NetworkPolicyEgressRuleArgs(
        to=[
            k8s.networking.v1.NetworkPolicyPeerArgs(
                namespace_selector=namespace_selector("kube-system"),
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"k8s-app": "kube-dns"}),
            )
        ],
        ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol=p, port=53) for p in ("UDP", "TCP")],
    )


def _network_policy(
    resource_name: str,
    policy_name: str,
    namespace: pulumi.Input[str],
    egress: list[k8s.networking.v1.NetworkPolicyEgressRuleArgs],
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """Default deny when ``egress`` is empty; otherwise an egress-only allow rule for every pod."""
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=policy_name, namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Egress"] if egress else ["Ingress", "Egress"],
            egress=egress or None,
        ),
        opts=opts,
    )
