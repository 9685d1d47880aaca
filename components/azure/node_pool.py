"""AKS node pools: the typed spec of a pool, the hardened settings every pool gets, and the pool resource.

Every pool, system or GPU, gets: encryption at host (temp disks and disk caches encrypted on the host; OS disks
are managed disks encrypted with the cluster's disk encryption set), SSH disabled on the nodes, no node public
IPs, autoscaling bounds, and trusted launch (secure boot + vTPM) where the node image supports it. GPU pools
(sizes with GPUs in the machine catalogue) carry the taint ``nvidia.com/gpu=present:NoSchedule`` so that only
pods tolerating it land there, and AKS installs the NVIDIA driver.

Confidential sizes are handled as documented by Microsoft, honestly rather than uniformly:
- Confidential VMs (DCas/ECas/DCes/ECes v5) bring their own memory encryption and vTPM; AKS refuses trusted
  launch flags on them and runs them on Ubuntu only (not Azure Linux).
- Confidential GPUs (``Standard_NCC40ads_H100_v5``) need the *signed* NVIDIA driver from the GPU Operator, so
  AKS's driver install is skipped (``gpuProfile.driver: None``); the operator's images must come from the
  country's registry like every other image.
- Secure boot and AKS's GPU driver install exclude each other, so non-confidential GPU pools get vTPM only.
- Encryption at host on confidential sizes depends on the size's ``EncryptionAtHostSupported`` capability in
  the region, and the Compute API has rejected it together with confidential disk encryption in the past
  (hashicorp/terraform-provider-azurerm#32846, relaxed in #32885). It stays ON, so a region that refuses it
  fails the deployment loudly instead of silently running unencrypted temp disks; a confidential pool may opt
  out only with a written justification (``encryption_at_host_exemption``). Non-confidential pools cannot.
Non-goals: Windows pools, spot pools, node auto-provisioning (confidential GPUs do not support it).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
from pulumi_azure_native import containerservice

from components.azure.catalogue import CONFIDENTIAL_GPU_SKUS, is_confidential_vm_sku, is_gpu_sku
from sovereign.config.limits import MIN_EXEMPTION_JUSTIFICATION_CHARS as MIN_JUSTIFICATION
from sovereign.config.text import justification_problem
from sovereign.contracts import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE, GPU_TAINT

__all__ = ["AksNodePool", "AksNodePoolArgs", "NodePoolSpec", "agent_pool_settings"]

SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"
"""Keeps workloads off the system pool: only critical add-ons (CoreDNS, konnectivity, CSI) run there."""
_POOL_NAME = re.compile(r"[a-z][a-z0-9]{0,11}")
_ZONES = frozenset({"1", "2", "3"})


@dataclass(frozen=True)
class NodePoolSpec:
    name: str
    """AKS pool name: 1-12 lowercase letters or digits, starting with a letter."""
    vm_size: str
    """Azure VM size from the machine catalogue, such as 'Standard_D8ds_v5' or 'Standard_NCC40ads_H100_v5'."""
    node_count_min: int = 1
    """Autoscaler lower bound (0 allowed for user pools, GPU pools usually scale to zero). Omitted: 1."""
    node_count_max: int = 3
    """Autoscaler upper bound. Omitted: 3."""
    zones: Sequence[str] = ("1", "2", "3")
    """Availability zones of the pool. Omitted: all three; use () for GPU sizes offered in one zone only."""
    os_disk_size_gib: int = 128
    """Managed OS disk size in GiB (encrypted with the cluster's customer key). Omitted: 128."""
    max_pods: int = 30
    """Pods per node. Omitted: 30."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra Kubernetes node labels. GPU pools always carry the GPU node label of ``sovereign.contracts``."""
    enable_autoscaling: bool = True
    """Let the cluster autoscaler move the pool between its bounds. Off: fixed at ``node_count_max``."""
    encryption_at_host_exemption: str | None = None
    """Confidential sizes only: why encryption at host is off for this pool. Omitted: encryption at host on."""

    def __post_init__(self) -> None:
        where = f"node pool {self.name!r}"
        if not _POOL_NAME.fullmatch(self.name):
            raise ValueError(
                f"{where}: invalid name (got {self.name!r}; allowed: 1-12 lowercase letters or digits, starting "
                "with a letter) - AKS rejects other Linux pool names"
            )
        if not 0 <= self.node_count_min <= self.node_count_max or self.node_count_max < 1:
            raise ValueError(
                f"{where}: autoscaling bounds out of order (got min {self.node_count_min}, max "
                f"{self.node_count_max}; allowed: 0 <= min <= max, max >= 1) - swap or raise the bounds"
            )
        if not set(self.zones) <= _ZONES:
            raise ValueError(f"{where}: zones {list(self.zones)} (allowed: a subset of '1', '2', '3')")
        if self.encryption_at_host_exemption is not None:
            if not self.confidential:
                raise ValueError(
                    f"{where}: encryption_at_host_exemption on {self.vm_size} (allowed only for confidential "
                    "sizes) - every other size supports encryption at host; remove the exemption"
                )
            problem = justification_problem(self.encryption_at_host_exemption, min_chars=MIN_JUSTIFICATION)
            if problem is not None:
                raise ValueError(
                    f"{where}: encryption_at_host_exemption is not a justification (got "
                    f"{self.encryption_at_host_exemption!r}: {problem}; allowed: a sentence of at least "
                    f"{MIN_JUSTIFICATION} characters saying why, for the auditors)"
                )

    @property
    def gpu(self) -> bool:
        return is_gpu_sku(self.vm_size)

    @property
    def confidential(self) -> bool:
        return is_confidential_vm_sku(self.vm_size)


def agent_pool_settings(
    spec: NodePoolSpec, *, mode: Literal["System", "User"], vnet_subnet_id: pulumi.Input[str]
) -> dict[str, Any]:
    """The settings shared by the cluster's inline system pool and separate ``AgentPool`` resources.

    Keyword names are identical in ``ManagedClusterAgentPoolProfileArgs`` and ``AgentPool``.
    """
    taints = [SYSTEM_TAINT] if mode == "System" else []
    labels = dict(spec.labels)
    settings: dict[str, Any] = {}
    if spec.gpu:
        taints.append(GPU_TAINT)
        labels[GPU_NODE_LABEL_KEY] = GPU_NODE_LABEL_VALUE
        # Must match the GPU operator's driver source (components/kubernetes/gpu_operator.py): AKS installs
        # the driver and the NVIDIA container runtime (aks use-nvidia-gpu.md, "Self-managed GPU setup") and the
        # operator adds the device plugin, since its own driver container needs internet packages; confidential
        # GPUs take the operator's signed driver (learn.microsoft.com/azure/aks/use-confidential-gpus).
        driver = "None" if spec.vm_size in CONFIDENTIAL_GPU_SKUS else "Install"
        settings["gpu_profile"] = containerservice.GPUProfileArgs(driver=driver)
    if spec.confidential:
        security = containerservice.AgentPoolSecurityProfileArgs(ssh_access="Disabled")
    else:
        security = containerservice.AgentPoolSecurityProfileArgs(
            ssh_access="Disabled", enable_vtpm=True, enable_secure_boot=not spec.gpu
        )
    return {
        **settings,
        "mode": mode,
        "type": "VirtualMachineScaleSets",
        "vm_size": spec.vm_size,
        "os_type": "Linux",
        "os_sku": "Ubuntu" if spec.confidential else "AzureLinux",
        "os_disk_type": "Managed",
        "os_disk_size_gb": spec.os_disk_size_gib,
        **_scaling(spec, mode),
        "availability_zones": list(spec.zones) or None,
        "max_pods": spec.max_pods,
        "node_labels": labels or None,
        "node_taints": taints or None,
        "enable_encryption_at_host": spec.encryption_at_host_exemption is None,
        "enable_node_public_ip": False,
        "vnet_subnet_id": vnet_subnet_id,
        "security_profile": security,
    }


def _scaling(spec: NodePoolSpec, mode: Literal["System", "User"]) -> dict[str, Any]:
    if not spec.enable_autoscaling:
        # A fixed pool: AKS refuses min/max counts when autoscaling is off.
        return {"enable_auto_scaling": False, "count": spec.node_count_max}
    return {
        "enable_auto_scaling": True,
        "count": max(spec.node_count_min, 1) if mode == "System" else spec.node_count_min,
        "min_count": spec.node_count_min,
        "max_count": spec.node_count_max,
    }


@dataclass(frozen=True)
class AksNodePoolArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the cluster."""
    cluster_name: pulumi.Input[str]
    """Azure name of the managed cluster."""
    spec: NodePoolSpec
    """The pool."""
    vnet_subnet_id: pulumi.Input[str]
    """Node subnet of the platform network."""
    kubernetes_version: str | None = None
    """Pinned orchestrator version of the pool. Omitted: the cluster's version."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the pool's scale set."""


class AksNodePool(pulumi.ComponentResource):
    pool_name: pulumi.Output[str]

    def __init__(self, name: str, args: AksNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:azure:AksNodePool", name, None, opts)
        pool = containerservice.AgentPool(
            f"{name}-pool",
            resource_group_name=args.resource_group_name,
            resource_name_=args.cluster_name,
            agent_pool_name=args.spec.name,
            orchestrator_version=args.kubernetes_version,
            tags=dict(args.tags),
            **agent_pool_settings(args.spec, mode="User", vnet_subnet_id=args.vnet_subnet_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.pool_name = pool.name
        self.register_outputs({"pool_name": self.pool_name})
