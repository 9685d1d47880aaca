"""Which stacks a git change affects: the job matrix of the pull-request and deploy workflows.

The files changed between ``merge-base(base, head)`` and ``head`` are classified by what they can change in a
deployment (see :func:`classify`):

- ``country_configs/<cc>.yaml`` -> that country's stacks; ``stacks/Pulumi.<cc>-<env>.yaml`` -> that stack;
- ``country_configs/models.yaml`` -> the stacks of countries that deploy a model whose register entry changed
  (the register is compared per model id at both revisions; a country deploys a model when any of its
  environments lists it in ``assistant.deployments``, at either revision);
- the toolkit (``components/``, ``sovereign/``, ``policy/``, the stack program ``stacks/*.py``), the defaults
  ``country_configs/_defaults.yaml``, ``Pulumi.yaml``, ``pyproject.toml``, ``uv.lock`` -> every stack;
- documentation, tests, CI configuration -> nothing; any other path -> every stack (unknown means unsafe).

Deleted files count: a deleted country or stack file names the stacks as they existed at the base. A stack that
no longer exists at the head is reported with ``removed=True``: the workflows show it in the pull request and
never preview, deploy or destroy it (destroying a sovereign platform is a deliberate, manual act).

Both revisions are read from git objects, never from the working tree. Non-goals: no planning, no previews, no
validation of the files (an invalid file is the ``validate`` job's finding, not a reason to hide a stack).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from sovereign.ci.gitrev import GitRepository
from sovereign.config.errors import ConfigError, Problem
from sovereign.config.loader import DEFAULTS_FILE, MODELS_FILE, load_register
from sovereign.config.yamlfile import read_yaml

__all__ = [
    "AffectedStack",
    "Effect",
    "RepoLayout",
    "affected_stacks",
    "all_stacks",
    "classify",
    "deployed_models",
]

_STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>(?P<cc>[a-z]{2})-(?P<env>[a-z]+))\.yaml$")
_COUNTRY_FILE = re.compile(r"^(?P<cc>[a-z]{2})\.yaml$")

EVERY_STACK_FOLDERS = ("components/", "sovereign/", "policy/")
"""The toolkit: the components, the config model and catalogues, the stack program's helpers, the policy pack."""
EVERY_STACK_FILES = frozenset({"Pulumi.yaml", "pyproject.toml", "uv.lock", ".python-version"})
"""The project file and the locked dependencies: a provider upgrade can change every stack."""
NO_STACK_FOLDERS = ("docs/", "tests/", ".github/", ".ci/", "benchmarks/", "schema/")
"""Never deployed. ``schema/`` is generated from ``sovereign/`` (which already affects every stack)."""
NO_STACK_FILES = frozenset(
    {".pre-commit-config.yaml", ".gitignore", ".gitattributes", ".editorconfig", "Makefile", "CODEOWNERS"}
)
DOC_SUFFIXES = (".md", ".rst", ".adoc")


@dataclass(frozen=True)
class Effect:
    """What one changed path can change: nothing, every stack, one country, one stack, or the model register."""

    kind: Literal["none", "every", "country", "stack", "models"]
    path: str
    key: str = ""
    """The country code (kind 'country') or the stack name (kind 'stack')."""


@dataclass(frozen=True)
class RepoLayout:
    """Where the country files and stack files sit, relative to the repository root (POSIX paths)."""

    root: Path
    config_dir: str = "country_configs"
    stacks_dir: str = "stacks"

    @classmethod
    def discover(cls, config_dir: Path, stacks_dir: Path) -> RepoLayout:
        """The layout of the repository holding ``config_dir``; both folders must lie inside it."""
        from sovereign.plan.gitbase import repository_root

        root = repository_root(config_dir).resolve()
        relative = []
        for option, folder in (("SOVEREIGN_CONFIG_DIR", config_dir), ("SOVEREIGN_STACKS_DIR", stacks_dir)):
            try:
                relative.append(folder.resolve().relative_to(root).as_posix())
            except ValueError:
                raise ConfigError(
                    [Problem(folder, None, option, f"is outside the repository {root}", "point it inside")]
                ) from None
        return cls(root, relative[0], relative[1])


@dataclass(frozen=True)
class AffectedStack:
    stack: str
    country: str
    environment: str
    cloud: str | None
    """'azure' or 'oci' from the country file (head, else base); None when no revision says."""
    removed: bool
    """The stack file exists at the base but not at the head."""
    reasons: tuple[str, ...] = field(default=(), compare=False)

    def matrix_entry(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "country": self.country,
            "environment": self.environment,
            "cloud": self.cloud,
            "removed": self.removed,
        }


