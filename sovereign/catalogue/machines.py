"""Machine sizes the toolkit knows: GPU sizes for inference pools and CPU sizes for system pools.

Last checked 2026-11 against learn.microsoft.com (NC A100 v4, NCads H100 v5, NCCads H100 v5, ND H100 v5,
NVadsA10 v5, DCasv5/ECasv5 series) and docs.oracle.com (Compute Shapes: GPU shapes, Confidential Computing).
A size not listed is refused by validation rather than passed to the cloud API unchecked (pulumi-oci takes
free strings for shapes).

vCPUs and memory (what a node's capacity starts from; ``sovereign.catalogue.allocatable`` subtracts the
cloud's reservations): Azure sizes as the Azure size API reports them, copied in microsoft/aspire
``src/Aspire.Hosting.Azure.Kubernetes/AksNodeVmSizes.cs`` (commit 5bd693ae, e.g. "Standard_NC40ads_H100_v5 --
40 vCPUs -- 320 GB RAM -- 1 GPU(s)", "Standard_ND96isr_H100_v5 -- 96 vCPUs -- 1900 GB RAM"); OCI bare-metal
GPU shapes from docs.oracle.com Compute Shapes, "Bare Metal Shapes: GPU" (OCPU and CPU memory columns:
BM.GPU.H100.8 112 / 2048, BM.GPU.A100-v2.8 128 / 2048, BM.GPU4.8 64 / 2048, BM.GPU.L40S.4 112 / 1024) and
"VM Shapes: GPU" (VM.GPU.A10.1 15 / 240, VM.GPU.A10.2 30 / 480). An OCPU is one physical x86 core, two
vCPUs ("one OCPU is the equal of two vCPUs for x86-based compute", same page), and Kubernetes counts vCPUs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sovereign.types import Cloud

__all__ = ["MACHINE_SIZES", "MachineSize", "machine_size", "require_machine_size"]


@dataclass(frozen=True)
class MachineSize:
    cloud: Cloud
    name: str
    gpus: int
    """GPUs per node (0 for CPU sizes)."""
    gpu_model: str | None
    gpu_memory_gib: int
    """Memory of ONE GPU, in GiB."""
    confidential: bool
    """Memory-encrypted, attested hardware (AMD SEV-SNP VMs; for GPUs, H100 in confidential mode)."""
    vcpus: int | None = None
    """vCPUs per node; None for OCI flexible shapes (set per pool)."""
    memory_gib: int | None = None
    """Memory per node in GiB; None for OCI flexible shapes (set per pool)."""


def _gpu(
    cloud: Cloud,
    name: str,
    gpus: int,
    model: str,
    mem: int,
    vcpus: int,
    memory: int,
    confidential: bool = False,
) -> MachineSize:
    return MachineSize(cloud, name, gpus, model, mem, confidential, vcpus, memory)


def _cpu(
    cloud: Cloud, name: str, vcpus: int | None, memory: int | None, confidential: bool = False
) -> MachineSize:
    return MachineSize(cloud, name, 0, None, 0, confidential, vcpus, memory)


_A, _O = Cloud.AZURE, Cloud.OCI

_SIZES = [
    # Azure GPU sizes.
    _gpu(_A, "Standard_NC24ads_A100_v4", 1, "A100", 80, 24, 220),
    _gpu(_A, "Standard_NC40ads_H100_v5", 1, "H100 NVL", 94, 40, 320),
    _gpu(_A, "Standard_NC80adis_H100_v5", 2, "H100 NVL", 94, 80, 640),
    _gpu(_A, "Standard_ND96isr_H100_v5", 8, "H100", 80, 96, 1900),
    _gpu(_A, "Standard_NV36ads_A10_v5", 1, "A10", 24, 36, 440),
    _gpu(_A, "Standard_NCC40ads_H100_v5", 1, "H100 NVL", 94, 40, 320, confidential=True),
    # Azure CPU sizes for system pools; DCasv5/ECasv5 are AMD SEV-SNP confidential VMs.
    _cpu(_A, "Standard_D4ds_v5", 4, 16),
    _cpu(_A, "Standard_D8ds_v5", 8, 32),
    _cpu(_A, "Standard_D16ds_v5", 16, 64),
    _cpu(_A, "Standard_DC4as_v5", 4, 16, confidential=True),
    _cpu(_A, "Standard_DC8as_v5", 8, 32, confidential=True),
    _cpu(_A, "Standard_DC16as_v5", 16, 64, confidential=True),
    _cpu(_A, "Standard_EC8as_v5", 8, 64, confidential=True),
    # OCI GPU shapes (no OCI GPU shape runs in confidential mode); vCPUs = 2 x OCPUs.
    _gpu(_O, "BM.GPU.H100.8", 8, "H100", 80, 224, 2048),
    _gpu(_O, "BM.GPU.A100-v2.8", 8, "A100", 80, 256, 2048),
    _gpu(_O, "BM.GPU4.8", 8, "A100", 40, 128, 2048),
    _gpu(_O, "BM.GPU.L40S.4", 4, "L40S", 48, 224, 1024),
    _gpu(_O, "VM.GPU.A10.1", 1, "A10", 24, 30, 240),
    _gpu(_O, "VM.GPU.A10.2", 2, "A10", 24, 60, 480),
    # OCI CPU shapes; E3/E4 flexible VMs support AMD SEV confidential computing.
    _cpu(_O, "VM.Standard.E4.Flex", None, None, confidential=True),
    _cpu(_O, "VM.Standard.E3.Flex", None, None, confidential=True),
    _cpu(_O, "VM.Standard.E5.Flex", None, None),
    _cpu(_O, "VM.Standard3.Flex", None, None),
]

MACHINE_SIZES: dict[tuple[Cloud, str], MachineSize] = {(s.cloud, s.name): s for s in _SIZES}


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
