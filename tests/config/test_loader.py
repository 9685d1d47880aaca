"""The loader: layering, and the clean file:line error for every kind of bad file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from sovereign.config.errors import ConfigError
from sovereign.config.loader import load_country, validate_files
from sovereign.config.schema import AzureCountry
from tests.config.helpers import AS_OF, CONFIG_DIR

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<path>\S+): (?P<what>.+) — (?P<fix>.+)$")


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    for name in ("_defaults.yaml", "models.yaml", "de.yaml", "fr.yaml"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def _problems(config_dir: Path, name: str = "de.yaml") -> list[str]:
    _, problems = validate_files([config_dir / name], config_dir=config_dir, as_of=AS_OF)
    return [str(p) for p in problems]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_layers_defaults_country_and_environment() -> None:
    prod = load_country("de", "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    staging = load_country("de", "staging", config_dir=CONFIG_DIR, as_of=AS_OF)
    assert isinstance(prod, AzureCountry) and isinstance(staging, AzureCountry)
    assert prod.azure.egress.mode == "none"  # from _defaults.yaml (its 'azure' section)
    assert prod.key_custody.rotation_days == 90
    assert prod.tags.data_classification == "confidential"
    assert staging.tags.data_classification == "internal"  # environment override
    assert staging.tags.owner == prod.tags.owner  # merged, not replaced
    assert staging.cluster.gpu_pools[0].node_count_max == 5 and prod.cluster.gpu_pools[0].node_count_max == 8
    # Keyed lists merge by name: staging states only what differs.
    assert staging.cluster.gpu_pools[0].vm_size == prod.cluster.gpu_pools[0].vm_size
    assert staging.assistant and prod.assistant
    assert staging.assistant.deployments[0].image == prod.assistant.deployments[0].image
    assert (staging.assistant.deployments[0].replicas_max, prod.assistant.deployments[0].replicas_max) == (
        1,
        4,
    )


def test_defaults_sections_of_another_cloud_do_not_apply() -> None:
    fr = load_country("fr", "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    assert type(fr).__name__ == "OciCountry" and not hasattr(fr, "azure")


def _staging(path: Path, block: str) -> None:
    """Replace de.yaml's staging overrides with ``block`` (indented under 'staging:')."""
    text = path.read_text(encoding="utf-8")
    start = text.index("  staging:")
    path.write_text(text[:start] + "  staging:\n" + block, encoding="utf-8")


