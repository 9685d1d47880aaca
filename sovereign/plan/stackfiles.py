"""Stack files (``stacks/Pulumi.<cc>-<env>.yaml``): which stacks exist and the config each gives the program."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sovereign.config.errors import ConfigError, Problem
from sovereign.config.yamlfile import read_yaml
from sovereign.types import Environment

__all__ = ["PROJECT", "StackFile", "default_stacks_dir", "find_stacks", "read_stack_file"]

PROJECT = "sovereign-ai"
_STACK = re.compile(r"^Pulumi\.(?P<stack>(?P<cc>[a-z]{2})-(?P<env>[a-z]+))\.yaml$")
_ENVIRONMENTS = tuple(e.value for e in Environment)
OFFLINE_SECRET = "offline-plan-placeholder"
"""Stands in for ``secure:`` values, which only the Pulumi CLI can decrypt."""


def default_stacks_dir() -> Path:
    """``$SOVEREIGN_STACKS_DIR`` if set, else the ``stackConfigDir`` of the project the working directory is in
    (found upward as ``pulumi`` finds ``Pulumi.yaml``; see ``sovereign.project``)."""
    import os

    from sovereign.project import STACKS_DIR_ENV, find_project

    override = os.environ.get(STACKS_DIR_ENV)
    return Path(override) if override else find_project().stacks_dir


@dataclass(frozen=True)
class StackFile:
    name: str
    country: str
    environment: str
    path: Path
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: tuple[str, ...] = ()
    secrets_provider: str | None = None
    """``secretsprovider`` as written (None: absent; Pulumi then uses ``encryptionsalt``'s passphrase, the state's
    manager or the backend's default)."""
    encryption_salt: bool = False
    """``encryptionsalt`` is set: the stack's secrets are passphrase-encrypted."""
    lines: dict[str, int | None] = field(default_factory=dict)
    """Line of each top-level key, and of each config key as ``config.<namespace>:<key>``."""


def read_stack_file(path: Path) -> StackFile:
    """Parse a stack file; a bad file is a ConfigError naming it."""
    match = _STACK.match(path.name)
    if match is None:
        raise ConfigError(
            [Problem(path, None, "<file name>", "not a stack file name", "name it Pulumi.<cc>-<env>.yaml")]
        )
    doc, problems = read_yaml(path)
    if doc is None:
        raise ConfigError(problems)
    raw = doc.data.get("config") if isinstance(doc.data, dict) else None
    if not isinstance(raw, dict):
        raise ConfigError([Problem(path, None, "config", "missing the 'config' mapping", "see README.md")])
    _refuse_unknown_keys(path, doc)
    config: dict[str, str] = {}
    secrets: list[str] = []
    for key, value in raw.items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if (
            value is None
        ):  # `key:` with no value: Pulumi treats it as unset, so do we (never the string "None")
            continue
        if isinstance(value, dict) and "secure" in value:
            config[full] = OFFLINE_SECRET
            secrets.append(full)
        elif isinstance(value, (dict, list)):
            import json

            config[full] = json.dumps(value)
        else:
            config[full] = str(value).lower() if isinstance(value, bool) else str(value)
    provider = doc.data.get("secretsprovider")
    stack = StackFile(
        match["stack"],
        match["cc"],
        match["env"],
        path,
        config,
        tuple(secrets),
        None if provider is None else str(provider),
        bool(doc.data.get("encryptionsalt")),
        {
            **{str(k): doc.line_of((k,))[1] for k in doc.data},
            **{f"config.{k if ':' in k else f'{PROJECT}:{k}'}": doc.line_of(("config", k))[1] for k in raw},
        },
    )
    if stack.environment not in _ENVIRONMENTS:
        # Refused here, at the boundary: later the environment name reached Environment() as a bare ValueError.
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "<file name>",
                    f"unknown environment '{stack.environment}' (allowed: {', '.join(_ENVIRONMENTS)})",
                    f"rename it Pulumi.{stack.country}-prod.yaml or Pulumi.{stack.country}-staging.yaml",
                )
            ]
        )
    for key, expected in (
        (f"{PROJECT}:country", stack.country),
        (f"{PROJECT}:environment", stack.environment),
    ):
        if config.get(key) != expected:
            line = doc.line_of(("config", key))[1]
            raise ConfigError(
                [
                    Problem(
                        path,
                        line,
                        f"config.{key}",
                        f"is {config.get(key)!r}, but the file name says {expected!r}",
                        f"set '{key}: {expected}'",
                    )
                ]
            )
    return stack


_STACK_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt", "config")
"""What a stack file may hold: pulumi/pulumi v3.259 ``sdk/go/common/workspace/project.go`` ``ProjectStack``
(secretsprovider, encryptedkey, encryptionsalt, config, environment), without ``environment``."""


def _refuse_unknown_keys(path: Path, doc: object) -> None:
    data = getattr(doc, "data", {})
    problems = []
    for key in data:
        if key in _STACK_KEYS:
            continue
        line = doc.line_of((key,))[1]  # type: ignore[attr-defined]
        if key == "environment":
            # ESC environments are Pulumi Cloud's service: the stack's config (and its secrets) would be read
            # from Pulumi's servers at every run, outside the country and outside this review.
            problems.append(
                Problem(
                    path,
                    line,
                    "environment",
                    "imports Pulumi ESC environments, which are kept and served by Pulumi Cloud",
                    "remove 'environment:' and set the values in 'config:' ('pulumi config set [--secret]')",
                )
            )
        else:
            problems.append(
                Problem(
                    path,
                    line,
                    str(key),
                    f"unknown stack-file key '{key}' (allowed: {', '.join(_STACK_KEYS)})",
                    "remove it, or fix its spelling",
                )
            )
    if problems:
        raise ConfigError(problems)


def find_stacks(stacks_dir: Path, selectors: list[str] | None = None) -> list[StackFile]:
    """Stacks named by ``selectors`` (stack names like ``de-prod`` or country codes like ``de``), or all."""
    # Every Pulumi.*.yaml here is read, so a misnamed stack file (Pulumi.DE-prod.yaml) is refused instead of
    # silently never planned; Pulumi.yaml itself (the project file) does not match the pattern.
    files = sorted(stacks_dir.glob("Pulumi.*.yaml"))
    stacks: list[StackFile] = []
    problems: list[Problem] = []
    for path in files:  # every bad stack file in one pass
        try:
            stacks.append(read_stack_file(path))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    if not selectors:
        return stacks
    chosen: list[StackFile] = []
    for selector in selectors:
        found = [s for s in stacks if selector in (s.name, s.country)]
        if not found:
            known = ", ".join(s.name for s in stacks)
            raise ConfigError(
                [
                    Problem(
                        stacks_dir,
                        None,
                        selector,
                        f"no stack or country '{selector}' (known: {known})",
                        "name a stack like 'de-prod' or a country code like 'de'",
                    )
                ]
            )
        chosen += [s for s in found if s not in chosen]
    return chosen
