"""Machine sizes the toolkit knows: GPU sizes for inference pools and CPU sizes for system and user pools.

A size not listed is refused by validation rather than passed to the cloud API unchecked (pulumi-oci takes free
strings for shapes). Sizes listed that the toolkit cannot run end to end carry the reason
(:func:`unsupported_gpu_reason`), so a GPU pool on them is refused with it instead of failing on the cluster.

Sources, last checked 2026-12-02 (vCPUs, memory, GPUs per node, GPU memory, interconnect, per family):

- Azure, MicrosoftDocs/azure-compute-docs ``articles/virtual-machines/sizes/gpu-accelerated/``:
  ``nca100v4-series.md`` (A100 PCIe 80 GB, 1/2/4 GPUs), ``ncadsh100v5-series.md`` (H100 NVL 94 GB),
  ``nccadsh100v5-series.md`` (confidential H100, 1 GPU), ``ndh100v5-series.md`` (8 x H100, 640 GB),
  ``ndma100v4-series.md`` (8 x A100 80 GB), ``nd-h200-v5-series.md`` (8 x H200, 1128 GB, "interconnected with
  900 GB/s NVLink"), ``nd-gb200-v6-series.md`` + includes (4 Blackwell GPUs "(192 GiB)", "two NVIDIA Grace CPUs",
  NVLink 5 1.8 TB/s, NVL72), ``nd-gb300-v6-series.md`` (4 x B300, "288 GB HBM3E per GPU"),
  ``ndmi300xv5-series.md`` (8 x "AMD Instinct MI300 GPUs", 1535 GB, "4th-Gen AMD Infinity Fabric links with
  128 GB/s bandwidth per GPU"); CPU sizes ``sizes/general-purpose/ddsv6-series.md`` and ``dcasv6-series.md``
  (AMD SEV-SNP confidential VMs, "DCasv6"). The v5 CPU sizes and NVadsA10 v5 as the Azure size API reports them,
  copied in microsoft/aspire ``src/Aspire.Hosting.Azure.Kubernetes/AksNodeVmSizes.cs`` (commit 5bd693ae).
- OCI, docs.oracle.com Compute Shapes (computeshapes.htm), "Bare Metal Shapes: GPU" as copied in the code index
  (OCPU / GPU memory / CPU memory: BM.GPU.H100.8 112 / 640 / 2048, BM.GPU.H200.8 112 / 1128 / 3072,
  BM.GPU.B200.8 128 / 1440 / 4096, BM.GPU.GB200.4 144 / 768 / 960, BM.GPU.MI300X.8 112 / 1536 / 2048,
  BM.GPU.L40S.4 112 / 192 / 1024, BM.GPU.A10.4 64 / 96 / 1024, BM.GPU.A100-v2.8 128 / 640 / 2048, BM.GPU4.8
  64 / 320 / 2048) and "VM Shapes: GPU" (VM.GPU.A10.1 15 / 240, VM.GPU.A10.2 30 / 480). "One OCPU is the equal of
  two vCPUs for x86-based compute" (same page); the Grace shape's 144 OCPUs are 144 Arm cores. BM.GPU.GB300.4 and
  BM.GPU.MI355X.8 are OCI shapes (oracle-quickstart/oci-hpc-oke manifests and NCCL/RCCL test tables) whose CPU
  columns were not in any reachable copy: their vCPUs and memory are unset, and both are refused for GPU pools.

GPU memory is the provider's per-GPU figure in GB, as the pages print it (the vLLM fit check is conservative on
it). Region availability is not catalogued: neither provider documents it per size in the pages above (Azure:
``az vm list-skus --location``; OCI: ``oci compute shape list`` per availability domain), and the plan asks the
cloud (``components.oci.node_pool.shape_offered_in``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sovereign.contracts import GPU_RESOURCE
from sovereign.types import Cloud

__all__ = [
    "GPU_COMPUTE_CAPABILITY",
    "MACHINE_SIZES",
    "MachineSize",
    "compute_capability",
    "machine_size",
    "require_machine_size",
    "unsupported_gpu_reason",
]


@dataclass(frozen=True)
class MachineSize:
    cloud: Cloud
    name: str
    gpus: int
    """GPUs per node (0 for CPU sizes)."""
    gpu_model: str | None
    gpu_memory_gib: int
    """Memory of ONE GPU (the provider's GB figure)."""
    confidential: bool
    """Memory-encrypted, attested hardware (AMD SEV-SNP VMs; for GPUs, H100 in confidential mode)."""
    vcpus: int | None = None
    """vCPUs per node; None for OCI flexible shapes (set per pool)."""
    memory_gib: int | None = None
    """Memory per node in GiB; None for OCI flexible shapes (set per pool)."""
    gpu_vendor: str | None = None
    """'nvidia' or 'amd' for GPU sizes: which device plugin advertises the GPUs, under which resource name."""
    architecture: str = "amd64"
    """CPU architecture of the node ('amd64' or 'arm64'): the images and node bootstrap must exist for it."""
    interconnect: str = ""
    """How the node's GPUs talk to each other (what tensor parallelism across them runs over)."""


def _gpu(
    cloud: Cloud,
    name: str,
    gpus: int,
    model: str,
    mem: int,
    vcpus: int | None,
    memory: int | None,
    link: str,
    *,
    confidential: bool = False,
    vendor: str = "nvidia",
    arch: str = "amd64",
) -> MachineSize:
    return MachineSize(cloud, name, gpus, model, mem, confidential, vcpus, memory, vendor, arch, link)


def _cpu(
    cloud: Cloud, name: str, vcpus: int | None, memory: int | None, confidential: bool = False
) -> MachineSize:
    return MachineSize(cloud, name, 0, None, 0, confidential, vcpus, memory)


_A, _O = Cloud.AZURE, Cloud.OCI
_NVL4, _NVL5 = "NVLink 900 GB/s", "NVLink 5 1.8 TB/s (NVL72 rack)"

_SIZES = [
    # Azure GPU sizes.
    _gpu(_A, "Standard_NC24ads_A100_v4", 1, "A100", 80, 24, 220, "PCIe"),
    _gpu(_A, "Standard_NC48ads_A100_v4", 2, "A100", 80, 48, 440, "PCIe"),
    _gpu(_A, "Standard_NC96ads_A100_v4", 4, "A100", 80, 96, 880, "PCIe"),
    _gpu(_A, "Standard_ND96amsr_A100_v4", 8, "A100", 80, 96, 1900, "NVLink"),
    _gpu(_A, "Standard_NC40ads_H100_v5", 1, "H100 NVL", 94, 40, 320, "PCIe"),
    _gpu(_A, "Standard_NC80adis_H100_v5", 2, "H100 NVL", 94, 80, 640, "PCIe"),
    _gpu(_A, "Standard_NCC40ads_H100_v5", 1, "H100 NVL", 94, 40, 320, "PCIe", confidential=True),
    _gpu(_A, "Standard_ND96isr_H100_v5", 8, "H100", 80, 96, 1900, _NVL4),
    _gpu(_A, "Standard_ND96isr_H200_v5", 8, "H200", 141, 96, 1850, _NVL4),
    _gpu(_A, "Standard_ND128isr_NDR_GB200_v6", 4, "GB200", 192, 128, 900, _NVL5, arch="arm64"),
    _gpu(_A, "Standard_ND128isr_GB300_v6", 4, "GB300", 288, 128, 864, _NVL5, arch="arm64"),
    _gpu(
        _A, "Standard_ND96isr_MI300X_v5", 8, "MI300X", 192, 96, 1850, "Infinity Fabric 128 GB/s", vendor="amd"
    ),
    _gpu(_A, "Standard_NV36ads_A10_v5", 1, "A10", 24, 36, 440, "PCIe"),
    # Azure CPU sizes for system and user pools; DCas/ECas are AMD SEV-SNP confidential VMs.
    _cpu(_A, "Standard_D4ds_v5", 4, 16),
    _cpu(_A, "Standard_D8ds_v5", 8, 32),
    _cpu(_A, "Standard_D16ds_v5", 16, 64),
    _cpu(_A, "Standard_D4ds_v6", 4, 16),
    _cpu(_A, "Standard_D8ds_v6", 8, 32),
    _cpu(_A, "Standard_D16ds_v6", 16, 64),
    _cpu(_A, "Standard_DC4as_v5", 4, 16, confidential=True),
    _cpu(_A, "Standard_DC8as_v5", 8, 32, confidential=True),
    _cpu(_A, "Standard_DC16as_v5", 16, 64, confidential=True),
    _cpu(_A, "Standard_EC8as_v5", 8, 64, confidential=True),
    _cpu(_A, "Standard_DC4as_v6", 4, 16, confidential=True),
    _cpu(_A, "Standard_DC8as_v6", 8, 32, confidential=True),
    _cpu(_A, "Standard_DC16as_v6", 16, 64, confidential=True),
    # OCI GPU shapes (no OCI GPU shape runs in confidential mode); vCPUs = 2 x OCPUs on x86.
    _gpu(_O, "BM.GPU.H100.8", 8, "H100", 80, 224, 2048, _NVL4),
    _gpu(_O, "BM.GPU.H200.8", 8, "H200", 141, 224, 3072, _NVL4),
    _gpu(_O, "BM.GPU.B200.8", 8, "B200", 180, 256, 4096, "NVLink 5"),
    _gpu(_O, "BM.GPU.GB200.4", 4, "GB200", 192, 144, 960, _NVL5, arch="arm64"),
    _gpu(_O, "BM.GPU.GB300.4", 4, "GB300", 288, None, None, _NVL5, arch="arm64"),
    _gpu(_O, "BM.GPU.MI300X.8", 8, "MI300X", 192, 224, 2048, "Infinity Fabric", vendor="amd"),
    _gpu(_O, "BM.GPU.MI355X.8", 8, "MI355X", 288, None, None, "Infinity Fabric", vendor="amd"),
    _gpu(_O, "BM.GPU.A100-v2.8", 8, "A100", 80, 256, 2048, "NVLink"),
    _gpu(_O, "BM.GPU4.8", 8, "A100", 40, 128, 2048, "NVLink"),
    _gpu(_O, "BM.GPU.L40S.4", 4, "L40S", 48, 224, 1024, "PCIe"),
    _gpu(_O, "BM.GPU.A10.4", 4, "A10", 24, 128, 1024, "PCIe"),
    _gpu(_O, "VM.GPU.A10.1", 1, "A10", 24, 30, 240, "PCIe"),
    _gpu(_O, "VM.GPU.A10.2", 2, "A10", 24, 60, 480, "PCIe"),
    # OCI CPU shapes; E3/E4 flexible VMs support AMD SEV confidential computing.
    _cpu(_O, "VM.Standard.E4.Flex", None, None, confidential=True),
    _cpu(_O, "VM.Standard.E3.Flex", None, None, confidential=True),
    _cpu(_O, "VM.Standard.E5.Flex", None, None),
    _cpu(_O, "VM.Standard3.Flex", None, None),
]

MACHINE_SIZES: dict[tuple[Cloud, str], MachineSize] = {(s.cloud, s.name): s for s in _SIZES}

GPU_COMPUTE_CAPABILITY: dict[str, tuple[int, int]] = {
    "A100": (8, 0),
    "A10": (8, 6),
    "L40S": (8, 9),
    "H100": (9, 0),
    "H100 NVL": (9, 0),
    "H200": (9, 0),
    "B200": (10, 0),
    "GB200": (10, 0),
    "GB300": (10, 3),
}
"""CUDA compute capability of each NVIDIA GPU model above: what vLLM compares a quantization's minimum against
(``vllm/config/vllm.py``, 0.33.0: 'is not supported for the current GPU. Minimum capability'). Sources, read
2026-12-02 (NVIDIA's own table, developer.nvidia.com/cuda-gpus, was not reachable; confirm there): A100 8.0,
Hopper (H100, H200) 9.0, B200 10.0 from gpu-ark.ru/en/cuda-compute-capability ("CC 8.0 is Ampere (A100)", "H200
SXM ... 9.0", "H100 SXM5 94 GB 9.0", "B200 SXM 192 GB 10.0") and technolynx.com/post/cuda-compute-capability-
explained ("8.0 Ampere (A100)", "8.6 Ampere", "8.9 Ada Lovelace (... L40)", "9.0 Hopper (H100)"); A10 8.6 as
Ampere GA102 (the A40, also GA102, "CUDA 8.6", cpu-gpu.alldbin.com); L40S 8.9 as Ada AD102 (the L40's 8.9 above);
GB200 10.0 as Blackwell data centre (michaelbommarito.com/wiki/programming/tools/gpu-compute-capability,
">= 10.0 blackwell datacenter"); GB300 10.3 from vLLM 0.33.0 itself ("a GB300 (SM103) GPU":
``is_device_capability(103)``, ``vllm/models/deepseek_v41/nvidia/specialized_decode/__init__.py``). AMD GPUs have
none (the toolkit refuses them for GPU pools, :func:`unsupported_gpu_reason`)."""


def compute_capability(size: MachineSize) -> tuple[int, int] | None:
    """The size's GPU compute capability; None for CPU sizes and GPUs without a CUDA one (AMD)."""
    return GPU_COMPUTE_CAPABILITY.get(size.gpu_model or "") if size.gpu_vendor == "nvidia" else None


def machine_size(cloud: Cloud, name: str) -> MachineSize | None:
    return MACHINE_SIZES.get((cloud, name))


def require_machine_size(cloud: Cloud, name: str, what: str = "vm_size") -> MachineSize:
    """The catalogue's size, or a ValueError listing the known ones: the one source of 'is GPU' and 'is
    confidential' never guesses from a name."""
    size = machine_size(cloud, name)
    if size is None:
        known = sorted(s.name for s in MACHINE_SIZES.values() if s.cloud == cloud)
        raise ValueError(
            f"{what}: {name!r} is not in the machine catalogue (allowed: {', '.join(known)}) - add it to "
            "sovereign/catalogue/machines.py with its source, so GPU and confidential capability are known"
        )
    return size


def unsupported_gpu_reason(size: MachineSize) -> str | None:
    """Why the toolkit cannot serve models on this GPU size, or None when it can.

    AMD GPUs are advertised as ``amd.com/gpu`` by the AMD GPU operator's device plugin
    (ROCm/gpu-operator); every inference pod, quota and taint here asks for ``nvidia.com/gpu``
    (``sovereign.contracts.GPU_RESOURCE``) and the toolkit deploys only the NVIDIA GPU Operator (AKS, confidential)
    or OKE's NVIDIA plugin. Arm nodes (Grace): the node bootstrap stages the amd64 OCIR credential provider only
    (``sovereign.clouds.oci.settings``), and the pipeline does not record or check the architecture of the
    images it mirrors, so a vLLM or chat image could be amd64-only and never start there."""
    if not size.gpus:
        return None
    if size.gpu_vendor != "nvidia":
        return (
            f"{size.gpu_model} GPUs are {size.gpu_vendor.upper() if size.gpu_vendor else 'non-NVIDIA'}: they are "
            f"advertised as 'amd.com/gpu' by the AMD GPU operator, which the toolkit does not deploy, and every "
            f"inference pod requests '{GPU_RESOURCE}'"
        )
    if size.architecture != "amd64":
        return (
            f"{size.gpu_model} nodes are {size.architecture} (NVIDIA Grace CPUs): the toolkit's node bootstrap and "
            "image mirroring are amd64-only and do not check an image's architecture"
        )
    return None
