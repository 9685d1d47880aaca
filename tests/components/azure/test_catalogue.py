"""Pure Azure facts from the machine catalogue: which sizes are GPU and which are confidential, and the refusal
of a size the catalogue does not know."""

import pytest


@pytest.mark.parametrize(
    ("vm_size", "confidential"),
    [
        ("Standard_DC4as_v5", True),
        ("Standard_DC16as_v5", True),
        ("Standard_EC8as_v5", True),
        ("Standard_NCC40ads_H100_v5", True),
        ("Standard_D4ds_v5", False),
        ("Standard_NC40ads_H100_v5", False),
    ],
)
def test_confidential_size_catalogue(vm_size: str, confidential: bool) -> None:
    from components.azure.catalogue import is_confidential_vm_sku

    assert is_confidential_vm_sku(vm_size) is confidential, vm_size


@pytest.mark.parametrize(
    ("vm_size", "gpu"),
    [
        ("Standard_NC24ads_A100_v4", True),
        ("Standard_ND96isr_H100_v5", True),
        ("Standard_NCC40ads_H100_v5", True),
        ("Standard_D8ds_v5", False),
        ("Standard_DC4as_v5", False),
    ],
)
def test_gpu_size_catalogue(vm_size: str, gpu: bool) -> None:
    from components.azure.catalogue import is_gpu_sku

    assert is_gpu_sku(vm_size) is gpu, vm_size


@pytest.mark.parametrize("vm_size", ["Standard_NV12s_v3", "Standard_DC4s_v3", "Standard_D4ads_v5"])
def test_rejects_sizes_not_in_the_machine_catalogue(vm_size: str) -> None:
    """A size named 'Standard_N*' is not assumed to be a GPU: the catalogue is the one source of capability."""
    from components.azure.catalogue import is_confidential_vm_sku, is_gpu_sku

    for check in (is_gpu_sku, is_confidential_vm_sku):
        with pytest.raises(
            ValueError, match=rf"'{vm_size}' is not in the machine catalogue.*sovereign/catalogue"
        ):
            check(vm_size)
