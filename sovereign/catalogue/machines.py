"""Machine sizes the toolkit knows: GPU sizes for inference pools and CPU sizes for system pools.

Last checked 2026-11 against learn.microsoft.com (NC A100 v4, NCads H100 v5, NCCads H100 v5, ND H100 v5,
NVadsA10 v5, DCasv5/ECasv5 series) and docs.oracle.com (Compute Shapes: GPU shapes, Confidential Computing).
A size not listed is refused by validation rather than passed to the cloud API unchecked (pulumi-oci takes
free strings for shapes).
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


def _gpu(cloud: Cloud, name: str, gpus: int, model: str, mem: int, confidential: bool = False) -> MachineSize:
    return MachineSize(cloud, name, gpus, model, mem, confidential)


def _cpu(cloud: Cloud, name: str, vcpus: int | None, confidential: bool = False) -> MachineSize:
    return MachineSize(cloud, name, 0, None, 0, confidential, vcpus)


_A, _O = Cloud.AZURE, Cloud.OCI

_SIZES = [
    # Azure GPU sizes.
    _gpu(_A, "Standard_NC24ads_A100_v4", 1, "A100", 80),
    _gpu(_A, "Standard_NC40ads_H100_v5", 1, "H100 NVL", 94),
    _gpu(_A, "Standard_NC80adis_H100_v5", 2, "H100 NVL", 94),
    _gpu(_A, "Standard_ND96isr_H100_v5", 8, "H100", 80),
    _gpu(_A, "Standard_NV36ads_A10_v5", 1, "A10", 24),
    _gpu(_A, "Standard_NCC40ads_H100_v5", 1, "H100 NVL", 94, confidential=True),
    # Azure CPU sizes for system pools; DCasv5/ECasv5 are AMD SEV-SNP confidential VMs.
    _cpu(_A, "Standard_D4ds_v5", 4),
    _cpu(_A, "Standard_D8ds_v5", 8),
    _cpu(_A, "Standard_D16ds_v5", 16),
    _cpu(_A, "Standard_DC4as_v5", 4, confidential=True),
    _cpu(_A, "Standard_DC8as_v5", 8, confidential=True),
    _cpu(_A, "Standard_DC16as_v5", 16, confidential=True),
    _cpu(_A, "Standard_EC8as_v5", 8, confidential=True),
    # OCI GPU shapes (no OCI GPU shape runs in confidential mode).
    _gpu(_O, "BM.GPU.H100.8", 8, "H100", 80),
    _gpu(_O, "BM.GPU.A100-v2.8", 8, "A100", 80),
    _gpu(_O, "BM.GPU4.8", 8, "A100", 40),
    _gpu(_O, "BM.GPU.L40S.4", 4, "L40S", 48),
    _gpu(_O, "VM.GPU.A10.1", 1, "A10", 24),
    _gpu(_O, "VM.GPU.A10.2", 2, "A10", 24),
    # OCI CPU shapes; E3/E4 flexible VMs support AMD SEV confidential computing.
    _cpu(_O, "VM.Standard.E4.Flex", None, confidential=True),
    _cpu(_O, "VM.Standard.E3.Flex", None, confidential=True),
    _cpu(_O, "VM.Standard.E5.Flex", None),
    _cpu(_O, "VM.Standard3.Flex", None),
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
