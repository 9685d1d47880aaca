"""Generated bad input through the ``sovereign`` entry point: a valid config, or the clean error, and nothing else.

Hypothesis breaks a shipped country file (one mutation of its structure, a corruption of its text or bytes, or
plain noise) or a stack file, then runs ``validate``, ``countries``, ``plan`` or ``report`` through
``sovereign.cli.main`` with captured output. Whatever it generates, the command exits 0 with a valid config
(``validate``/``countries`` only: a valid file is never planned here, planning takes seconds) or 2 with
``file[:line]: path: message — fix`` problems naming the broken file; never a traceback or an internal error.

Each test counts the cases it really ran and requires its share, so the suite provably drives at least
``MIN_CASES`` generated cases per run (``tests/config/test_fuzz.py`` fuzzes the loader itself, in-process).
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from sovereign.catalogue.regions import REGIONS
from sovereign.config.loader import validate_files
from tests.reliability.workspace import AS_OF, ROOT, Workspace, cli, make_workspace, problems

COUNTRY_CASES = 400
STACK_CASES = 150
MIN_CASES = 500
assert COUNTRY_CASES + STACK_CASES >= MIN_CASES


def fuzz(cases: int) -> settings:
    return settings(
        max_examples=cases,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=30)
)
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
regions = st.sampled_from(sorted({name for _, name in REGIONS}))


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _dump(data: Any) -> str:
    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


BASES = {code: _load(ROOT / "country_configs" / f"{code}.yaml") for code in ("gb", "fr")}
TEXTS = {code: (ROOT / "country_configs" / f"{code}.yaml").read_bytes() for code in BASES}
PATHS = {code: _paths(data) for code, data in BASES.items()}


def _at(data: Any, path: tuple) -> tuple[Any, Any]:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


@st.composite
def broken_structure(draw: st.DrawFn, code: str) -> bytes:
    """One mutation of the parsed file: a value replaced, a key removed or added, a region moved abroad, a value
    buried under deep nesting."""
    data = copy.deepcopy(BASES[code])
    path = draw(st.sampled_from(PATHS[code]))
    node, last = _at(data, path)
    kind = draw(st.sampled_from(["replace", "delete", "unknown-key", "region", "nest"]))
    if kind == "replace":
        node[last] = draw(structures)
    elif kind == "delete":
        del node[last]
    elif kind == "unknown-key":
        target = node[last] if isinstance(node[last], dict) else data
        target[draw(st.text(min_size=1, max_size=12))] = draw(structures)
    elif kind == "region":
        data["regions"][draw(st.sampled_from(["primary", "secondary"]))] = draw(regions)
    else:
        value = node[last]
        for _ in range(draw(st.integers(1, 120))):
            value = draw(st.sampled_from([[value], {"x": value}]))
        node[last] = value
    return _dump(data).encode("utf-8")


@st.composite
def broken_text(draw: st.DrawFn, code: str) -> bytes:
    """The file's bytes cut short, spliced with text or bytes, or with a line repeated."""
    raw = TEXTS[code]
    at = draw(st.integers(0, len(raw)))
    kind = draw(st.sampled_from(["truncate", "text", "bytes", "repeat-line"]))
    if kind == "truncate":
        return raw[:at]
    if kind == "text":
        return raw[:at] + draw(st.text(min_size=1, max_size=20)).encode("utf-8") + raw[at:]
    if kind == "bytes":
        return raw[:at] + draw(st.binary(min_size=1, max_size=20)) + raw[at:]
    lines = raw.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    return b"".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])


def country_file(code: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        broken_structure(code),
        broken_text(code),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        st.binary(max_size=200),
        structures.map(lambda d: _dump(d).encode("utf-8")),
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("fuzz") / "platform", stacks=("gb-prod", "fr-prod"))


def test_generated_country_files_through_the_cli(workspace: Workspace) -> None:
    ran = 0
    stacks = {"gb": "gb-prod", "fr": "fr-prod"}

    @fuzz(COUNTRY_CASES)
    @given(
        case=st.sampled_from(sorted(BASES)).flatmap(
            lambda code: st.tuples(st.just(code), country_file(code))
        ),
        command=st.sampled_from(["validate", "countries", "plan", "report"]),
    )
    def one(case: tuple[str, bytes], command: str) -> None:
        nonlocal ran
        code, content = case
        path = workspace.country(code)
        path.write_bytes(content)
        try:
            _, found = validate_files([path], config_dir=workspace.configs)
            if command in ("plan", "report") and not found:
                command = "validate"  # valid as generated: planning it for real takes seconds
            args = (command, stacks[code]) if command in ("plan", "report") else (command,)
            result = cli(workspace, *args, "--as-of", AS_OF)
            if result.code == 0:
                assert command in ("validate", "countries"), result
                assert "Traceback" not in result.stderr and not result.stderr.strip(), result
            else:
                named = {p["file"] for p in problems(result, workspace)}
                assert str(path) in named, (named, result.stderr)
        finally:
            path.write_bytes(TEXTS[code])
        ran += 1

    one()
    assert ran >= COUNTRY_CASES


def test_generated_stack_files_through_the_cli(tmp_path: Path) -> None:
    """Stack files from nonsense to nearly right. The only country file is invalid and every other country is
    missing, so no generated stack can reach a real plan: each case must end in the clean error."""
    ws = make_workspace(tmp_path / "platform", stacks=())
    for path in ws.configs.glob("*.yaml"):
        if path.name not in ("_defaults.yaml", "models.yaml", "gb.yaml"):
            path.unlink()
    ws.country("gb").write_text(TEXTS["gb"].decode("utf-8") + "regoins: {}\n", encoding="utf-8")
    ran = 0
    nearly = st.fixed_dictionaries(
        {
            "config": st.fixed_dictionaries(
                {
                    "sovereign-ai:country": st.one_of(st.sampled_from(["gb", "zz", "GB"]), scalars),
                    "sovereign-ai:environment": st.one_of(st.sampled_from(["prod", "staging"]), scalars),
                },
                optional={
                    "sovereign-ai:chatOidcClientSecret": st.one_of(
                        scalars, st.fixed_dictionaries({"secure": scalars})
                    ),
                    "sovereign-ai:renamed": structures,
                    "pulumi:disable-default-providers": structures,
                },
            )
        }
    ).map(lambda d: _dump(d).encode("utf-8"))
    content = st.one_of(
        nearly,
        structures.map(lambda d: _dump({"config": d}).encode("utf-8")),
        structures.map(lambda d: _dump(d).encode("utf-8")),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        st.binary(max_size=200),
    )

    @fuzz(STACK_CASES)
    @given(content=content, command=st.sampled_from(["validate", "plan", "report"]))
    def one(content: bytes, command: str) -> None:
        nonlocal ran
        ws.stack("gb-prod").write_bytes(content)
        args = (command, "gb-prod") if command != "validate" else (command,)
        found = problems(cli(ws, *args, "--as-of", AS_OF), ws)
        assert {Path(p["file"]).name for p in found} & {"Pulumi.gb-prod.yaml", "gb.yaml", "zz.yaml"}, found
        ran += 1

    one()
    assert ran >= STACK_CASES
