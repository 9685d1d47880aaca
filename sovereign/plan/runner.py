"""Plan stacks offline: the real stack program under the recording mock engine, one fresh process per stack.

``plan_stack`` runs in the calling process (which must not have run another Pulumi program: the SDK keeps
global state). ``plan_stacks`` gives each stack its own worker process (``forkserver``, one task per child)
and runs them in parallel on every core.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sovereign.config.errors import ConfigError
from sovereign.plan.stackfiles import OFFLINE_SECRET, PROJECT, StackFile

__all__ = ["PlanFailure", "plan_stack", "plan_stacks"]


class PlanFailure(Exception):
    """The stack program raised while planning (a bug or an invariant the program enforces)."""


PREVIEW_NOTE = (
    "preview: planned as a first `pulumi preview` of a new stack sees it; values the cloud computes (ids, "
    "URIs, issuer URLs) are '[unknown]'."
)


def plan_stack(
    stack: StackFile, *, as_of: dt.date, config_dir: Path | None = None, preview: bool = False
) -> dict[str, Any]:
    """Plan one stack in this process and return its plan document in JSON form (``sovereign.plan.contract``).

    ``preview=True`` runs the program as a first ``pulumi preview`` of a new stack does (see
    ``sovereign.engine.recorder.run_program``) and says so in the document's notes.
    """
    from sovereign.clouds import cloud_module
    from sovereign.config.loader import default_config_dir, load_country, load_register
    from sovereign.engine.recorder import run_program
    from sovereign.plan.document import build_document
    from sovereign.policies import ALL_RULES, PolicyContext, evaluate, view_of_registration
    from stacks.program import REQUIRED_SECRETS, sovereign_program

    config_dir = config_dir or default_config_dir()
    country = load_country(stack.country, stack.environment, config_dir=config_dir, as_of=as_of)
    register, problems = load_register(config_dir)
    if register is None:
        raise ConfigError(problems)
    offline = cloud_module(country.cloud, "offline")
    if hasattr(offline, "prepare"):
        offline.prepare(country)  # stand-ins for what the cloud holds outside the stack (a hub firewall)
    config = dict(stack.config)
    secret_keys = list(stack.secret_keys)
    placeholders = []
    for key in REQUIRED_SECRETS:
        full = f"{PROJECT}:{key}"
        if full not in config:
            # The real `pulumi up` needs `pulumi config set --secret`; the offline plan stands in for it.
            config[full] = OFFLINE_SECRET
            placeholders.append(full)
        if full not in secret_keys:
            secret_keys.append(full)

    def program() -> None:
        sovereign_program(as_of=as_of, config_dir=config_dir)

    try:
        recording = run_program(
            program,
            project=PROJECT,
            stack=stack.name,
            config=config,
            secret_config_keys=tuple(secret_keys),
            preview=preview,
        )
    except ConfigError:
        raise
    except Exception as exc:
        if os.environ.get("SOVEREIGN_DEBUG") == "1":
            raise
        raise PlanFailure(f"{stack.name}: the stack program failed: {type(exc).__name__}: {exc}") from exc
    views = [view_of_registration(r) for r in recording.registrations]
    checks = evaluate(ALL_RULES, PolicyContext.of(country, register, as_of), views)
    document = build_document(
        stack,
        country,
        recording,
        checks,
        placeholder_secrets=placeholders,
        # The program's own warnings (pulumi.log.warn: what `pulumi up` would print) become notes.
        notes=[*([PREVIEW_NOTE] if preview else []), *recording.warnings],
        register=register,
    )
    return document.model_dump(mode="json")


_SHARED_PRELOAD = (
    "pulumi",
    "pydantic",
    "sovereign.config",
    "sovereign.engine.recorder",
    "sovereign.engine.sdk",
    "sovereign.policies",
    "sovereign.plan.document",
    "stacks.program",
    "stacks.assistant",
    # Every stack, Azure or OCI, builds the assistant with these Kubernetes API groups: importing them once in
    # the forkserver saves each worker about 0.5 s of its 2-4 s of CPU (benchmarks/RESULTS.md). Never a cloud's
    # own SDK here: an Azure plan must not load pulumi_oci, nor an OCI plan pulumi_azure_native.
    "components.kubernetes",
    *(
        f"pulumi_kubernetes.{group}"
        for group in (
            "apps.v1",
            "autoscaling.v2",
            "core.v1",
            "meta.v1",
            "networking.v1",
            "policy.v1",
            "provider",
            "rbac.v1",
            "storage.v1",
        )
    ),
)
"""Modules the forkserver imports once; each worker it forks starts with them loaded."""


def _plan_in_worker(
    stack: StackFile, as_of: dt.date, config_dir: Path | None, preview: bool
) -> dict[str, Any]:
    return plan_stack(stack, as_of=as_of, config_dir=config_dir, preview=preview)


def plan_stacks(
    stacks: list[StackFile],
    *,
    as_of: dt.date,
    config_dir: Path | None = None,
    workers: int | None = None,
    preview: bool = False,
    config_dirs: Sequence[Path | None] | None = None,
) -> list[dict[str, Any]]:
    """Plan every stack, each in a fresh worker process, in parallel; documents in the order given.

    ``config_dirs``: one country folder per stack, for stacks of different projects (the test that plans a
    freshly written country for every cloud and country); default ``config_dir`` for all."""
    if not stacks:
        return []
    dirs = list(config_dirs) if config_dirs is not None else [config_dir] * len(stacks)
    if len(dirs) != len(stacks):
        raise ValueError(f"config_dirs: {len(dirs)} folders for {len(stacks)} stacks")
    workers = max(1, min(workers or os.cpu_count() or 1, len(stacks)))
    context = multiprocessing.get_context("forkserver")
    # Preload only what every stack needs; provider SDKs stay per cloud, loaded in the worker that needs them.
    context.set_forkserver_preload(list(_SHARED_PRELOAD))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=1) as pool:
        futures = [
            pool.submit(_plan_in_worker, s, as_of, d, preview) for s, d in zip(stacks, dirs, strict=True)
        ]
        return [f.result() for f in futures]