def classify(path: str, layout: RepoLayout) -> Effect:
    """What a changed path (POSIX, from the repository root) can change in a deployment."""
    pure = PurePosixPath(path)
    parent, name = pure.parent.as_posix(), pure.name
    if name.endswith(DOC_SUFFIXES) or name.startswith("LICENSE"):
        return Effect("none", path)
    if parent == layout.config_dir:
        if name == DEFAULTS_FILE:
            return Effect("every", path)
        if name == MODELS_FILE:
            return Effect("models", path)
        if match := _COUNTRY_FILE.match(name):
            return Effect("country", path, match["cc"])
    if parent == layout.stacks_dir:
        if match := _STACK_FILE.match(name):
            return Effect("stack", path, match["stack"])
        if name.endswith(".py"):  # the stack program
            return Effect("every", path)
    if path in EVERY_STACK_FILES or path.startswith(EVERY_STACK_FOLDERS):
        return Effect("every", path)
    if path in NO_STACK_FILES or path.startswith(NO_STACK_FOLDERS):
        return Effect("none", path)
    return Effect("every", path)  # unclassified: previewing too much is cheaper than deploying too little


def _merge(base: Any, over: Any) -> Any:
    """The loader's layering rule: mappings merge key by key, anything else (lists too) is replaced whole."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    return over


def _layers(defaults: Any, country: Any) -> list[Any]:
    """Each environment's layered config (raw data); the file body alone when it declares no environment."""
    defaults = defaults if isinstance(defaults, dict) else {}
    if not isinstance(country, dict):
        return [defaults]
    body = _merge(defaults, {k: v for k, v in country.items() if k != "environments"})
    envs = country.get("environments")
    if not isinstance(envs, dict) or not envs:
        return [body]
    return [_merge(body, over) if over is not None else body for over in envs.values()]


def deployed_models(defaults: Any, country: Any) -> set[str]:
    """Model ids any environment of a country deploys (``assistant.deployments[].model``), from raw YAML data.

    Works on files that do not validate: a broken country file still names the models it means to deploy.
    """
    models: set[str] = set()
    for layered in _layers(defaults, country):
        assistant = layered.get("assistant") if isinstance(layered, dict) else None
        deployments = assistant.get("deployments") if isinstance(assistant, dict) else None
        for deployment in deployments if isinstance(deployments, list) else []:
            if isinstance(deployment, dict) and isinstance(deployment.get("model"), str):
                models.add(deployment["model"])
    return models


