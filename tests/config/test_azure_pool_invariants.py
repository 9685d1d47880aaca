"""Accept and reject cases for ``user_pool_fits`` (finding A5) and ``confidential_gpus_can_get_their_driver``
(finding A6 on confidential GPUs: learn.microsoft.com/azure/aks/use-confidential-gpus, "skip the automatic GPU
driver installation and install the NVIDIA GPU Operator"; the operator's driver build needs OS packages)."""

from __future__ import annotations

from tests.config.helpers import DELETE, edit, merged, messages

MIRROR = {
    "apt_sources": ["deb [arch=amd64] https://ubuntu-mirror.example/ubuntu jammy main universe"],
    "cidrs": ["10.250.0.0/28"],
}


def test_accepts_the_shipped_pools() -> None:
    assert messages(merged("de")) == []  # confidential user pool, confidential GPUs with a mirror
    assert messages(merged("gb")) == []  # ordinary sizes, AKS installs the driver


def test_rejects_an_ordinary_user_pool_in_a_confidential_country() -> None:
    [message] = messages(edit(merged("de"), {"cluster.user_pool.vm_size": "Standard_D8ds_v5"}))
    assert "cluster.user_pool.vm_size" in message and "not a confidential VM size" in message


def test_rejects_a_gpu_size_or_an_unknown_size_as_the_user_pool() -> None:
    for size in ("Standard_NC40ads_H100_v5", "Standard_Z99"):
        [message] = messages(edit(merged("gb"), {"cluster.user_pool.vm_size": size}))
        assert "is not an Azure CPU size in the catalogue" in message, message


def test_rejects_a_gpu_pool_named_like_the_user_pool() -> None:
    found = messages(edit(merged("gb"), {"cluster.gpu_pools.0.name": "apps"}))
    assert any("'apps' is the CPU user pool's name" in m for m in found), found


def test_rejects_confidential_gpus_without_a_package_mirror() -> None:
    [message] = messages(edit(merged("de"), {"azure.gpu_driver_mirror": DELETE}))
    assert "azure.gpu_driver_mirror" in message and "signed NVIDIA driver" in message


def test_rejects_a_mirror_nothing_uses_and_a_public_mirror_range() -> None:
    [unused] = messages(edit(merged("gb"), {"azure.gpu_driver_mirror": MIRROR}))
    assert "no GPU pool is confidential" in unused
    public = {**MIRROR, "cidrs": ["8.8.8.0/24"]}
    [message] = messages(edit(merged("de"), {"azure.gpu_driver_mirror": public}))
    assert "azure.gpu_driver_mirror.cidrs[0]" in message and "not a private range" in message


def test_rejects_mixed_confidential_and_ordinary_gpu_pools() -> None:
    second = {"name": "a100", "vm_size": "Standard_NC24ads_A100_v4", "node_count_max": 2}
    data = merged("de")
    data["cluster"]["gpu_pools"].append(second)
    found = messages(data)
    assert any("mix confidential and other GPU sizes" in m for m in found), found
