"""The offline engine: run a Pulumi program in-process under the SDK's mock runtime and record it.

Every ``RegisterResource`` request the program sends is captured as a :class:`Registration` (type, name,
parent, provider, protect, retain-on-delete, dependencies, aliases and the wire-named inputs, with secret
values masked). This is what ``sovereign plan``, the component tests and the benchmarks read.

Scope and non-goals: this module fakes the *engine*, never the program. The program that runs here is the
same one ``pulumi preview`` runs; only provider-computed outputs (ids, URIs, issuer URLs) are fabricated, by
``sovereign.engine.outputs``, so that dependent inputs do not silently vanish. One process state at a time:
the Pulumi SDK keeps global settings, so callers that plan several stacks use one process per stack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format

from sovereign.dotted import get_dotted
from sovereign.engine import outputs, sdk

__all__ = ["SECRET", "UNKNOWN", "Recording", "Registration", "run_program"]

SECRET = "[secret]"
UNKNOWN = "[unknown]"


@dataclass(frozen=True)
class Registration:
    """One resource as the program declared it: what the engine would diff and send to the provider."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    protect: bool
    retain_on_delete: bool
    dependencies: tuple[str, ...]
    aliases: tuple[str, ...]
    additional_secret_outputs: tuple[str, ...]
    inputs: dict[str, Any]
    """Wire-named inputs; every secret value is replaced by ``"[secret]"``."""
    secret_paths: tuple[str, ...] = ()
    """Dotted paths of the inputs that were secret (for assertions that a value really is secret)."""

    def get(self, path: str, default: Any = None) -> Any:
        """Read a dotted input path, such as ``"properties.enableRbacAuthorization"``."""
        return get_dotted(self.inputs, path, default)


@dataclass
class Recording:
    """Everything one program run declared, in registration order."""

    registrations: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """What the program logged at warning level or above (``pulumi.log.warn``): the Pulumi CLI shows these
    during a real ``pulumi up``; the offline plan reports them as notes instead of printing them."""

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_token) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_token)]
            raise AssertionError(f"expected exactly one {type_token} named {name!r}; registered: {names}")
        return found[0]

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.registrations}

    def children_of(self, urn: str) -> list[Registration]:
        return [r for r in self.registrations if r.parent == urn]


