"""Every setting does what it says: a test generated from the validated config of a shipped country.

Each leaf of a shipped country's merged config (defaults included) is changed to another value of its type;
then either validation refuses the changed config, or the stack's offline plan must differ from the plan of
the unchanged config. A leaf that changes neither is a setting that does nothing, and fails here unless it is
listed in :data:`VALIDATION_ONLY` with the reason it exists. One country per cloud (de: Azure with every
optional section; fr: OCI), each mutation planned in its own worker process like ``sovereign plan``.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
import multiprocessing
import os
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sovereign.config.loader import MODELS_FILE, load_country, validate_files
from sovereign.plan.stackfiles import StackFile, default_stacks_dir, find_stacks
from sovereign.types import ConfidentialTier, EgressMode, Redundancy, StorePurpose
from tests.config.helpers import AS_OF, CONFIG_DIR

pytestmark = pytest.mark.slow

_APPROVERS = (
    "evidence only: `sovereign report` lists them as the approvers of operator access (Azure Customer Lockbox "
    "approvers are a tenant setting outside Resource Manager; OCI Operator Access Control covers none of the "
    "services the toolkit deploys: README, 'Operator access, break-glass and the secondary region on OCI'); "
    "validation requires two distinct people"
)
_LABEL = "a label for people (reports); Azure grants and binds by the Entra object id"
_BACKEND = (
    "outside the program (Pulumi's state and key, chosen by the CLI): `sovereign ci backend-check` holds "
    "PULUMI_BACKEND_URL to it before every Pulumi step, and validation refuses a URL outside the country"
)
_SECRETS = (
    "outside the program (the key Pulumi wraps stack secrets with): `sovereign validate` refuses a stack file whose "
    "'secretsprovider' differs from it, and a URL outside the country"
)
_OCI_LABEL = "a label for people (reports); OCI policies name groups by OCID (a missing group is rejected)"
VALIDATION_ONLY: dict[str, dict[str, str]] = {
    "de": {
        "access.operator_access_approvers": _APPROVERS,
        "access.admin_groups.name": _LABEL,
        "access.break_glass_groups.name": _LABEL,
        "tenants.group.name": _LABEL,
        "deployment.state_backend.url": _BACKEND,
        "deployment.secrets_provider.url": _SECRETS,
    },
    "fr": {
        "access.operator_access_approvers": _APPROVERS,
        "access.admin_groups.name": _OCI_LABEL,
        "access.break_glass_groups.name": _OCI_LABEL,
        "deployment.state_backend.url": _BACKEND,
        # pragma: allowlist nextline secret (a setting's name and why it is inert)
        "deployment.secrets_provider.passphrase_secret": "outside the program: CI reads the passphrase from this "
        "OCI Vault secret (`sovereign ci passphrase-file`) before any Pulumi step; validation refuses one outside "
        "the country",
        "tenants.group.name": "a label for people (reports); OKE binds IAM groups in Kubernetes RBAC by OCID",
        "cluster.system_pool.node_count_max": "the OKE system pool runs fixed at node_count_min: Oracle advises one "
        "pool the cluster autoscaler does not manage (field description says so); validation keeps min <= max",
        "audit_logging.retention_days": "OCI Logging keeps flow logs at most 180 days, so any value above 180 "
        "plans the same; the long audit trail is the locked audit-log store's retention_days",
    },
}
"""Per shipped country: the leaf paths (list positions left out) that change no resource on purpose, with the
reason. The test requires exactly these to be inert, so an entry cannot outlive the reason."""

_ENUMS = (ConfidentialTier, EgressMode, Redundancy, StorePurpose)
_COUNTRIES = ("de", "fr")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
        if len(value) > 1 and not isinstance(value[0], dict):
            yield path, value  # the list itself: drop its last entry
    elif value is not None:
        yield path, value


def _bump(text: str) -> str:
    """Change the last character to another of the same kind (digit, hex, letter), keeping the form."""
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c.isdigit():
            return text[:i] + str((int(c) + 1) % 10) + text[i + 1 :]
        if c.isalpha():
            nxt = "b" if c in "aA" else "a"
            return text[:i] + (nxt.upper() if c.isupper() else nxt) + text[i + 1 :]
    return text + "x"


def _mutated(value: Any) -> Any:
    if isinstance(value, list):
        return value[:-1]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return round(value * 1.1, 3)
    assert isinstance(value, str), value
    for enum in _ENUMS:
        members = [m.value for m in enum]
        if value in members:
            return members[(members.index(value) + 1) % len(members)]
    try:
        return (dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()
    except ValueError:
        pass
    try:
        net = ipaddress.ip_network(value)
        return str(ipaddress.ip_network(f"{net.network_address}/{net.prefixlen + 1}"))
    except ValueError:
        pass
    return _bump(value)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _generic(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))


def _write_config(folder: Path, code: str, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG_DIR / MODELS_FILE, folder / MODELS_FILE)
    (folder / "_defaults.yaml").write_text("{}\n", encoding="utf-8")
    body = {k: v for k, v in data.items() if k not in ("country", "environment")}
    # JSON is YAML: the loader reads it with line numbers like any country file.
    (folder / f"{code}.yaml").write_text(json.dumps({**body, "environments": {"prod": {}}}), encoding="utf-8")
    return folder


def _plan(stack: StackFile, folder: Path) -> str:
    from sovereign.plan.runner import plan_stack

    document = plan_stack(stack, as_of=AS_OF, config_dir=folder)
    return json.dumps(
        sorted(
            (r["urn"], r["inputs"], r["protect"], sorted(r["dependencies"])) for r in document["resources"]
        ),
        sort_keys=True,
        default=str,
    )


def _cases(code: str, tmp: Path) -> tuple[StackFile, Path, list[tuple[str, Path]], list[str]]:
    config = load_country(code, "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    data = config.model_dump(mode="json")
    [stack] = find_stacks(default_stacks_dir(), [f"{code}-prod"])
    base = _write_config(tmp / "base", code, data)
    planned: list[tuple[str, Path]] = []
    refused: list[str] = []
    seen: set[str] = set()
    for i, (path, value) in enumerate(_leaves(data)):
        if path[0] in ("country", "environment", "cloud") or _generic(path) in seen:
            continue  # set from the file name / the discriminator; or a field already tried on a sibling item
        seen.add(_generic(path))
        folder = _write_config(tmp / f"m{i}", code, _set(data, path, _mutated(value)))
        _, problems = validate_files([folder / f"{code}.yaml"], config_dir=folder, as_of=AS_OF)
        label = ".".join(map(str, path))
        if problems:
            refused.append(label)
        else:
            planned.append((label, folder))
    return stack, base, planned, refused


@pytest.mark.parametrize("code", _COUNTRIES)
def test_every_leaf_changes_the_plan_or_is_refused(code: str, tmp_path: Path) -> None:
    stack, base, planned, refused = _cases(code, tmp_path)
    assert len(planned) + len(refused) > 50, (len(planned), len(refused))
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=os.cpu_count() or 2, mp_context=context, max_tasks_per_child=1
    ) as pool:
        baseline = pool.submit(_plan, stack, base)
        futures = {label: pool.submit(_plan, stack, folder) for label, folder in planned}
        before = baseline.result()
        dead = [label for label, future in futures.items() if future.result() == before]
    inert = {re.sub(r"\.\d+", "", label) for label in dead}
    listed = set(VALIDATION_ONLY[code])
    assert sorted(inert - listed) == [], (
        f"{code}: these settings change neither validation nor the plan; wire them, remove them, or list them "
        f"in VALIDATION_ONLY with the reason: {sorted(inert - listed)}"
    )
    assert sorted(listed - inert) == [], f"{code}: listed as validation-only, but they change the plan now"