def test_keyed_lists_append_new_names_and_remove_marked_ones(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _staging(
        path,
        "    tenants:\n"
        "      - {name: edu-lernhilfe, remove: true}\n"
        "      - name: test-lab\n"
        "        group: {name: tenant-test-lab, object_id: 6c1d9f3b-2a4e-4b8c-8d7e-3f5a1b2c4d61}\n",
    )
    staging = load_country("de", "staging", config_dir=config_dir, as_of=AS_OF)
    prod = load_country("de", "prod", config_dir=config_dir, as_of=AS_OF)
    assert [t.name for t in staging.tenants] == ["medtech-berlin", "test-lab"]
    assert [t.name for t in prod.tenants] == ["medtech-berlin", "edu-lernhilfe"]


def test_rejects_removal_of_an_unknown_item_at_its_line(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _staging(path, "    storage:\n      stores:\n        - {name: weigths, remove: true}\n")
    [problem] = _problems(config_dir)
    line = _line_of(path, "name: weigths")
    assert f"de.yaml:{line}: environments.staging.storage.stores[0].name: [staging]" in problem
    assert "no item named 'weigths' to remove (known: weights, audit)" in problem


def test_rejects_removal_marker_with_settings(config_dir: Path) -> None:
    _staging(config_dir / "de.yaml", "    storage:\n      stores:\n        - {name: weights, remove: yes}\n")
    [problem] = _problems(config_dir)
    assert "'remove: true' takes only the item's name" in problem


def test_merged_item_errors_point_at_the_override_line(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "          replicas_max: 1", "          replicas_max: 100")
    [problem] = _problems(config_dir)
    line = _line_of(path, "replicas_max: 100")
    assert f"de.yaml:{line}: assistant.deployments[0].replicas_max: [staging]" in problem, problem


def test_merged_item_keeps_the_lines_of_values_it_does_not_override(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "      vm_size: Standard_NCC40ads_H100_v5", "      vm_size: Standard_NC999")
    problems = _problems(config_dir)
    line = _line_of(path, "vm_size: Standard_NC999")
    assert any(f"de.yaml:{line}: cluster.gpu_pools[0].vm_size: [staging]" in p for p in problems), problems


def test_rejects_missing_cloud_naming_the_clouds(config_dir: Path) -> None:
    _replace(config_dir / "de.yaml", "cloud: azure\n", "")
    [problem] = _problems(config_dir)
    assert ": cloud: [prod, staging] required setting is missing (allowed: 'azure' or 'oci')" in problem


def test_unknown_key_inside_a_cloud_section_has_a_clean_path(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "  pod_cidr: 100.104.0.0/16", "  pod_cidr: 100.104.0.0/16\n  pod_cdir: 100.104.0.0/16")
    [problem] = _problems(config_dir)
    assert f"de.yaml:{_line_of(path, 'pod_cdir')}: azure.pod_cdir:" in problem
    assert "did you mean 'pod_cidr'?" in problem


def test_rejects_unknown_key_with_line_and_did_you_mean(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "      redundancy: zone", "      redundncy: zone")
    [problem] = _problems(config_dir)
    match = LINE.match(problem)
    assert match, problem
    assert int(match["line"]) == _line_of(path, "redundncy")
    assert match["path"] == "storage.stores[0].redundncy"
    assert "unknown setting 'redundncy'" in problem and "did you mean 'redundancy'?" in problem


def test_rejects_wrong_type_with_got_and_allowed(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "cloud: azure", "cloud: gcp")
    [problem] = _problems(config_dir)
    assert f"de.yaml:{_line_of(path, 'cloud: gcp')}: cloud:" in problem
    assert "'azure' or 'oci'" in problem and "got 'gcp'" in problem


def test_environment_override_errors_point_at_the_override_line(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "      data_classification: internal", "      data_classification: secret")
    [problem] = _problems(config_dir)
    assert f":{_line_of(path, 'data_classification: secret')}: tags.data_classification: [staging]" in problem


def test_invariant_errors_point_at_the_offending_line(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "  primary: germanywestcentral", "  primary: francecentral")
    problems = _problems(config_dir)
    assert any(
        f"de.yaml:{_line_of(path, 'primary: francecentral')}: regions.primary: [prod]" in p for p in problems
    )


def test_rejects_aks_version_past_end_of_support_at_its_line(config_dir: Path) -> None:
    path = config_dir / "de.yaml"
    _replace(path, "cluster:\n", 'cluster:\n  kubernetes_version: "1.34"\n')
    _, problems = validate_files([path], config_dir=config_dir, as_of=dt.date(2026, 12, 2))
    found = [LINE.match(str(p)) for p in problems]
    assert len(found) == 2, problems  # invariant problems are reported per environment: prod and staging
    problem = found[0]
    assert problem is not None, problems
    assert problem["file"].endswith("de.yaml") and int(problem["line"]) == _line_of(path, '"1.34"')
    assert problem["path"] == "cluster.kubernetes_version"
    assert "[prod] AKS support for '1.34' ended on 2026-11-30" in problem["what"]
    assert "allowed on 2026-12-02: 1.35, 1.36, 1.37" in problem["what"]
    assert problem["fix"].startswith("set '1.35'")


def test_defaults_errors_point_at_the_defaults_file(config_dir: Path) -> None:
    _replace(config_dir / "_defaults.yaml", "service_cidr: 172.16.0.0/16", "service_cidr: 172.16.0.1/16")
    line = _line_of(config_dir / "_defaults.yaml", "service_cidr: 172.16.0.1/16")
    problems = _problems(config_dir)
    assert any(f"_defaults.yaml:{line}: network.service_cidr: [prod, staging]" in p for p in problems), (
        problems
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("cloud: [azure\n", "malformed YAML"),
        ("", "the file is empty"),
        ("- a\n- b\n", "expected a mapping"),
        ("cloud: azure\ncloud: oci\n", "malformed YAML"),  # duplicate keys are refused
        ("\x00\x01binary", "binary content"),
        ("key: \t\x07bell\n", "malformed YAML"),
    ],
)
def test_rejects_bad_files_cleanly(config_dir: Path, content: str, expected: str) -> None:
    (config_dir / "de.yaml").write_text(content, encoding="utf-8")
    problems = _problems(config_dir)
    assert problems and expected in problems[0], problems


def test_rejects_non_utf8_and_huge_and_deep_files(config_dir: Path) -> None:
    (config_dir / "de.yaml").write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in _problems(config_dir)[0] or "binary" in _problems(config_dir)[0]
    (config_dir / "de.yaml").write_text("a: " + "x" * 1_100_000, encoding="utf-8")
    assert "bytes (allowed: at most" in _problems(config_dir)[0]
    (config_dir / "de.yaml").write_text("a: " + "[" * 200 + "]" * 200, encoding="utf-8")
    assert "nested more than" in _problems(config_dir)[0]
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(10)
    )
    (config_dir / "de.yaml").write_text(laughs, encoding="utf-8")
    assert "more than" in _problems(config_dir)[0]


def test_rejects_missing_prod_and_unknown_environment(config_dir: Path) -> None:
    _replace(config_dir / "de.yaml", "\n  prod:\n", "\n  production:\n")
    problems = _problems(config_dir)
    assert "missing the 'prod' environment" in problems[0]


def test_rejects_country_key_in_file_and_bad_file_name(config_dir: Path) -> None:
    _replace(config_dir / "de.yaml", "display_name: Germany", "country: fr\ndisplay_name: Germany")
    assert "set from the file name" in _problems(config_dir)[0]
    shutil.copy(config_dir / "fr.yaml", config_dir / "france.yaml")
    assert "not named after a country" in _problems(config_dir, "france.yaml")[0]


def test_rejects_file_named_after_no_country(config_dir: Path) -> None:
    shutil.copy(config_dir / "fr.yaml", config_dir / "xx.yaml")
    assert any(
        "'xx' is not an ISO 3166-1 alpha-2 country code" in p for p in _problems(config_dir, "xx.yaml")
    )


def test_load_country_raises_config_error_for_missing_country() -> None:
    with pytest.raises(ConfigError, match=r"no country file for 'zz' \(known: ae, au, br, de"):
        load_country("zz", "prod", config_dir=CONFIG_DIR, as_of=AS_OF)


def test_broken_register_is_reported_with_its_line(config_dir: Path) -> None:
    _replace(config_dir / "models.yaml", "capability_tier: high", "capability_tier: extreme")
    problems = _problems(config_dir)
    assert any("models.yaml:" in p and "capability_tier" in p and "got 'extreme'" in p for p in problems), (
        problems
    )
