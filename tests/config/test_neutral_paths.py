"""Issue 15, hidden data paths: the cloud-neutral ones (sovereign/config/neutral_paths.py), refused by
`sovereign validate` when they leave the country (invariant data_stays_in_country).

Each rejection is a careless or hostile edit of a shipped country file: an identity provider declared abroad,
one reached by address ranges whose country nobody states, weights pulled from a registry in another country.
File-based cases write the edit into a copy of the file and expect the problem at the edited line.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sovereign.config import data_paths as data_paths_module
from sovereign.config.data_paths import data_paths
from sovereign.config.loader import load_country, validate_files
from sovereign.config.neutral_paths import NEUTRAL_SOURCES, registry_location
from sovereign.config.schema import COUNTRY_CONFIG
from tests.config.helpers import AS_OF, CONFIG_DIR, DELETE, edit, merged, messages

SHIPPED = ("de", "br", "gb", "in", "kr", "no", "fr", "jp", "au", "ae")
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<path>\S+): (?P<what>.+) — (?P<fix>.+)$")
IDP = "assistant.chat.identity_provider_country"
US_WEIGHTS = "iad.ocir.io/jpsovereignns/jpsovereignregistry/models/qwen@sha256:" + "a" * 64


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    for name in ("_defaults.yaml", "models.yaml", "de.yaml", "jp.yaml"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def _rewrite(path: Path, old: str, new: str) -> int:
    """Replace the one line ``old`` with ``new``; the number of the line replaced."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.rstrip("\n") == old]
    assert len(hits) == 1, (old, hits)
    lines[hits[0]] = new + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return hits[0] + 1


def _problems(config_dir: Path, code: str) -> list[re.Match[str]]:
    _, problems = validate_files([config_dir / f"{code}.yaml"], config_dir=config_dir, as_of=AS_OF)
    return [m for p in problems if (m := LINE.match(str(p)))]


def _leaving(data: dict[str, object]) -> list[str]:
    return [m for m in messages(data) if "kept in-country by" in m]


# --- the neutral paths are listed, for every shipped country ----------------------------------------------------


