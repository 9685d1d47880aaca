"""Accept and reject cases for ``weights_fit_node_disks`` (finding K12: node disks too small for weight images,
since containerd keeps the pulled layers and the unpacked snapshot) and the register's ``weights_size_gib``."""

from __future__ import annotations

import pytest

from sovereign.clouds.azure.settings import AzureCountry
from sovereign.config.loader import load_register
from sovereign.config.node_disks import NodeImages, node_images
from sovereign.config.schema import COUNTRY_CONFIG, ModelRegister
from tests.config.helpers import CONFIG_DIR, edit, merged, messages

SHIPPED = ["ae", "au", "br", "de", "fr", "gb", "in", "jp", "kr", "no"]


@pytest.mark.parametrize("code", SHIPPED)
def test_every_shipped_gpu_pool_holds_its_images(code: str) -> None:
    found = [m for m in messages(merged(code)) if "too small for the images" in m]
    assert found == [], found


def test_the_largest_model_on_the_old_128_gib_os_disk_is_refused_with_the_numbers() -> None:
    # de: Llama 3.3 70B FP8 (70 GiB) on Standard_NCC40ads_H100_v5, one GPU per node: one replica at a time.
    [message] = [
        m for m in messages(edit(merged("de"), {"cluster.gpu_pools.0.os_disk_gib": 128})) if "too small" in m
    ]
    assert "cluster.gpu_pools[0].os_disk_gib" in message, message
    assert "40 (node) + 2 x 70 (assistant) + 1 x (27 + 12) (vLLM) = 219 GiB" in message, message
    assert "more than the 108 GiB usable" in message, message
    assert "set os_disk_gib to at least 258" in message and "creates the pool anew" in message, message


def test_accepts_the_least_disk_it_asks_for() -> None:
    found = messages(edit(merged("de"), {"cluster.gpu_pools.0.os_disk_gib": 258}))
    assert not [m for m in found if "too small" in m], found
    [refused] = [
        m for m in messages(edit(merged("de"), {"cluster.gpu_pools.0.os_disk_gib": 257})) if "too small" in m
    ]
    assert "at least 258" in refused


def test_an_oci_boot_volume_counts_two_versions_when_two_replicas_fit_a_node() -> None:
    # fr: Mistral Small 3.1 (46 GiB), 2 GPUs per replica on BM.GPU.H100.8: old and new digest side by side.
    [message] = [
        m
        for m in messages(edit(merged("fr"), {"cluster.gpu_pools.0.boot_volume_gib": 300}))
        if "too small" in m
    ]
    assert "cluster.gpu_pools[0].boot_volume_gib" in message, message
    assert "2 x 46 (assistant) + 2 x 46 (assistant) + 2 x (27 + 12) (vLLM) = 302 GiB" in message, message
    assert "set boot_volume_gib to at least 356" in message and "anew" not in message, message


def test_node_images_fill_the_gpus_largest_first() -> None:
    # Two deployments on an 8-GPU node: two versions of each fit, the larger model first.
    images = node_images(8, [("big", 4, 70, "vllm@1"), ("small", 1, 18, "vllm@1")])
    assert images == NodeImages(weights=(("big", 70), ("big", 70)), serving_copies=2)
    images = node_images(8, [("big", 2, 70, "vllm@1"), ("small", 2, 18, "vllm@2")])
    assert images == NodeImages(
        weights=(("big", 70), ("big", 70), ("small", 18), ("small", 18)), serving_copies=4
    )
    # A replica that does not fit on the node brings no image to it.
    assert node_images(1, [("big", 2, 70, "vllm@1")]) is None


def _register(**changes: object) -> dict:
    register, problems = load_register(CONFIG_DIR)
    assert register is not None, problems
    data = register.model_dump(mode="json")
    data["models"][0].update(changes)
    return data


def test_the_register_sizes_every_model() -> None:
    register, problems = load_register(CONFIG_DIR)
    assert register is not None, problems
    assert all(m.weights_size_gib >= 1 for m in register.models)
    data = _register()
    del data["models"][0]["weights_size_gib"]
    with pytest.raises(ValueError, match="weights_size_gib"):
        ModelRegister.model_validate(data)


def test_refuses_a_weights_size_below_the_parameters() -> None:
    # Llama 3.3 70B FP8: 70.6e9 bytes = 65.8 GiB; "7" is a typo that would pass any disk.
    with pytest.raises(ValueError, match=r"weights_size_gib 7 is below .*\(at least 62 GiB\)"):
        ModelRegister.model_validate(_register(weights_size_gib=7))
    ModelRegister.model_validate(_register(weights_size_gib=62))


def test_azure_gpu_pools_default_to_a_1024_gib_os_disk() -> None:
    config = COUNTRY_CONFIG.validate_python(merged("gb"))
    assert config.cluster.gpu_pools[0].node_disk == ("os_disk_gib", 1024)
    with pytest.raises(ValueError, match="os_disk_gib"):
        COUNTRY_CONFIG.validate_python(edit(merged("gb"), {"cluster.gpu_pools.0.os_disk_gib": 64}))


def test_the_azure_gpu_pool_is_created_with_the_checked_disk() -> None:
    from components.azure.node_pool import agent_pool_settings
    from stacks.azure_platform import _cluster

    config = COUNTRY_CONFIG.validate_python(edit(merged("gb"), {"cluster.gpu_pools.0.os_disk_gib": 700}))
    assert isinstance(config, AzureCountry)
    [pool] = _cluster(config).gpu_pools
    assert agent_pool_settings(pool, mode="User", vnet_subnet_id="subnet")["os_disk_size_gb"] == 700
