"""ContainerRegistry under the recording mocks: private immutable in-region repositories, region-bound pulls."""

import pulumi
import pulumi_oci as oci
import pytest

from components.oci.registry import ContainerRegistry, ContainerRegistryArgs
from sovereign.engine.recorder import Recording, run_program
from tests.components.oci.helpers import COMPARTMENT, TAGS, at

REPO = "oci:Artifacts/containerRepository:ContainerRepository"
PATHS = ["frsovereignregistry/mirror/vllm/vllm-openai", "frsovereignregistry/models/mistral-small"]


def _args(**overrides: object) -> ContainerRegistryArgs:
    base: dict[str, object] = {
        "compartment_id": COMPARTMENT,
        "region": "eu-paris-1",
        "repositories": PATHS,
        "reader_dynamic_groups": ["fr-keys-access-clusters", "fr-keys-access-workers"],
        "image_signing_key_id": "ocid1.key.oc1..signing",
        "freeform_tags": TAGS,
    }
    return ContainerRegistryArgs(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def recording() -> Recording:
    def program() -> None:
        home = oci.Provider("home", region="eu-frankfurt-1")
        registry = ContainerRegistry("fr-registry", _args(identity_provider=home))
        pulumi.export("urls", registry.repository_urls)
        pulumi.export("host", registry.registry_host)

    return run_program(program)


def test_repositories_private_immutable_and_signed(recording: Recording) -> None:
    repos = recording.of_type(REPO)
    assert sorted(r.get("displayName") for r in repos) == PATHS
    for repo in repos:
        assert repo.get("isPublic") is False, at(repo)
        assert repo.get("isImmutable") is True, at(repo)
        assert repo.get("compartmentId") == COMPARTMENT, at(repo)
        assert repo.get("freeformTags") == {**TAGS, "sovereign.ai/signing-key": "ocid1.key.oc1..signing"}, at(
            repo
        )
        assert "signed with Vault key ocid1.key.oc1..signing" in repo.get("readme.content"), at(repo)
        assert repo.protect is True, at(repo)


def test_read_policy_limited_to_readers_and_region(recording: Recording) -> None:
    policy = recording.one("oci:Identity/policy:Policy", "fr-registry-readers")
    assert policy.get("statements") == [
        f"Allow dynamic-group fr-keys-access-clusters to read repos in compartment id {COMPARTMENT} "
        "where request.region = 'CDG'",
        f"Allow dynamic-group fr-keys-access-workers to read repos in compartment id {COMPARTMENT} "
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
        ({"reader_dynamic_groups": []}, "at least one reader"),
        ({"region": "francecentral"}, "unknown OCI region"),
    ],
)
def test_rejects_invalid_registry_args(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _args(**overrides)


def test_no_args_value_makes_a_repository_public() -> None:
    assert not set(ContainerRegistryArgs.__dataclass_fields__) & {"is_public", "public", "is_immutable"}
