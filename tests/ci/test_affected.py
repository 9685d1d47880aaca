"""``sovereign affected`` against a real git repository: one commit per kind of change, each on its own branch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sovereign.ci.affected import RepoLayout, affected_stacks, all_stacks, classify, deployed_models
from sovereign.config.loader import _layer, country_files
from sovereign.config.yamlfile import read_yaml
from sovereign.types import Environment
from tests.gitrepo import git

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*-*.yaml"))


class Repo:
    """A platform repository with the shipped country files and stacks, a stand-in toolkit, and a base commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.layout = RepoLayout(root)

    def git(self, *args: str) -> str:
        return git(self.root, *args).strip()

    def branch(self, name: str, start: str = "base") -> None:
        self.git("checkout", "-q", "-f", "-B", name, start)
        self.git("clean", "-fdq")

    def write(self, path: str, text: str) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_text(text, encoding="utf-8")

    def replace(self, path: str, old: str, new: str) -> None:
        text = (self.root / path).read_text(encoding="utf-8")
        assert old in text, f"{path} has no {old!r}"
        self.write(path, text.replace(old, new, 1))

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def affected(self, base: str = "base", head: str = "HEAD") -> dict[str, Any]:
        return {s.stack: s for s in affected_stacks(self.layout, base, head)}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    root = tmp_path_factory.mktemp("platform")
    shutil.copytree(ROOT / "country_configs", root / "country_configs")
    (root / "stacks").mkdir()
    for path in (ROOT / "stacks").glob("Pulumi.*.yaml"):
        shutil.copy(path, root / "stacks" / path.name)
    repo = Repo(root)
    repo.write("stacks/program.py", "def sovereign_program() -> None: ...\n")
    repo.write("components/azure/cluster.py", "CLUSTER = 1\n")
    repo.write("policy/__main__.py", "PACK = 1\n")
    repo.write("pyproject.toml", "[project]\nname = 'x'\n")
    repo.write("uv.lock", "version = 1\n")
    repo.write("README.md", "# platform\n")
    repo.write("tests/test_x.py", "def test_x() -> None: ...\n")
    repo.write(".github/workflows/ci.yml", "name: ci\n")
    repo.git("init", "-q", "-b", "main")
    repo.commit("base")
    repo.git("branch", "base")
    return repo


def test_documentation_tests_and_ci_configuration_affect_no_stack(repo: Repo) -> None:
    repo.branch("docs")
    repo.write("README.md", "# platform\n\nMore words.\n")
    repo.write("docs/runbook.md", "# runbook\n")
    repo.write("country_configs/README.md", "What the files are.\n")
    repo.write("tests/test_x.py", "def test_y() -> None: ...\n")
    repo.write(".github/workflows/ci.yml", "name: ci2\n")
    repo.write(".pre-commit-config.yaml", "repos: []\n")
    repo.commit("docs, tests, CI")
    assert repo.affected() == {}


def test_a_country_file_affects_that_countrys_stacks(repo: Repo) -> None:
    repo.branch("country")
    repo.replace("country_configs/de.yaml", "retention_days: 2555", "retention_days: 3650")
    repo.commit("keep audit logs longer")
    found = repo.affected()
    assert sorted(found) == ["de-prod", "de-staging"]
    assert found["de-prod"].reasons == ("country_configs/de.yaml: country file",)
    assert (found["de-prod"].cloud, found["de-prod"].removed) == ("azure", False)


def test_a_stack_file_affects_that_stack_only(repo: Repo) -> None:
    repo.branch("stack")
    repo.replace("stacks/Pulumi.fr-staging.yaml", "config:\n", "config:\n  sovereign-ai:note: x\n")
    repo.commit("stack setting")
    assert sorted(repo.affected()) == ["fr-staging"]


def test_a_changed_model_affects_exactly_the_countries_deploying_it(repo: Repo) -> None:
    repo.branch("models")
    # gemma-3-27b-it is deployed by Brazil and Australia; its assessment is re-signed.
    repo.replace(
        "country_configs/models.yaml", "served_model_name: gemma-3-27b\n", "served_model_name: gemma-3\n"
    )
    repo.replace(
        "country_configs/models.yaml", "      assessed_on: 2026-05-20", "      assessed_on: 2026-06-01"
    )
    repo.commit("re-assess gemma")
    found = repo.affected()
    assert sorted(found) == ["au-prod", "br-prod"]
    assert found["br-prod"].reasons == ("models.yaml: changed model gemma-3-27b-it",)


