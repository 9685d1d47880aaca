"""The Pulumi SDK internals that ``sovereign.engine.sdk`` relies on, pinned to the SDK version in ``uv.lock``.

The facade is the only module that reaches into ``pulumi.runtime`` beyond its public API. Every private name it
uses is listed here with the signature the facade calls it with, so an SDK upgrade that renames, moves or
re-signs one fails here, naming it, instead of as a confusing error in the middle of a plan.
"""

from __future__ import annotations

import importlib
import inspect
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _locked_version(package: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    [version] = [p["version"] for p in lock["package"] if p["name"] == package]
    return version


def test_the_installed_sdk_is_the_locked_one() -> None:
    installed, locked = metadata.version("pulumi"), _locked_version("pulumi")
    assert installed == locked, (
        f"pulumi {installed} is installed but uv.lock pins {locked}: the engine's SDK contract "
        "(sovereign/engine/sdk.py) is checked against the locked version only; run `uv sync --locked`, or after "
        "a deliberate upgrade re-check every name below"
    )


@dataclass(frozen=True)
class Name:
    module: str
    attribute: str
    check: Callable[[Any], str | None]
    """Returns what is wrong with the object, or None."""

    def __str__(self) -> str:
        return f"{self.module}.{self.attribute}"


def _parameters(
    *expected: str, coroutine: bool = False, all_optional: bool = False
) -> Callable[[Any], str | None]:
    def check(obj: Any) -> str | None:
        if not callable(obj):
            return "is not callable"
        if coroutine and not inspect.iscoroutinefunction(obj):
            return "is no longer a coroutine function"
        params = inspect.signature(obj).parameters
        missing = [p for p in expected if p not in params]
        if missing:
            return f"has no parameter(s) {missing} (signature {inspect.signature(obj)})"
        required = [
            n
            for n, p in params.items()
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            and n not in expected
            and n != "self"
        ]
        if required:
            return f"now requires {required} (signature {inspect.signature(obj)})"
        if all_optional and any(
            p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            for p in params.values()
        ):
            return f"is no longer callable without arguments (signature {inspect.signature(obj)})"
        return None

    return check


def _value(expected: str) -> Callable[[Any], str | None]:
    return lambda obj: None if obj == expected else f"is {obj!r}, not the wire value {expected!r}"


def _methods(**signatures: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(cls: Any) -> str | None:
        if not inspect.isclass(cls):
            return "is not a class"
        for method, params in signatures.items():
            if not hasattr(cls, method):
                return f"has no method {method}"
            problem = _parameters("self", *params)(getattr(cls, method))
            if problem:
                return f"{method} {problem}"
        return None

    return check


def _fields(*names: str) -> Callable[[Any], str | None]:
    def check(cls: Any) -> str | None:
        instance_fields = set(inspect.signature(cls).parameters)
        missing = [n for n in names if n not in instance_fields]
        return f"has no field(s) {missing}" if missing else None

    return check


# Every private (or internal-module) name sovereign/engine/sdk.py uses, and how it uses it.
NAMES = [
    Name("pulumi.runtime.settings", "reset_options", _parameters(all_optional=True)),
    Name("pulumi.runtime.settings", "get_root_resource", _parameters(all_optional=True)),
    Name("pulumi.runtime.stack", "run_pulumi_func", _parameters("func", coroutine=True)),
    Name("pulumi.runtime.sync_await", "_sync_await", _parameters("awaitable")),
    Name(
        "pulumi.runtime.mocks",
        "MockMonitor",
        _methods(
            __init__=("mocks",),
            RegisterResource=("request",),
            RegisterResourceOutputs=("request",),
            make_urn=("parent", "type_", "name"),
        ),
    ),
    Name("pulumi.runtime.mocks", "Mocks", _methods(new_resource=("args",), call=("args",))),
    Name("pulumi.runtime.mocks", "MockResourceArgs", _fields("typ", "name", "inputs")),
    Name("pulumi.runtime.mocks", "MockCallArgs", _fields("token", "args")),
    Name(
        "pulumi.runtime",
        "set_mocks",
        _parameters("mocks", "project", "stack", "preview", "monitor"),
    ),
    Name("pulumi.runtime", "set_all_config", _parameters("config", "secret_keys")),
    Name("pulumi.runtime", "is_dry_run", _parameters(all_optional=True)),
    # The property wire encoding: values of a protocol, so a change is a break even if the names stay.
    Name("pulumi.runtime.rpc", "_special_sig_key", _value("4dabf18193072939515e22adb298388d")),
    Name("pulumi.runtime.rpc", "_special_secret_sig", _value("1b47061264138c4ac30d75fd1eb44270")),
    Name("pulumi.runtime.rpc", "_special_resource_sig", _value("5cf8f73096256a8f31e491e813e4eb8e")),
    Name("pulumi.runtime.rpc", "_special_output_value_sig", _value("d0e6a833031e9bbcd3f4e8bde6ca49a4")),
    Name("pulumi.runtime.rpc", "_special_asset_sig", _value("c44067f5952c0a294b673a41bacd8c17")),
    Name("pulumi.runtime.rpc", "_special_archive_sig", _value("0def7320c3a5731c473e5ecbe6d01bc7")),
    Name("pulumi.runtime.rpc", "UNKNOWN", _value("04da6b54-80e4-46f7-96ec-b56ff0331ba9")),
]


@pytest.mark.parametrize("name", NAMES, ids=str)
def test_every_sdk_name_the_facade_uses_exists_with_its_signature(name: Name) -> None:
    version = metadata.version("pulumi")
    try:
        module = importlib.import_module(name.module)
    except ImportError as exc:
        pytest.fail(f"pulumi {version}: module {name.module} is gone ({exc}); update sovereign/engine/sdk.py")
    if not hasattr(module, name.attribute):
        pytest.fail(f"pulumi {version}: {name} is gone; update sovereign/engine/sdk.py")
    problem = name.check(getattr(module, name.attribute))
    assert problem is None, f"pulumi {version}: {name} {problem}; update sovereign/engine/sdk.py"


def test_the_list_covers_every_sdk_internal_the_facade_imports() -> None:
    """A name added to the facade without a contract entry here fails (read from the facade's own code)."""
    import ast

    tree = ast.parse((ROOT / "sovereign" / "engine" / "sdk.py").read_text(encoding="utf-8"))
    modules = {"rpc": "pulumi.runtime.rpc", "settings": "pulumi.runtime.settings"}
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pulumi.runtime."):
            used |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
        ):
            used.add(f"{modules[node.value.id]}.{node.attr}")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and ast.unparse(node.value) == "pulumi.runtime"
        ):
            used.add(f"pulumi.runtime.{node.attr}")
    listed = {str(n) for n in NAMES}
    assert used, "the facade no longer uses the SDK? update this test"
    assert used <= listed, f"SDK names the facade uses without a contract entry here: {sorted(used - listed)}"


def test_only_the_facade_reaches_into_the_sdk_runtime() -> None:
    """Toolkit code (sovereign/, components/, stacks/) imports pulumi.runtime internals only in the facade."""
    import re

    pattern = re.compile(
        r"pulumi\.runtime\.(settings|stack|sync_await|mocks|rpc)\b|_sync_await|run_pulumi_func"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("sovereign", "components", "stacks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "sovereign" / "engine" / "sdk.py"
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