@pytest.mark.parametrize("code", SHIPPED)
def test_every_shipped_country_lists_its_neutral_paths_in_country(code: str) -> None:
    config = load_country(code, "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    paths = data_paths(config)
    names = [p.name for p in paths]
    for what in ("pulled by the nodes", "citizens' sign-in", "chat interactions", "Prometheus samples"):
        assert any(what in n for n in names), (what, names)
    assert not [p for p in paths if p.leaves(code)]
    # Listed once, however often data_paths() runs.
    assert len(names) == len(data_paths(config))
    assert sum(s in data_paths_module.neutral_sources() for s in NEUTRAL_SOURCES) == len(NEUTRAL_SOURCES)


def test_neutral_paths_stand_without_a_cloud_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cloud whose data_paths module is missing still gets the neutral paths, and they are still checked."""
    import sovereign.clouds

    real = sovereign.clouds.cloud_module

    def without_data_paths(cloud: object, name: str) -> object:
        if name == "data_paths":
            raise ModuleNotFoundError(name)
        return real(cloud, name)  # pyright: ignore[reportArgumentType]

    monkeypatch.setattr(sovereign.clouds, "cloud_module", without_data_paths)
    config = COUNTRY_CONFIG.validate_python(edit(merged("de"), {IDP: "us"}))
    paths = data_paths(config)
    assert paths and all(
        p.name.startswith(
            ("chat", "serving", "model", "charts", "citizens", "prompts", "Pulumi state", "the key that")
        )
        for p in paths
    )
    found = list(data_paths_module.data_stays_in_country(config, None, AS_OF))
    assert [v.path for v in found] == [("assistant", "chat", "identity_provider_country")]


# --- the identity provider ----------------------------------------------------------------------------------------


def test_rejects_an_identity_provider_declared_in_another_country(config_dir: Path) -> None:
    """A careless edit: the country signs citizens in with a provider hosted in the US."""
    path = config_dir / "de.yaml"
    line = _rewrite(path, "    identity_provider_country: de", "    identity_provider_country: us")
    hits = [m for m in _problems(config_dir, "de") if m["path"] == IDP]
    assert hits and all(int(m["line"]) == line and m["file"] == str(path) for m in hits), hits
    assert "lies in 'us', outside 'de'" in hits[0]["what"] and "login.de.gov.example" in hits[0]["what"]
    assert "identity provider that runs in 'de'" in hits[0]["fix"]


def test_rejects_an_identity_provider_reached_by_ranges_whose_country_is_not_stated() -> None:
    """Deleting the declaration leaves address ranges, which name no country: refused, with the line to add."""
    [found] = _leaving(edit(merged("de"), {IDP: DELETE}))
    assert found.startswith(f"{IDP}: citizens' sign-in") and "undocumented country" in found
    assert f"'{IDP}: de'" in found


def test_rejects_moving_an_in_cluster_identity_provider_out_without_saying_where() -> None:
    """jp's provider is served in the cluster; switching to address ranges makes its country unknown."""
    data = edit(
        merged("jp"),
        {
            "assistant.chat.identity_provider_cidrs": ["10.250.1.0/28"],
            "assistant.chat.identity_provider_in_cluster": None,
        },
    )
    [found] = _leaving(data)
    assert found.startswith(f"{IDP}:") and "at 10.250.1.0/28" in found and "undocumented country" in found


def test_rejects_an_in_cluster_front_for_a_provider_abroad() -> None:
    """The pods in the cluster may be an ingress in front of a provider elsewhere: its declared country counts."""
    [found] = _leaving(edit(merged("jp"), {IDP: "sg"}))
    assert "served by pods in namespace 'identity'" in found and "'sg', outside 'jp'" in found


def test_accepts_in_country_identity_providers() -> None:
    assert _leaving(merged("jp")) == []  # in the cluster, nothing declared: the cluster's country
    assert _leaving(edit(merged("jp"), {IDP: "jp"})) == []
    assert _leaving(merged("de")) == []  # ranges, declared 'de'
    with pytest.raises(ValueError, match="not an ISO 3166-1 alpha-2 country code"):
        COUNTRY_CONFIG.validate_python(edit(merged("de"), {IDP: "xx"}))


# --- image and weight pulls ---------------------------------------------------------------------------------------


def test_rejects_weights_from_a_registry_in_another_country(config_dir: Path) -> None:
    """A hostile edit: the weights of jp's deployment come from the Ashburn registry (same tenancy path). Refused
    once at the edited line (check_invariants says a leaving path once when another invariant refused its
    setting: here supply_chain_in_country), and the data path places it in the US, as the report shows."""
    path = config_dir / "jp.yaml"
    text = path.read_text(encoding="utf-8")
    [weights] = re.findall(r"^ +weights: (nrt\.ocir\.io/\S+)$", text, re.MULTILINE)
    moved = weights.replace("nrt.", "iad.", 1)
    line = _rewrite(path, f"      weights: {weights}", f"      weights: {moved}")
    setting = "assistant.deployments[0].weights"
    [hit] = [m for m in _problems(config_dir, "jp") if m["path"] == setting]
    assert int(hit["line"]) == line and "outside the country's registry" in hit["what"], hit.string
    config = COUNTRY_CONFIG.validate_python(edit(merged("jp"), {"assistant.deployments.0.weights": moved}))
    [pulled] = [p for p in data_paths(config) if p.name.startswith("model weights of deployment")]
    assert (pulled.region, pulled.country, pulled.destination) == (
        "us-ashburn-1",
        "us",
        "registry iad.ocir.io",
    )
    assert pulled.setting == ("assistant", "deployments", 0, "weights") and pulled.leaves("jp")


def test_rejects_a_chat_image_from_a_public_registry() -> None:
    image = "docker.io/openwebui/open-webui@sha256:" + "b" * 64
    data = edit(merged("de"), {"assistant.chat.image": image})
    [found] = [m for m in messages(data) if m.startswith("assistant.chat.image:")]
    assert "outside the country's registry" in found
    [pulled] = [
        p
        for p in data_paths(COUNTRY_CONFIG.validate_python(data))
        if p.name.startswith("chat front end image")
    ]
    assert (pulled.region, pulled.country, pulled.destination) == (None, None, "registry docker.io")


def test_registry_hosts_are_placed_where_they_name() -> None:
    jp = load_country("jp", "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    assert registry_location(jp, US_WEIGHTS) == ("iad.ocir.io", "us-ashburn-1", "us")
    # In-country but not the country's registry: not a leaving path, still refused by supply_chain_in_country.
    osaka = "kix.ocir.io/jpsovereignns/jpsovereignregistry/models/qwen@sha256:" + "a" * 64
    assert registry_location(jp, osaka) == ("kix.ocir.io", "ap-osaka-1", "jp")
    assert (
        registry_location(jp, "artifacts.eu-madrid-2.oci.oraclecloud.eu/n/r/x@sha256:" + "c" * 64)[2] == "es"
    )
    de = load_country("de", "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    assert registry_location(de, "usregistry.azurecr.io/x@sha256:" + "c" * 64) == (
        "usregistry.azurecr.io",
        None,
        None,
    )