def test_a_model_nobody_deploys_or_a_reformatted_register_affects_no_stack(repo: Repo) -> None:
    repo.branch("models-noop")
    # eurollm-9b-instruct is in the register, deployed by no country.
    repo.replace(
        "country_configs/models.yaml", "display_name: EuroLLM 9B Instruct", "display_name: EuroLLM 9B"
    )
    # Formatting only: a comment and quotes around a date change nothing the loader sees.
    repo.replace("country_configs/models.yaml", "models:\n", "# reviewed 2026-11\nmodels:\n")
    repo.replace("country_configs/models.yaml", "assessed_on: 2026-05-04", 'assessed_on: "2026-05-04"')
    repo.commit("rename a model nobody deploys; reformat")
    assert repo.affected() == {}


def test_a_model_deployed_by_one_environment_affects_the_countrys_stacks(repo: Repo) -> None:
    """Germany's prod moves to Mistral, its staging keeps Llama: a Llama change still reaches Germany."""
    repo.branch("models-env")
    repo.replace(
        "country_configs/de.yaml", "model: llama-3.3-70b-instruct", "model: mistral-small-3.1-24b-instruct"
    )
    # Staging keeps Llama: its override (deployments merge by name) states only the model that differs.
    repo.replace(
        "country_configs/de.yaml",
        "          replicas_min: 1\n",
        "          model: llama-3.3-70b-instruct\n          replicas_min: 1\n",
    )
    repo.commit("German prod on Mistral")
    repo.replace(
        "country_configs/models.yaml", "served_model_name: llama-3.3-70b", "served_model_name: llama-3.3"
    )
    repo.commit("rename Llama's served name")
    found = repo.affected(base="HEAD~1")
    assert sorted(found) == ["de-prod", "de-staging"]  # Britain deploys Mistral only: not affected
    assert found["de-prod"].reasons == ("models.yaml: changed model llama-3.3-70b-instruct",)


@pytest.mark.parametrize(
    "path",
    [
        "components/azure/cluster.py",
        "stacks/program.py",
        "policy/__main__.py",
        "country_configs/_defaults.yaml",
        "pyproject.toml",
        "uv.lock",
        "scripts/bootstrap.sh",  # unclassified: every stack, to be safe
    ],
)
def test_the_toolkit_defaults_and_dependencies_affect_every_stack(repo: Repo, path: str) -> None:
    repo.branch("every-" + "".join(c if c.isalnum() else "-" for c in path))
    target = repo.root / path
    repo.write(path, (target.read_text(encoding="utf-8") if target.exists() else "") + "# changed\n")
    repo.commit(f"change {path}")
    found = repo.affected()
    assert sorted(found) == SHIPPED
    assert found["jp-prod"].reasons == (f"{path}: affects every stack",)


def test_a_deleted_country_names_its_stacks_as_they_were_at_the_base(repo: Repo) -> None:
    repo.branch("delete-country")
    repo.git(
        "rm", "-q", "country_configs/fr.yaml", "stacks/Pulumi.fr-prod.yaml", "stacks/Pulumi.fr-staging.yaml"
    )
    repo.commit("retire France")
    found = repo.affected()
    assert sorted(found) == ["fr-prod", "fr-staging"]
    assert all(s.removed and s.cloud == "oci" and s.country == "fr" for s in found.values())


def test_a_deleted_stack_file_is_reported_removed(repo: Repo) -> None:
    repo.branch("delete-stack")
    repo.git("rm", "-q", "stacks/Pulumi.de-staging.yaml")
    repo.commit("no German staging")
    found = repo.affected()
    assert list(found) == ["de-staging"]
    assert found["de-staging"].removed and found["de-staging"].environment == "staging"


def test_a_new_country_is_affected_and_not_removed(repo: Repo) -> None:
    repo.branch("new-country")
    shutil.copy(repo.root / "country_configs/no.yaml", repo.root / "country_configs/se.yaml")
    repo.write(
        "stacks/Pulumi.se-prod.yaml",
        "config:\n  sovereign-ai:country: se\n  sovereign-ai:environment: prod\n",
    )
    repo.commit("Sweden")
    found = repo.affected()
    assert list(found) == ["se-prod"]
    assert (found["se-prod"].removed, found["se-prod"].cloud) == (False, "azure")


def test_an_invalid_country_file_is_still_affected(repo: Repo) -> None:
    """Hiding a broken file's stacks would hide its failing preview; validation is another job's finding."""
    repo.branch("broken")
    repo.write("country_configs/kr.yaml", "cloud: azure\nregions: [unclosed\n")
    repo.commit("break Korea")
    assert list(repo.affected()) == ["kr-prod"]


def test_only_the_changes_since_the_branch_point_count(repo: Repo) -> None:
    """main moves on (Japan) after the feature branched (Korea): comparing with main names Korea only."""
    repo.branch("feature")
    repo.replace("country_configs/kr.yaml", "retention_days: 2555", "retention_days: 3000")
    repo.commit("Korea keeps audit logs longer")
    repo.branch("main-later")
    repo.replace("country_configs/jp.yaml", "retention_days: 2555", "retention_days: 3100")
    repo.commit("Japan keeps audit logs longer")
    repo.git("checkout", "-q", "feature")
    assert list(repo.affected(base="main-later")) == ["kr-prod"]
    assert list(repo.affected(base="main-later", head="main-later")) == []


