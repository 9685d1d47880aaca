"""The CLI works on the project of the working directory (found upward from it, as ``pulumi`` finds
``Pulumi.yaml``), never on the checkout the toolkit is installed from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sovereign.config.errors import ConfigError
from sovereign.project import find_project
from tests.gitrepo import git

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-22"


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOVEREIGN_CONFIG_DIR", raising=False)
    monkeypatch.delenv("SOVEREIGN_STACKS_DIR", raising=False)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A second copy of this project (its Pulumi.yaml, country files and stack files) in its own git repository:
    what a user of the installed toolkit has."""
    project = tmp_path / "other-clone"
    project.mkdir()
    shutil.copy2(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copytree(ROOT / "country_configs", project / "country_configs")
    shutil.copytree(ROOT / "stacks", project / "stacks", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    git(project, "init", "--quiet")
    git(project, "add", ".")
    git(project, "commit", "--quiet", "-m", "a second clone")
    return project


def _sovereign(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOVEREIGN_")}
    return subprocess.run(
        [sys.executable, "-m", "sovereign", *args],
        cwd=cwd,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_project_is_found_upward_and_its_stack_config_dir_is_read(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: p\nruntime: python\nstackConfigDir: config/stacks\n", "utf-8"
    )
    (tmp_path / "deep" / "er").mkdir(parents=True)
    project = find_project(tmp_path / "deep" / "er")
    assert project.root == tmp_path.resolve()
    assert project.stacks_dir == tmp_path.resolve() / "config" / "stacks"
    assert project.config_dir == tmp_path.resolve() / "country_configs"


def test_without_stack_config_dir_the_stack_files_sit_beside_pulumi_yaml(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n", encoding="utf-8")
    assert find_project(tmp_path).stacks_dir == tmp_path.resolve()


def test_the_environment_overrides_each_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n", "utf-8")
    monkeypatch.setenv("SOVEREIGN_CONFIG_DIR", "/elsewhere/configs")
    project = find_project(tmp_path)
    assert (
        project.config_dir == Path("/elsewhere/configs")
        and project.stacks_dir == tmp_path.resolve() / "stacks"
    )
    monkeypatch.setenv("SOVEREIGN_STACKS_DIR", "/elsewhere/stacks")
    assert find_project(tmp_path / "nowhere").stacks_dir == Path("/elsewhere/stacks")  # no Pulumi.yaml needed


def test_outside_any_project_is_a_clean_config_error(tmp_path: Path) -> None:
    if any((p / "Pulumi.yaml").exists() for p in (tmp_path, *tmp_path.parents)):
        pytest.skip("the temporary folder lies inside a Pulumi project")
    with pytest.raises(ConfigError) as raised:
        find_project(tmp_path)
    [problem] = raised.value.problems
    assert (
        problem.path == "Pulumi.yaml"
        and "no Pulumi.yaml in this folder or any folder above it" in problem.message
    )
    result = _sovereign(tmp_path, "validate", "--as-of", AS_OF)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no Pulumi.yaml in this folder or any folder above it" in result.stderr


def test_validate_reads_the_files_of_the_project_it_runs_in(clone: Path) -> None:
    country = clone / "country_configs" / "gb.yaml"
    country.write_text(
        country.read_text(encoding="utf-8") + "regoins: {primary: uksouth}\n", encoding="utf-8"
    )
    result = _sovereign(clone / "stacks", "validate", "--as-of", AS_OF)  # from a folder below Pulumi.yaml
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{country}:" in result.stderr and "unknown setting 'regoins'" in result.stderr
    assert str(ROOT / "country_configs") not in result.stderr + result.stdout
    assert "regoins" not in (ROOT / "country_configs" / "gb.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_plan_plans_the_stacks_of_the_project_it_runs_in(clone: Path) -> None:
    country = clone / "country_configs" / "de.yaml"
    text = country.read_text(encoding="utf-8")
    assert "cost_centre: DE-AI-001" in text
    country.write_text(text.replace("cost_centre: DE-AI-001", "cost_centre: DE-AI-CLONE"), encoding="utf-8")
    (clone / "stacks" / "Pulumi.de-staging.yaml").unlink()  # a stack only the checkout has
    result = _sovereign(clone, "plan", "de", "--as-of", AS_OF, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    [document] = json.loads(result.stdout)  # de-staging exists only in the checkout: not planned here
    assert document["stack"] == "de-prod"
    assert "DE-AI-CLONE" in json.dumps(document) and "DE-AI-001" not in json.dumps(document)
