"""The only module that touches the Pulumi SDK's private runtime: a thin facade, one function per use.

The offline engine runs a program the way ``pulumi preview`` would, in-process, under the SDK's mock runtime.
That needs a few SDK internals that are not public API: resetting the SDK's global settings between runs,
running a program function and waiting for every outstanding registration, reading the root stack resource,
subclassing ``MockMonitor`` to see the whole ``RegisterResource`` request, and the property wire encoding's
signature constants. Every such use is here, named after what it does for the engine, so an SDK upgrade
that moves one breaks this module alone, and ``tests/engine/test_sdk_contract.py`` (pinned to the version
in ``uv.lock``) says which name broke.

Scope and non-goals: no toolkit logic (what is recorded, what is fabricated) lives here; that is
``sovereign.engine.recorder`` and ``sovereign.engine.outputs``. Public SDK API (``pulumi.Output``,
``pulumi.runtime.set_all_config``, ``pulumi.runtime.set_mocks``) is used through this module too, so the
engine's whole contact surface with the SDK is readable in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

__all__ = [
    "ARCHIVE_SIG",
    "ASSET_SIG",
    "OUTPUT_SIG",
    "RESOURCE_SIG",
    "SECRET_SIG",
    "SIG_KEY",
    "UNKNOWN_WIRE",
    "MockCallArgs",
    "MockMonitor",
    "MockResourceArgs",
    "Mocks",
    "install_mocks",
    "is_preview",
    "reset",
    "root_exports",
    "run",
    "set_config",
]

# The property wire encoding (pulumi/sdk/python/lib/pulumi/runtime/rpc.py): a map whose SIG_KEY entry holds one
# of these signatures is a secret, resource reference, output value, asset or archive, not plain data.
SIG_KEY: str = rpc._special_sig_key
SECRET_SIG: str = rpc._special_secret_sig
RESOURCE_SIG: str = rpc._special_resource_sig
OUTPUT_SIG: str = rpc._special_output_value_sig
ASSET_SIG: str = rpc._special_asset_sig
ARCHIVE_SIG: str = rpc._special_archive_sig
UNKNOWN_WIRE: str = rpc.UNKNOWN
"""The string a value that is not known yet (a preview's computed output) is sent as."""


def reset() -> None:
    """Forget everything an earlier program left in the SDK's process-global state: settings, the root stack
    resource, and config. Without it, config and the root stack leak from one run into the next."""
    settings.reset_options()
    pulumi.runtime.set_all_config({})


def set_config(config: Mapping[str, str], secret_keys: Sequence[str]) -> None:
    """Stack config as ``pulumi config`` would give it (full keys such as ``"sovereign-ai:country"``)."""
    pulumi.runtime.set_all_config(dict(config), list(secret_keys))


def install_mocks(
    mocks: Mocks,
    monitor: MockMonitor,
    *,
    project: str,
    stack: str,
    preview: bool,
    logger: logging.Logger | None = None,
) -> None:
    """Route every registration and invoke to ``monitor`` (which calls ``mocks``). ``preview=True`` makes
    ``pulumi.runtime.is_dry_run()`` true, and outputs a resource's response leaves out are unknown.
    ``logger`` receives the program's ``pulumi.log`` messages (the mock engine's ``Log``)."""
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=preview, monitor=monitor, logger=logger
    )


def is_preview() -> bool:
    """Whether the program runs as a preview (``pulumi.runtime.is_dry_run()``)."""
    return pulumi.runtime.is_dry_run()


def run(program: Callable[[], None]) -> None:
    """Run ``program`` as the language host does, then wait until every registration it started finished.

    Errors raised by the program, or inside an ``apply`` of it, are raised here.
    """
    _sync_await(run_pulumi_func(program))


def root_exports() -> dict[str, tuple[Any, bool]] | None:
    """The root stack's exports as ``{key: (value, is_secret)}``, resolved; None when no root stack exists.

    The real entry point registers them as the stack's outputs; a program run through :func:`run` leaves them
    on the root resource, so they are read from it directly.
    """
    root = settings.get_root_resource()
    if root is None or not hasattr(root, "outputs"):
        return None
    return _sync_await(_resolve(dict(getattr(root, "outputs", {}) or {})))


async def _resolve(values: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    resolved: dict[str, tuple[Any, bool]] = {}
    for key, value in values.items():
        out = pulumi.Output.from_input(value)
        resolved[key] = (await out.future(), await out.is_secret())
    return resolved
