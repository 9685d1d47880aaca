"""The CLI end to end through its entry point (``python -m sovereign``, the console script's target)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-22"


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("SOVEREIGN_DEBUG", None)
    if env and "SOVEREIGN_DEBUG" in env:
        full_env["SOVEREIGN_DEBUG"] = env["SOVEREIGN_DEBUG"]
    return subprocess.run(
        [sys.executable, "-m", "sovereign", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the country configs and stacks, so commands that write files touch nothing real."""
    shutil.copytree(ROOT / "country_configs", tmp_path / "country_configs")
    (tmp_path / "stacks").mkdir()
    return tmp_path


def test_validate_all_shipped_countries() -> None:
    result = run("validate", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert "valid: 12 country-environment(s)" in result.stdout
    for stack in ("de-prod", "de-staging", "fr-prod", "ae-prod", "no-prod"):
        assert stack in result.stdout


def test_validate_reports_every_problem_and_exits_2_without_traceback(workspace: Path) -> None:
    path = workspace / "country_configs" / "br.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("      redundancy: zone\n", "      redundancy: geo\n", 1).replace(
        "cloud: azure", "cloud: azure\nregion: x"
    )
    path.write_text(text, encoding="utf-8")
    result = run("validate", str(path), "--as-of", AS_OF, "--config-dir", str(workspace / "country_configs"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "br.yaml:6: region: [prod] unknown setting 'region'" in result.stderr
    assert "did you mean 'regions'?" in result.stderr
    assert "1 problem(s); nothing was changed." in result.stderr
    # With the unknown key fixed, the next layer of checks (invariants) reports the cross-border pair.
    path.write_text(text.replace("\nregion: x", ""), encoding="utf-8")
    result = run("validate", str(path), "--as-of", AS_OF, "--config-dir", str(workspace / "country_configs"))
    assert result.returncode == 2
    assert "southcentralus" in result.stderr and "outside 'br'" in result.stderr


def test_validate_missing_file_and_bad_date_are_clean_errors() -> None:
    result = run("validate", "country_configs/zz.yaml")
    assert result.returncode == 2 and "file not found" in result.stderr and "Traceback" not in result.stderr
    result = run("validate", "--as-of", "22/11/2026")
    assert result.returncode == 2 and "use YYYY-MM-DD" in result.stderr


def test_expired_model_on_a_later_date_fails_validation() -> None:
    result = run("validate", "--as-of", "2028-06-01")
    assert result.returncode == 2
    assert "not on 2028-06-01" in result.stderr


def test_debug_variable_shows_the_traceback() -> None:
    result = run("validate", "--as-of", "nope", env={"SOVEREIGN_DEBUG": "1"})
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_validate_imports_no_provider_sdk() -> None:
    code = (
        "import sys\n"
        "from sovereign.cli import app\n"
        "try:\n"
        f"    app(['validate', '--as-of', '{AS_OF}'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pulumi_azure_native', 'pulumi_oci', 'pulumi_kubernetes', 'pulumi'))\n"
        "print('LOADED', loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout


def test_countries_table() -> None:
    result = run("countries", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    for needle in (
        "germanywestcentral",
        "eu-paris-1",
        "8x H100 NVL (confidential)",
        "llama-3.3-70b-instruct",
        "staging",
    ):
        assert needle in result.stdout


def test_new_country_writes_valid_files_and_never_overwrites(workspace: Path) -> None:
    configs = workspace / "country_configs"
    result = run(
        "new-country", "se", "--cloud", "azure", "--region", "swedencentral", "--config-dir", str(configs)
    )
    assert result.returncode == 0, result.stderr
    assert (configs / "se.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    stack = (workspace / "stacks" / "Pulumi.se-prod.yaml").read_text(encoding="utf-8")
    assert (
        "sovereign-ai:country: se" in stack
        and "swedencentral" in stack
        and "disable-default-providers" in stack
    )
    result = run("validate", str(configs / "se.yaml"), "--config-dir", str(configs))
    assert result.returncode == 0, result.stderr
    before = (configs / "se.yaml").read_text(encoding="utf-8")
    result = run(
        "new-country", "se", "--cloud", "azure", "--region", "swedencentral", "--config-dir", str(configs)
    )
    assert result.returncode == 2 and "never overwrites" in result.stderr
    assert (configs / "se.yaml").read_text(encoding="utf-8") == before


def test_new_country_on_oci_sovereign_realm(workspace: Path) -> None:
    configs = workspace / "country_configs"
    result = run(
        "new-country", "es", "--cloud", "oci", "--region", "eu-madrid-2", "--config-dir", str(configs)
    )
    assert result.returncode == 0, result.stderr
    assert "realm: oc19" in (configs / "es.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("se", "--cloud", "azure", "--region", "germanywestcentral"),
            "lies in 'de' (allowed: swedencentral",
        ),
        (("xx", "--cloud", "oci", "--region", "eu-paris-1"), "not an ISO 3166-1 alpha-2 code"),
        (
            ("is", "--cloud", "azure", "--region", "icelandeast"),
            "none: no azure region in the catalogue lies in 'is'",
        ),
    ],
)
def test_new_country_refuses_foreign_regions_and_unknown_codes(
    workspace: Path, args: tuple, message: str
) -> None:
    configs = workspace / "country_configs"
    result = run("new-country", *args, "--config-dir", str(configs))
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert not (configs / f"{args[0]}.yaml").exists() and not list((workspace / "stacks").iterdir())


def test_schema_is_written_and_matches_the_committed_copy(tmp_path: Path) -> None:
    result = run("schema", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    country = json.loads((tmp_path / "country.schema.json").read_text(encoding="utf-8"))
    assert "environments" in country["properties"] and "country" not in country["properties"]
    assert country["additionalProperties"] is False
    for name in ("country.schema.json", "models.schema.json", "plan.schema.json"):
        committed = (ROOT / "schema" / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == committed, (
            f"run 'sovereign schema' ({name} is stale)"
        )


def test_every_country_file_carries_the_schema_modeline() -> None:
    for path in sorted((ROOT / "country_configs").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        expected = "models" if path.name == "models.yaml" else "country"
        assert first == f"# yaml-language-server: $schema=../schema/{expected}.schema.json", path.name


def test_readme_config_reference_is_generated_from_the_schema() -> None:
    from sovereign.config.reference import replace_reference_block

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert replace_reference_block(readme) == readme, "run 'sovereign schema --readme README.md'"
    assert "| `storage.stores[].redundancy` |" in readme
