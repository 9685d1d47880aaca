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

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format

from sovereign.dotted import get_dotted

__all__ = ["SECRET", "UNKNOWN", "Recording", "Registration", "run_program"]

SECRET = "[secret]"
UNKNOWN = "[unknown]"

# Wire signatures of the Pulumi property encoding (pulumi/sdk/python/lib/pulumi/runtime/rpc.py).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


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
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            secrets.append(path)
            return SECRET
        if sig == _RESOURCE_SIG:
            return value.get("urn")
        if sig == _OUTPUT_SIG:
            if value.get("secret"):
                secrets.append(path)
                return SECRET
            return _plain(value.get("value", _UNKNOWN_WIRE), path, secrets)
        if sig in (_ASSET_SIG, _ARCHIVE_SIG):
            return {k: v for k, v in value.items() if k != _SIG_KEY}
        return {k: _plain(v, f"{path}.{k}" if path else k, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{path}.{i}", secrets) for i, v in enumerate(value)]
    if value == _UNKNOWN_WIRE:
        return UNKNOWN
    return value


def _make_monitor_class() -> type:
    from pulumi.runtime.mocks import MockMonitor

    class RecordingMonitor(MockMonitor):
        """A MockMonitor that keeps the full RegisterResource request, which ``Mocks`` never sees."""

        def __init__(self, mocks: Any) -> None:
            super().__init__(mocks)
            self.recording = Recording()
            self._lock = threading.Lock()
            self._by_urn: dict[str, Registration] = {}

        def RegisterResource(self, request: Any) -> Any:
            response = super().RegisterResource(request)
            if request.type != "pulumi:pulumi:Stack":
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
                parent = "" if spec.noParent else (spec.parentUrn or request.parent)
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

    return RecordingMonitor


def _make_mocks_class() -> type:
    from pulumi.runtime import Mocks

    from sovereign.engine import outputs

    class SovereignMocks(Mocks):
        """Fabricates what providers compute, so that dependent inputs are really sent."""

        def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
            return outputs.fabricate_resource(args.typ, args.name, dict(args.inputs))

        def call(self, args: Any) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
            return outputs.fabricate_call(args.token, dict(args.args)), []

    return SovereignMocks


def run_program(
    program: Callable[[], None],
    *,
    project: str = "sovereign-ai",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_config_keys: tuple[str, ...] = (),
) -> Recording:
    """Run ``program`` under the mock runtime in a fresh SDK state and return what it registered.

    ``config`` uses full keys (``"sovereign:country"``). Errors raised by the program, or inside an
    ``apply`` of it, propagate to the caller after all outstanding registrations finished.
    """
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    settings.reset_options()
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_config_keys))
    mocks = _make_mocks_class()()
    monitor = _make_monitor_class()(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    try:
        _sync_await(run_pulumi_func(program))
        root = settings.get_root_resource()
        if root is not None and hasattr(root, "outputs"):
            # Exports are registered on the root stack by the real entry point; read them directly here.
            _sync_await(_collect_exports(root, monitor.recording))
    finally:
        settings.reset_options()
        pulumi.runtime.set_all_config({})
    return monitor.recording


async def _collect_exports(root: Any, recording: Recording) -> None:
    from pulumi import Output

    for key, value in dict(getattr(root, "outputs", {}) or {}).items():
        out = Output.from_input(value)
        resolved = await out.future()
        secret = await out.is_secret()
        recording.outputs[key] = SECRET if secret else resolved
