"""Build country configs in memory from the shipped files, with edits, for invariant tests."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from sovereign.config.errors import Violation
from sovereign.config.invariants import check_invariants
from sovereign.config.loader import _layer, load_register
from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.config.yamlfile import read_yaml
from sovereign.types import Environment

CONFIG_DIR = Path(__file__).resolve().parents[2] / "country_configs"
AS_OF = dt.date(2026, 11, 22)
DELETE = object()


def merged(code: str, env: str = "prod") -> dict[str, Any]:
    defaults, _ = read_yaml(CONFIG_DIR / "_defaults.yaml")
    country, _ = read_yaml(CONFIG_DIR / f"{code}.yaml")
    assert defaults is not None and country is not None
    layered = _layer(defaults, country, Environment(env))
    return {**layered.data, "country": code, "environment": env}


def edit(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``{"a.b.0.c": value}`` edits (value DELETE removes the key) to a deep copy."""
    out = copy.deepcopy(data)
    for path, value in changes.items():
        parts = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = out
        for part in parts[:-1]:
            node = node[part]
        if value is DELETE:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value
    return out


def violations(data: dict[str, Any], as_of: dt.date = AS_OF) -> list[Violation]:
    register, problems = load_register(CONFIG_DIR)
    assert register is not None, problems
    return check_invariants(COUNTRY_CONFIG.validate_python(data), register, as_of)


def messages(data: dict[str, Any], as_of: dt.date = AS_OF) -> list[str]:
    return [str(v) for v in violations(data, as_of)]