class _Revision:
    """The country and stack files of one commit, materialised in a temporary folder on first use."""

    def __init__(self, git: GitRepository, commit: str, layout: RepoLayout, scratch: Path) -> None:
        self.git, self.commit, self.layout = git, commit, layout
        self.files = git.list_files(commit, [layout.config_dir, layout.stacks_dir])
        self._scratch = scratch / commit

    @cached_property
    def stacks(self) -> dict[str, tuple[str, str]]:
        """Stack name -> (country, environment), from the stack file names."""
        out = {}
        for path in self.files:
            pure = PurePosixPath(path)
            if pure.parent.as_posix() == self.layout.stacks_dir and (m := _STACK_FILE.match(pure.name)):
                out[m["stack"]] = (m["cc"], m["env"])
        return out

    @cached_property
    def config_folder(self) -> Path:
        """The revision's config folder on disk (top-level YAML files only), for the loader."""
        wanted = [
            p
            for p in self.files
            if PurePosixPath(p).parent.as_posix() == self.layout.config_dir and p.endswith(".yaml")
        ]
        self._scratch.mkdir(parents=True)
        for path, data in self.git.read_files(self.commit, wanted).items():
            (self._scratch / PurePosixPath(path).name).write_bytes(data)
        return self._scratch

    def _data(self, name: str) -> Any:
        doc, _ = read_yaml(self.config_folder / name)
        return doc.data if doc is not None else None

    def country(self, code: str) -> Any:
        """Raw data of ``<code>.yaml``; None when absent or unreadable."""
        return self._data(f"{code}.yaml") if (self.config_folder / f"{code}.yaml").exists() else None

    @cached_property
    def defaults(self) -> Any:
        return self._data(DEFAULTS_FILE) if (self.config_folder / DEFAULTS_FILE).exists() else None

    def countries(self) -> list[str]:
        return sorted(
            m["cc"]
            for p in self.files
            if PurePosixPath(p).parent.as_posix() == self.layout.config_dir
            and (m := _COUNTRY_FILE.match(PurePosixPath(p).name))
        )

    def register(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The register by model id: (validated entries, raw entries); either is None when unavailable.

        Validated entries are in normal form, so that quoting, key order or comments alone are no change.
        """
        if not (self.config_folder / MODELS_FILE).exists():
            return {}, {}
        register, _ = load_register(self.config_folder)
        validated = {m.id: m.model_dump(mode="json") for m in register.models} if register else None
        data = self._data(MODELS_FILE)
        entries = data.get("models") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not all(isinstance(e, dict) and "id" in e for e in entries):
            return validated, None
        return validated, {str(e["id"]): e for e in entries}

    def cloud(self, code: str) -> str | None:
        layered = _merge(self.defaults if isinstance(self.defaults, dict) else {}, self.country(code) or {})
        cloud = layered.get("cloud") if isinstance(layered, dict) else None
        return cloud if cloud in ("azure", "oci") else None


def _changed_models(old: _Revision, new: _Revision) -> set[str] | None:
    """Ids whose register entry differs between the revisions; None when the registers cannot be compared."""
    (old_valid, old_raw), (new_valid, new_raw) = old.register(), new.register()
    if old_valid is not None and new_valid is not None:
        before, after = old_valid, new_valid
    elif old_raw is not None and new_raw is not None:  # compare like with like: raw data on both sides
        before, after = old_raw, new_raw
    else:
        return None
    return {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}


def _model_countries(old: _Revision, new: _Revision) -> dict[str, list[str]]:
    """Country -> reasons, for countries that deploy (at either revision) a model whose register entry changed."""
    changed = _changed_models(old, new)
    out: dict[str, list[str]] = {}
    for code in sorted(set(old.countries()) | set(new.countries())):
        deployed = deployed_models(old.defaults, old.country(code)) | deployed_models(
            new.defaults, new.country(code)
        )
        if changed is None and deployed:
            out[code] = ["the model register cannot be read: every deployed model counts as changed"]
        elif hits := sorted(deployed & (changed or set())):
            out[code] = [f"{MODELS_FILE}: changed model {m}" for m in hits]
    return out


def affected_stacks(layout: RepoLayout, base: str, head: str = "HEAD") -> list[AffectedStack]:
    """The stacks affected by the changes ``head`` makes since it branched from ``base``, sorted by name."""
    git = GitRepository(layout.root)
    head_commit = git.commit(head, "--head")
    base_commit = git.merge_base(git.commit(base, "--base"), head_commit)
    with tempfile.TemporaryDirectory(prefix="sovereign-affected-") as scratch:
        old = _Revision(git, base_commit, layout, Path(scratch))
        new = old if base_commit == head_commit else _Revision(git, head_commit, layout, Path(scratch))
        reasons: dict[str, list[str]] = {}
        for effect in (classify(p, layout) for p in git.changed_paths(base_commit, head_commit)):
            for stack, why in _expand(effect, old, new):
                reasons.setdefault(stack, []).append(why)
        return _result(reasons, old, new)


def all_stacks(layout: RepoLayout, head: str = "HEAD") -> list[AffectedStack]:
    """Every stack at ``head`` (the nightly drift check)."""
    git = GitRepository(layout.root)
    with tempfile.TemporaryDirectory(prefix="sovereign-affected-") as scratch:
        new = _Revision(git, git.commit(head, "--head"), layout, Path(scratch))
        return _result({s: ["every stack (--all)"] for s in new.stacks}, new, new)


def _expand(effect: Effect, old: _Revision, new: _Revision) -> Iterable[tuple[str, str]]:
    either = {**old.stacks, **new.stacks}
    if effect.kind == "every":
        yield from ((s, f"{effect.path}: affects every stack") for s in new.stacks)
    elif effect.kind == "country":
        yield from ((s, f"{effect.path}: country file") for s, (cc, _) in either.items() if cc == effect.key)
    elif effect.kind == "stack" and effect.key in either:
        yield effect.key, f"{effect.path}: stack file"
    elif effect.kind == "models":
        for code, whys in _model_countries(old, new).items():
            yield from ((s, why) for s, (cc, _) in either.items() if cc == code for why in whys)


def _result(reasons: dict[str, list[str]], old: _Revision, new: _Revision) -> list[AffectedStack]:
    out = []
    for stack in sorted(reasons):
        removed = stack not in new.stacks
        country, environment = (old if removed else new).stacks[stack]
        cloud = new.cloud(country) or old.cloud(country)
        out.append(
            AffectedStack(stack, country, environment, cloud, removed, tuple(dict.fromkeys(reasons[stack])))
        )
    return out
