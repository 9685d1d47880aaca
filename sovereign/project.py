"""The project the user stands in: found upward from the working directory, as ``pulumi`` finds it.

A project is the folder holding ``Pulumi.yaml``. Its ``stackConfigDir`` (default: the project folder itself)
holds the stack files, and ``country_configs/`` beside ``Pulumi.yaml`` holds the country files. The CLI works
on *this* project, never on the checkout the toolkit happens to be installed from: a second clone or a git
worktree is planned and validated with its own files.

``SOVEREIGN_CONFIG_DIR`` and ``SOVEREIGN_STACKS_DIR`` override the two folders (the base plan of
``sovereign diff`` and the tests point them into scratch copies); with both set, no ``Pulumi.yaml`` is needed.
The stack program that the real Pulumi CLI runs (``stacks/program.py``) runs with the project root as its
working directory, so it finds the same project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sovereign.config.errors import ConfigError, Problem

__all__ = ["CONFIG_DIR_ENV", "PROJECT_FILES", "STACKS_DIR_ENV", "Project", "find_project"]

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
CONFIG_DIR_ENV = "SOVEREIGN_CONFIG_DIR"
STACKS_DIR_ENV = "SOVEREIGN_STACKS_DIR"
COUNTRY_CONFIGS = "country_configs"


@dataclass(frozen=True)
class Project:
    root: Path | None
    """The folder holding ``Pulumi.yaml``; None only when both folders come from the environment."""
    config_dir: Path
    """Country files, ``_defaults.yaml`` and ``models.yaml``."""
    stacks_dir: Path
    """Stack files ``Pulumi.<cc>-<env>.yaml``."""


def _project_file(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in PROJECT_FILES:
            if (folder / name).is_file():
                return folder / name
    return None


def _stack_config_dir(project_file: Path) -> Path:
    """``stackConfigDir`` of the project file, relative to its folder (Pulumi's default: that folder)."""
    from sovereign.config.yamlfile import read_yaml

    document, problems = read_yaml(project_file)
    if document is None:
        raise ConfigError(problems)
    value = document.data.get("stackConfigDir") if isinstance(document.data, dict) else None
    if value is None:
        return project_file.parent
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            [
                Problem(
                    project_file,
                    document.line_of(("stackConfigDir",))[1],
                    "stackConfigDir",
                    f"is {value!r}, not a folder",
                    "name the folder of the stack files, e.g. 'stackConfigDir: stacks'",
                )
            ]
        )
    return project_file.parent / value


def find_project(start: Path | None = None) -> Project:
    """The project of ``start`` (default: the working directory), with the environment's overrides applied."""
    config_override = os.environ.get(CONFIG_DIR_ENV)
    stacks_override = os.environ.get(STACKS_DIR_ENV)
    if config_override and stacks_override:
        return Project(None, Path(config_override), Path(stacks_override))
    start = (start or Path.cwd()).resolve()
    project_file = _project_file(start)
    if project_file is None:
        raise ConfigError(
            [
                Problem(
                    start,
                    None,
                    "Pulumi.yaml",
                    "no Pulumi.yaml in this folder or any folder above it",
                    "run sovereign inside the project (the folder holding Pulumi.yaml, or below it), or set "
                    f"{CONFIG_DIR_ENV} and {STACKS_DIR_ENV}",
                )
            ]
        )
    root = project_file.parent
    return Project(
        root,
        Path(config_override) if config_override else root / COUNTRY_CONFIGS,
        Path(stacks_override) if stacks_override else _stack_config_dir(project_file),
    )