def _plain(value: Any, path: str, secrets: list[str]) -> Any:
    """Turn a wire value (protobuf Struct as JSON) into plain data, masking secrets and resource refs."""
    if isinstance(value, dict):
        sig = value.get(sdk.SIG_KEY)
        if sig == sdk.SECRET_SIG:
            secrets.append(path)
            return SECRET
        if sig == sdk.RESOURCE_SIG:
            return value.get("urn")
        if sig == sdk.OUTPUT_SIG:
            if value.get("secret"):
                secrets.append(path)
                return SECRET
            return _plain(value.get("value", sdk.UNKNOWN_WIRE), path, secrets)
        if sig in (sdk.ASSET_SIG, sdk.ARCHIVE_SIG):
            return {k: v for k, v in value.items() if k != sdk.SIG_KEY}
        return {k: _plain(v, f"{path}.{k}" if path else k, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{path}.{i}", secrets) for i, v in enumerate(value)]
    if value == sdk.UNKNOWN_WIRE:
        return UNKNOWN
    return value


class RecordingMonitor(sdk.MockMonitor):
    """A MockMonitor that keeps the full RegisterResource request, which ``Mocks`` never sees."""

    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.recording = Recording()
        self._lock = threading.Lock()
        self._by_urn: dict[str, Registration] = {}
        self._root_urn = ""
        """The root stack's URN, once registered (the parent that an alias's noParent means)."""

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self._root_urn = response.urn
        else:
            secrets: list[str] = []
            raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
            registration = Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent or None,
                provider=request.provider or None,
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                dependencies=tuple(request.dependencies),
                aliases=self._alias_urns(request, response.urn),
                additional_secret_outputs=tuple(request.additionalSecretOutputs),
                inputs=_plain(raw, "", secrets),
                secret_paths=tuple(secrets),
            )
            with self._lock:
                self.recording.registrations.append(registration)
                self._by_urn[registration.urn] = registration
        return response

    def _alias_urns(self, request: Any, urn: str) -> tuple[str, ...]:
        """Every old URN this resource answers to, as the engine resolves aliases: its own (``Alias`` specs
        collapsed with this resource's name, type and parent as defaults) and those inherited from its
        parent's aliases, where a child named '<parent name>-x' follows the parent's old name. The SDK sends
        only the specs and leaves inheritance to the engine; without it a renamed component's children would
        show no alias in the plan. URNs use this monitor's own scheme, so they compare with earlier plans.
        """
        own: list[str] = [a.urn for a in request.aliases if a.urn] + list(request.aliasURNs)
        defaulted: list[tuple[str, str]] = []  # (type, name) of specs that keep this resource's parent
        for alias in request.aliases:
            if alias.urn or not alias.HasField("spec"):
                continue
            spec = alias.spec
            if request.custom and not (
                spec.name or spec.parentUrn or spec.noParent or spec.stack or spec.project
            ):
                # A type-only alias on a cloud resource is the provider SDK's list of older API versions of
                # the same resource (up to a hundred per azure-native type), never a rename: left out.
                continue
            kind, name = spec.type or request.type, spec.name or request.name
            # noParent is the engine's "child of the root stack" (pulumi.ROOT_STACK_RESOURCE); in this monitor's URN
            # scheme root children carry the stack's type, so it is the root stack's URN.
            parent = self._root_urn if spec.noParent else (spec.parentUrn or request.parent)
            head, project, rest = self.make_urn(parent, kind, name).split("::", 2)
            if spec.stack:  # an alias can name the stack or project the resource was declared in
                head = f"urn:pulumi:{spec.stack}"
            own.append(f"{head}::{spec.project or project}::{rest}")
            if not (spec.noParent or spec.parentUrn or spec.stack or spec.project):
                defaulted.append((kind, name))
        inherited: list[str] = []
        parent = self._by_urn.get(request.parent)
        if parent is not None:
            for parent_alias in parent.aliases:
                old_parent_name = parent_alias.rsplit("::", 1)[-1]
                for kind, name in [(request.type, request.name), *defaulted]:
                    renamed = name.startswith(parent.name)
                    old_name = old_parent_name + name[len(parent.name) :] if renamed else name
                    inherited.append(self.make_urn(parent_alias, kind, old_name))
        return tuple(a for a in dict.fromkeys(own + inherited) if a != urn)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn.split("::")[2] == "pulumi:pulumi:Stack":
            secrets: list[str] = []
            raw = json_format.MessageToDict(request.outputs, preserving_proto_field_name=True)
            with self._lock:
                self.recording.outputs.update(_plain(raw, "", secrets))
        return super().RegisterResourceOutputs(request)


class SovereignMocks(sdk.Mocks):
    """Fabricates what providers compute, so that dependent inputs are really sent.

    With ``preview=True`` it answers as a first ``pulumi preview`` of a new stack does: no id and no
    computed output is known yet (the response is the inputs, in the provider's response shape), so every
    input that depends on one is sent unknown. Invokes still get results: a real preview runs them.
    """

    def __init__(self, preview: bool = False) -> None:
        super().__init__()
        self.preview = preview

    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        if self.preview:
            return "", outputs.preview_resource(args.typ, dict(args.inputs))
        return outputs.fabricate_resource(args.typ, args.name, dict(args.inputs))

    def call(self, args: Any) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return outputs.fabricate_call(args.token, dict(args.args)), []


def _make_monitor_class() -> type[RecordingMonitor]:
    """The monitor class (for tests that build a monitor of their own, e.g. tests/benchmarks/test_replay.py)."""
    return RecordingMonitor


def _make_mocks_class() -> type[SovereignMocks]:
    return SovereignMocks


class _WarningsOf(logging.Logger):
    """The mock engine's logger: keeps the program's warnings and errors in the recording, prints nothing."""

    def __init__(self, recording: Recording) -> None:
        super().__init__("sovereign.program", logging.WARNING)
        self.propagate = False
        self._recording = recording

    def handle(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING and record.getMessage() not in self._recording.warnings:
            self._recording.warnings.append(record.getMessage())


def run_program(
    program: Callable[[], None],
    *,
    project: str = "sovereign-ai",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_config_keys: tuple[str, ...] = (),
    preview: bool = False,
) -> Recording:
    """Run ``program`` under the mock runtime in a fresh SDK state and return what it registered.

    ``config`` uses full keys (``"sovereign:country"``). Errors raised by the program, or inside an
    ``apply`` of it, propagate to the caller after all outstanding registrations finished. ``preview=True``
    runs it as a first ``pulumi preview`` of a new stack: ``pulumi.runtime.is_dry_run()`` is true and no
    provider-computed output is known, so inputs that depend on one are recorded as ``"[unknown]"``.
    """
    sdk.reset()
    sdk.set_config(config or {}, secret_config_keys)
    mocks = SovereignMocks(preview=preview)
    monitor = RecordingMonitor(mocks)
    sdk.install_mocks(
        mocks, monitor, project=project, stack=stack, preview=preview, logger=_WarningsOf(monitor.recording)
    )
    try:
        sdk.run(program)
        # Exports are registered on the root stack by the real entry point; read them directly here.
        for key, (value, secret) in (sdk.root_exports() or {}).items():
            monitor.recording.outputs[key] = SECRET if secret else value
    finally:
        sdk.reset()
    return monitor.recording
