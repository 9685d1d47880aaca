"""ContainerRegistry on real siblings (network, key custody): private immutable in-region repositories, signed
with the custody's key, pulled only by its dynamic groups in region."""

from typing import Any

import pulumi
import pulumi_oci as oci
import pytest

from components.oci.key_custody import KeyCustody
from components.oci.network import SovereignNetwork
from components.oci.registry import ContainerRegistry, ContainerRegistryArgs
from sovereign.engine.recorder import Recording
from tests.components.oci.helpers import COMPARTMENT, TAGS, at, offline_id, with_keys

REPO = "oci:Artifacts/containerRepository:ContainerRepository"
SIGNING_KEY = offline_id("key", "de-keys-image-signing")
PATHS = ["frsovereignregistry/mirror/vllm/vllm-openai", "frsovereignregistry/models/mistral-small"]


def _args(network: SovereignNetwork, keys: KeyCustody, **overrides: object) -> ContainerRegistryArgs:
    base: dict[str, object] = {
        "network": network,
        "keys": keys,
        "region": "eu-paris-1",
        "repositories": PATHS,
        "freeform_tags": TAGS,
    }
    return ContainerRegistryArgs(**{**base, **overrides})  # type: ignore[arg-type]


def _record(*, home: bool = False, **overrides: Any) -> Recording:
    """ContainerRegistry 'fr-registry' on the network 'de' and key custody 'de-keys' (in Paris)."""

    def build(net: SovereignNetwork, keys: KeyCustody) -> None:
        provider = oci.Provider("home", region="eu-frankfurt-1") if home else None
        registry = ContainerRegistry("fr-registry", _args(net, keys, identity_provider=provider, **overrides))
        pulumi.export("urls", registry.repository_urls)
        pulumi.export("host", registry.registry_host)

    return with_keys(build, region="eu-paris-1")


@pytest.fixture(scope="module")
def recording() -> Recording:
    return _record(home=True)


def test_repositories_private_immutable_and_signed(recording: Recording) -> None:
    repos = recording.of_type(REPO)
    assert sorted(r.get("displayName") for r in repos) == PATHS
    for repo in repos:
        assert repo.get("isPublic") is False, at(repo)
        assert repo.get("isImmutable") is True, at(repo)
        assert repo.get("compartmentId") == COMPARTMENT, at(repo)
        assert repo.get("freeformTags") == {**TAGS, "sovereign.ai/signing-key": SIGNING_KEY}, at(repo)
        assert f"signed with Vault key {SIGNING_KEY}" in repo.get("readme.content"), at(repo)
        assert repo.protect is True, at(repo)


def test_read_policy_limited_to_readers_and_region(recording: Recording) -> None:
    policy = recording.one("oci:Identity/policy:Policy", "fr-registry-readers")
    assert policy.get("statements") == [
        f"Allow dynamic-group de-keys-access-clusters to read repos in compartment id {COMPARTMENT} "
        "where request.region = 'CDG'",
        f"Allow dynamic-group de-keys-access-workers to read repos in compartment id {COMPARTMENT} "
        "where request.region = 'CDG'",
    ], at(policy)
    assert policy.provider is not None and "pulumi:providers:oci::home" in policy.provider, at(policy)


def test_repository_urls_in_region(recording: Recording) -> None:
    assert recording.outputs["host"] == "cdg.ocir.io"
    assert recording.outputs["urls"] == {path: f"cdg.ocir.io/offlinens/{path}" for path in PATHS}


def test_parenting(recording: Recording) -> None:
    component = recording.one("sovereign:oci:ContainerRegistry", "fr-registry")
    for reg in [*recording.of_type(REPO), recording.one("oci:Identity/policy:Policy", "fr-registry-readers")]:
        assert reg.parent == component.urn, at(reg)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"repositories": []}, "at least one"),
        ({"repositories": ["Models/VLLM"]}, "lower-case repository path"),
        ({"repositories": ["a", "a"]}, "no duplicates"),
        ({"region": "francecentral"}, "unknown OCI region"),
    ],
)
def test_rejects_invalid_registry_args(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _record(**overrides)


def test_no_args_value_makes_a_repository_public() -> None:
    assert not set(ContainerRegistryArgs.__dataclass_fields__) & {"is_public", "public", "is_immutable"}
