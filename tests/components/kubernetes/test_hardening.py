"""Pure guards: the in-country registry, GPU taint and label syntax, narrow egress ranges."""

import pytest

from components.kubernetes.hardening import require_in_registry, require_registry_prefix
from components.kubernetes.netpol import require_narrow_cidrs
from components.kubernetes.scheduling import NodeLabel, Taint
from tests.components.kubernetes.helpers import REGISTRY, VLLM_IMAGE

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    "prefix", ["deregistry.azurecr.io", "fra.ocir.io/frtenancy", "registry.gov.example:5000/ai"]
)
def test_accepts_country_registry_prefixes(prefix: str) -> None:
    assert require_registry_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["docker.io", "ghcr.io/org", "nvcr.io/nim", "huggingface.co"])
def test_rejects_public_registries_as_the_country_registry(prefix: str) -> None:
    with pytest.raises(ValueError, match="public registry outside the country's control"):
        require_registry_prefix(prefix)


@pytest.mark.parametrize(
    "prefix", ["https://deregistry.azurecr.io", "deregistry.azurecr.io/", "localhost", ""]
)
def test_rejects_malformed_registry_prefixes(prefix: str) -> None:
    with pytest.raises(ValueError, match="registry prefix must be a registry host"):
        require_registry_prefix(prefix)


def test_accepts_an_image_in_the_registry_pinned_by_digest() -> None:
    assert require_in_registry(VLLM_IMAGE, REGISTRY, "image") == VLLM_IMAGE


@pytest.mark.parametrize(
    "ref",
    [
        f"docker.io/vllm/vllm-openai@{DIGEST}",
        f"deregistry.azurecr.io.attacker.example/vllm@{DIGEST}",
        f"deregistryxazurecr.io/vllm@{DIGEST}",
    ],
)
def test_rejects_images_outside_the_registry(ref: str) -> None:
    with pytest.raises(ValueError, match="must come from the country's registry"):
        require_in_registry(ref, REGISTRY, "image")


def test_rejects_a_sibling_path_of_a_registry_with_a_path() -> None:
    with pytest.raises(ValueError, match="must come from the country's registry"):
        require_in_registry(f"fra.ocir.io/frtenancy2/vllm@{DIGEST}", "fra.ocir.io/frtenancy", "image")


def test_rejects_an_image_pinned_only_by_tag() -> None:
    with pytest.raises(ValueError, match="pinned by digest"):
        require_in_registry(f"{REGISTRY}/vllm/vllm-openai:v0.11.0", REGISTRY, "image")


def test_parses_the_gpu_taint_and_label() -> None:
    assert Taint.parse("nvidia.com/gpu=present:NoSchedule") == Taint(
        "nvidia.com/gpu", "present", "NoSchedule"
    )
    assert Taint.parse("dedicated:NoExecute") == Taint("dedicated", "", "NoExecute")
    assert NodeLabel.parse("sovereign.ai/gpu=true") == NodeLabel("sovereign.ai/gpu", "true")


@pytest.mark.parametrize(
    "taint", ["nvidia.com/gpu=present", "nvidia.com/gpu=present:Sometimes", "=x:NoSchedule"]
)
def test_rejects_malformed_taints(taint: str) -> None:
    with pytest.raises(ValueError, match="GPU taint must be"):
        Taint.parse(taint)


@pytest.mark.parametrize("cidrs", [("0.0.0.0/0",), ("10.0.0.0/8",), ("198.51.100.1/24",)])
def test_rejects_wide_or_malformed_egress_ranges(cidrs: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="idp"):
        require_narrow_cidrs(cidrs, "idp")


def test_accepts_narrow_egress_ranges() -> None:
    assert require_narrow_cidrs(("198.51.100.0/24", "203.0.113.7/32"), "idp") == (
        "198.51.100.0/24",
        "203.0.113.7/32",
    )
