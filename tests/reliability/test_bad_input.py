"""Bad input end to end through the ``sovereign`` command: every case gets the clean error, exit 2, no traceback.

Each case breaks one file of a scratch copy of the shipped country and stack files, then runs ``validate``,
``countries``, ``plan``, ``report`` and ``manifests`` against it through the console-script entry point, and
checks the problem it prints: the file, the field, what is wrong and the fix. A few cases run as real
subprocesses (``python -m sovereign``), including the worker-pool path of ``plan --all``.

``countries`` reads only country files (its table comes from them), so the stack-file cases leave it alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.reliability.workspace import AS_OF, Workspace, cli, make_workspace, problems, run

COMMANDS = ("validate", "countries", "plan", "report", "manifests")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}: update the case"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _billion_laughs() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def _stack(country: str, environment: str) -> str:
    return f"config:\n  sovereign-ai:country: {country}\n  sovereign-ai:environment: {environment}\n"


@dataclass(frozen=True)
class Expected:
    file: str
    """The file the problem names, relative to the workspace."""
    path: str
    message: str
    fix: str


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Workspace], object]
    expected: Expected
    target: str = "gb-prod"
    """The stack that `plan` and `report` are asked for."""
    per_command: dict[str, Expected] = field(default_factory=dict)
    commands: tuple[str, ...] = COMMANDS


GB = "country_configs/gb.yaml"


def _unknown_country(ws: Workspace) -> None:
    ws.country("xx").write_text(ws.country("gb").read_text(encoding="utf-8"), encoding="utf-8")
    ws.stack("xx-prod").write_text(_stack("xx", "prod"), encoding="utf-8")


def _foreign_region_oci(ws: Workspace) -> None:
    _edit(ws.country("fr"), "primary: eu-paris-1", "primary: us-ashburn-1")


CASES = [
    Case(
        "malformed-yaml",
        lambda ws: _append(ws.country("gb"), "regions: [uksouth\n"),
        Expected(GB, "<document>", "malformed YAML", "fix the YAML syntax"),
    ),
    Case(
        "wrong-type-scalar",
        lambda ws: _edit(ws.country("gb"), "node_count_max: 2", "node_count_max: lots"),
        Expected(GB, "cluster.gpu_pools[0].node_count_max", "valid integer", "expected type"),
    ),
    Case(
        "wrong-type-mapping",
        lambda ws: _edit(ws.country("gb"), "registry:\n", "registry: 42\nold_registry:\n"),
        Expected(GB, "registry", "valid dictionary", "expected type"),
    ),
    Case(
        "unknown-key",
        lambda ws: _append(ws.country("gb"), "regoins: {primary: uksouth}\n"),
        Expected(GB, "regoins", "unknown setting 'regoins'", "did you mean 'regions'?"),
    ),
    Case(
        "unknown-nested-key",
        lambda ws: _edit(ws.country("gb"), "vm_size: Standard_D8ds_v5", "vm_sise: Standard_D8ds_v5"),
        Expected(GB, "cluster.system_pool.vm_sise", "unknown setting", "did you mean 'vm_size'?"),
    ),
    Case(
        "foreign-region-azure",
        lambda ws: _edit(ws.country("gb"), "primary: uksouth", "primary: eastus"),
        Expected(GB, "regions.primary", "'eastus' lies in 'us', not in 'gb'", "in-country region"),
    ),
    Case(
        "foreign-region-oci",
        _foreign_region_oci,
        Expected("country_configs/fr.yaml", "regions.primary", "'us-ashburn-1' lies in 'us'", "in-country"),
        target="fr-prod",
    ),
    Case(
        "country-that-does-not-exist",
        _unknown_country,
        Expected(
            "country_configs/xx.yaml",
            "<file name>",
            "'xx' is not an ISO 3166-1 alpha-2",
            "name the file after",
        ),
        target="xx-prod",
    ),
    Case(
        "enormous-document",
        lambda ws: ws.country("gb").write_text("# " + "x" * 2_000_000 + "\n", encoding="utf-8"),
        Expected(GB, "<document>", "bytes (allowed: at most 1048576)", "a country file is a few kilobytes"),
    ),
    Case(
        "deeply-nested-block",
        lambda ws: ws.country("gb").write_text(
            "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "v: 1\n", encoding="utf-8"
        ),
        Expected(GB, "<document>", "nested more than 64 levels", "remove the repeated or nested part"),
    ),
    Case(
        "deeply-nested-flow",
        lambda ws: ws.country("gb").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8"),
        Expected(GB, "<document>", "nested too deeply to parse", "remove the repeated or nested part"),
        # ruamel takes seconds to reach Python's recursion limit; one command per loader path is enough.
        commands=("validate", "report"),
    ),
    Case(
        "billion-laughs",
        lambda ws: ws.country("gb").write_text(_billion_laughs(), encoding="utf-8"),
        Expected(GB, "<document>", "more than 50000 values", "remove the repeated or nested part"),
    ),
    Case(
        "binary-file",
        lambda ws: ws.country("gb").write_bytes(bytes(range(256)) * 8),
        Expected(GB, "<document>", "not UTF-8 text", "save the file as UTF-8"),
    ),
    Case(
        "nul-bytes",
        lambda ws: ws.country("gb").write_text("display_name: a\x00b\n", encoding="utf-8"),
        Expected(GB, "<document>", "binary content (NUL byte)", "YAML text"),
    ),
    Case(
        "empty-file",
        lambda ws: ws.country("gb").write_text("", encoding="utf-8"),
        Expected(GB, "<document>", "the file is empty", "YAML mapping"),
    ),
    Case(
        "broken-model-register",
        lambda ws: (ws.configs / "models.yaml").write_text("models: 7\n", encoding="utf-8"),
        Expected("country_configs/models.yaml", "models", "valid list", "expected type"),
    ),
    Case(
        "binary-defaults",
        lambda ws: (ws.configs / "_defaults.yaml").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64)),
        Expected("country_configs/_defaults.yaml", "<document>", "not UTF-8 text", "UTF-8"),
    ),
    Case(
        "stack-file-pointing-to-a-missing-country",
        lambda ws: ws.stack("zz-prod").write_text(_stack("zz", "prod"), encoding="utf-8"),
        Expected("country_configs/zz.yaml", "<file>", "no country file for 'zz'", "sovereign new-country"),
        target="zz-prod",
        per_command={
            "validate": Expected(
                "stacks/Pulumi.zz-prod.yaml",
                "config.sovereign-ai:country",
                "no country file 'zz.yaml'",
                "or remove this stack file",
            )
        },
        commands=("validate", "plan", "report", "manifests"),
    ),
    Case(
        "stack-file-naming-a-missing-environment",
        lambda ws: ws.stack("gb-staging").write_text(_stack("gb", "staging"), encoding="utf-8"),
        Expected(GB, "environments", "no 'staging' environment", "environments.staging"),
        target="gb-staging",
        per_command={
            "validate": Expected(
                "stacks/Pulumi.gb-staging.yaml",
                "config.sovereign-ai:environment",
                "gb.yaml has no 'staging' environment",
                "or remove this stack file",
            )
        },
        commands=("validate", "plan", "report", "manifests"),
    ),
    Case(
        "stack-file-with-an-unknown-environment",
        lambda ws: ws.stack("gb-qa").write_text(_stack("gb", "qa"), encoding="utf-8"),
        Expected(
            "stacks/Pulumi.gb-qa.yaml", "<file name>", "unknown environment 'qa'", "Pulumi.gb-prod.yaml"
        ),
        commands=("validate", "plan", "report", "manifests"),
    ),
    Case(
        "stack-file-disagreeing-with-its-name",
        lambda ws: ws.stack("gb-prod").write_text(_stack("de", "prod"), encoding="utf-8"),
        Expected(
            "stacks/Pulumi.gb-prod.yaml",
            "config.sovereign-ai:country",
            "the file name says 'gb'",
            "set 'sovereign-ai:country: gb'",
        ),
        commands=("validate", "plan", "report", "manifests"),
    ),
    Case(
        "binary-stack-file",
        lambda ws: ws.stack("gb-prod").write_bytes(b"\x00\xff" * 64),
        Expected("stacks/Pulumi.gb-prod.yaml", "<document>", "not UTF-8 text", "UTF-8"),
        commands=("validate", "plan", "report", "manifests"),
    ),
    Case(
        "misnamed-stack-file",
        lambda ws: ws.stack("GB-prod").write_text(_stack("gb", "prod"), encoding="utf-8"),
        Expected(
            "stacks/Pulumi.GB-prod.yaml", "<file name>", "not a stack file name", "Pulumi.<cc>-<env>.yaml"
        ),
        commands=("validate", "plan", "report", "manifests"),
    ),
]


def _args(command: str, target: str, workspace: Workspace) -> tuple[str, ...]:
    if command == "manifests":
        return (command, target, "--out", str(workspace.root / "manifests"), "--as-of", AS_OF)
    if command in ("plan", "report"):
        return (command, target, "--as-of", AS_OF)
    return (command, "--as-of", AS_OF)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "platform", stacks=("gb-prod", "fr-prod", "de-prod", "de-staging"))


@pytest.mark.parametrize(
    ("case", "command"),
    [pytest.param(c, cmd, id=f"{c.name}-{cmd}") for c in CASES for cmd in c.commands],
)
def test_bad_input_gets_the_clean_error(workspace: Workspace, case: Case, command: str) -> None:
    case.setup(workspace)
    expected = case.per_command.get(command, case.expected)
    found = problems(cli(workspace, *_args(command, case.target, workspace)), workspace)
    matching = [
        p
        for p in found
        if p["file"] == str(workspace.root / expected.file)
        and p["path"] == expected.path
        and expected.message in p["message"]
        and expected.fix in p["fix"]
    ]
    assert matching, f"no problem {expected} among:\n" + "\n".join(p.group(0) for p in found)


def test_every_problem_is_reported_in_one_pass(workspace: Workspace) -> None:
    _edit(workspace.country("gb"), "primary: uksouth", "primary: eastus")
    _edit(workspace.country("gb"), "node_count_max: 2", "node_count_max: lots")
    _append(workspace.country("gb"), "regoins: {}\n")
    _append(workspace.country("fr"), "colud: oci\n")
    found = problems(cli(workspace, "validate", "--as-of", AS_OF), workspace)
    paths = {(Path(p["file"]).name, p["path"]) for p in found}
    assert {
        ("gb.yaml", "regoins"),
        ("gb.yaml", "cluster.gpu_pools[0].node_count_max"),
        ("fr.yaml", "colud"),
    } <= paths, paths
    # Schema errors stop a file before the invariants; fixed, the region is the next thing reported.
    _edit(workspace.country("gb"), "node_count_max: lots", "node_count_max: 2")
    _edit(workspace.country("gb"), "regoins: {}\n", "")
    found = problems(cli(workspace, "validate", "--as-of", AS_OF), workspace)
    assert ("gb.yaml", "regions.primary") in {(Path(p["file"]).name, p["path"]) for p in found}


def test_command_line_mistakes_are_clean_errors(workspace: Workspace, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    # Mistakes on the command line are typer's usage errors (`Invalid value for OPTION: ...`).
    for args, option, message in (
        (("plan", "gb-prod", "--out", str(blocker / "plans")), "--out", "cannot write to this folder"),
        (("report", "gb-prod", "--out", str(tmp_path)), "--out", "is a folder"),
        (("plan", "gb-prod"), "--as-of", "'22.11.2026' is not a date — use YYYY-MM-DD"),
    ):
        as_of = "22.11.2026" if option == "--as-of" else AS_OF
        result = cli(workspace, *args, "--as-of", as_of)
        assert result.code == 2 and "Traceback" not in result.stderr, result
        assert f"Invalid value for {option}: {message}" in " ".join(result.stderr.replace("│", " ").split())
    # A stack that does not exist is a problem with the files: named with the folder it is missing from.
    result = cli(workspace, "plan", "nowhere-prod", "--as-of", AS_OF)
    assert result.code == 2 and "Traceback" not in result.stderr, result
    assert ": nowhere-prod: no stack or country 'nowhere-prod'" in result.stderr, result.stderr
    for stack in workspace.stacks.iterdir():
        stack.unlink()
    result = cli(workspace, "plan", "--all", "--as-of", AS_OF)
    assert result.code == 2 and "no stack files (Pulumi.<cc>-<env>.yaml) found" in result.stderr, result


# --- the real process ------------------------------------------------------------------------------------------


def _case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


@pytest.mark.parametrize(
    ("name", "args", "reads_it"),
    [
        ("binary-file", ("validate",), True),
        ("deeply-nested-flow", ("plan", "gb-prod"), True),
        ("country-that-does-not-exist", ("report", "xx-prod"), True),
        ("stack-file-with-an-unknown-environment", ("countries",), False),
    ],
)
def test_subprocess_exits_2_without_traceback(
    workspace: Workspace, name: str, args: tuple[str, ...], reads_it: bool
) -> None:
    case = _case(name)
    case.setup(workspace)
    result = run(workspace, *args, "--as-of", AS_OF)
    if not reads_it:  # a file this command does not read: it must still work
        assert result.code == 0 and "Traceback" not in result.stderr, result
        return
    found = problems(result, workspace)
    assert any(p["file"] == str(workspace.root / case.expected.file) for p in found), result.stderr


def test_plan_all_reports_a_worker_failure_cleanly(workspace: Workspace) -> None:
    """Several stacks plan in worker processes: an invalid country raised there must come back as its
    problem (exit 2), not as a crashed pool (it did: 'internal error: BrokenProcessPool', exit 1)."""
    for stack in workspace.stacks.iterdir():
        if stack.name != "Pulumi.gb-prod.yaml":
            stack.unlink()
    workspace.stack("zz-prod").write_text(_stack("zz", "prod"), encoding="utf-8")
    _append(workspace.country("gb"), "regoins: {}\n")
    found = problems(run(workspace, "plan", "--all", "--as-of", AS_OF), workspace)
    assert {p["path"] for p in found} <= {"regoins", "<file>"} and found, [p.group(0) for p in found]


def test_the_traceback_is_there_only_when_asked_for(workspace: Workspace) -> None:
    """The control for every 'no traceback' above: with SOVEREIGN_DEBUG=1 the same error shows its traceback."""
    _append(workspace.country("gb"), "regoins: {}\n")
    result = run(workspace, "validate", "--as-of", AS_OF, debug=True)
    assert result.code != 0 and "Traceback" in result.stderr and "ConfigError" in result.stderr