def test_all_lists_every_stack_at_head(repo: Repo) -> None:
    repo.branch("all")
    assert [s.stack for s in all_stacks(repo.layout)] == SHIPPED


def _cli(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SOVEREIGN_CONFIG_DIR": str(repo.root / "country_configs"),
        "SOVEREIGN_STACKS_DIR": str(repo.root / "stacks"),
    }
    env.pop("SOVEREIGN_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "sovereign", "affected", *args],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_prints_exactly_a_json_array_of_stack_names_and_the_matrix_on_request(repo: Repo) -> None:
    repo.branch("cli")
    repo.replace("country_configs/jp.yaml", "retention_days: 2555", "retention_days: 3200")
    repo.git("rm", "-q", "stacks/Pulumi.de-staging.yaml")
    repo.commit("Japan; drop German staging")
    plain = _cli(repo, "--base", "base")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout == '["de-staging", "jp-prod"]\n'
    assert plain.stderr == ""
    matrix = _cli(repo, "--base", "base", "--head", "cli", "--matrix", "--explain")
    assert matrix.returncode == 0, matrix.stderr
    assert json.loads(matrix.stdout) == [
        {"stack": "de-staging", "country": "de", "environment": "staging", "cloud": "azure", "removed": True},
        {"stack": "jp-prod", "country": "jp", "environment": "prod", "cloud": "oci", "removed": False},
    ]
    assert "jp-prod: country_configs/jp.yaml: country file" in matrix.stderr
    assert "de-staging (removed at head)" in matrix.stderr


def test_cli_refuses_an_unknown_ref_cleanly(repo: Repo) -> None:
    result = _cli(repo, "--base", "origin/nowhere")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--base: 'origin/nowhere' is not a commit in this repository" in result.stderr
    assert "fetch-depth: 0" in result.stderr and "Traceback" not in result.stderr


def test_cli_needs_base_or_all(repo: Repo) -> None:
    result = _cli(repo)
    words = " ".join(result.stderr.replace("│", " ").split())  # typer's usage error box wraps long lines
    assert result.returncode == 2 and "give exactly one of --base GIT_REF and --all" in words


def test_classify_is_explicit_about_each_kind_of_path(repo: Repo) -> None:
    kinds = {
        p: classify(p, repo.layout).kind
        for p in [
            "country_configs/de.yaml",
            "country_configs/models.yaml",
            "country_configs/_defaults.yaml",
            "country_configs/archive/old.yaml",
            "stacks/Pulumi.de-prod.yaml",
            "stacks/assistant.py",
            "sovereign/catalogue/regions.py",
            "schema/country.schema.json",
            "LICENSE",
            "Makefile",
        ]
    }
    assert kinds == {
        "country_configs/de.yaml": "country",
        "country_configs/models.yaml": "models",
        "country_configs/_defaults.yaml": "every",
        "country_configs/archive/old.yaml": "every",
        "stacks/Pulumi.de-prod.yaml": "stack",
        "stacks/assistant.py": "every",
        "sovereign/catalogue/regions.py": "every",
        "schema/country.schema.json": "none",
        "LICENSE": "none",
        "Makefile": "none",
    }


@pytest.mark.parametrize("path", country_files(ROOT / "country_configs"), ids=lambda p: p.stem)
def test_deployed_models_agree_with_the_loaders_layering(path: Path) -> None:
    defaults, _ = read_yaml(ROOT / "country_configs" / "_defaults.yaml")
    country, _ = read_yaml(path)
    assert defaults is not None and country is not None
    expected = set()
    for env in country.data["environments"]:
        layered = _layer(defaults, country, Environment(env)).data
        expected |= {d["model"] for d in (layered.get("assistant") or {}).get("deployments", [])}
    assert deployed_models(defaults.data, country.data) == expected
    assert expected, f"{path.name} deploys no model: the comparison would prove nothing"


def test_deployed_models_follow_list_replacement_per_environment() -> None:
    country = {
        "assistant": {"deployments": [{"model": "a"}], "chat": {}},
        "environments": {"prod": {"assistant": {"deployments": [{"model": "b"}]}}, "staging": None},
    }
    assert deployed_models({}, country) == {"a", "b"}  # staging keeps the body's list, prod replaces it
    country["environments"]["staging"] = {"assistant": {"deployments": [{"model": "c"}]}}
    assert deployed_models({}, country) == {"b", "c"}
    assert deployed_models({}, {"environments": {"prod": {"assistant": None}}}) == set()
