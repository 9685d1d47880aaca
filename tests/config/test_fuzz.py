"""The loader fuzzed: any YAML text or structure gives a valid config or the clean error, nothing else."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from sovereign.config.loader import validate_files
from tests.config.helpers import AS_OF, CONFIG_DIR, merged

PROBLEM = re.compile(r"^[^:]+(:\d+)?: \S.*: .+ — .+$", re.S)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=30)
)
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def _dump(data: Any) -> str:
    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


def _check(directory: Path, text: str) -> None:
    (directory / "de.yaml").write_text(text, encoding="utf-8")
    configs, problems = validate_files([directory / "de.yaml"], config_dir=directory, as_of=AS_OF)
    assert configs or problems
    for problem in problems:
        assert PROBLEM.match(str(problem)), str(problem)


_SCRATCH: dict[str, Path] = {}


def _scratch(tmp_path_factory: Any) -> Path:
    """One folder with the real defaults and register, reused by every example of the session."""
    if "dir" not in _SCRATCH:
        directory = tmp_path_factory.mktemp("fuzz")
        for name in ("_defaults.yaml", "models.yaml"):
            shutil.copy(CONFIG_DIR / name, directory / name)
        _SCRATCH["dir"] = directory
    return _SCRATCH["dir"]


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_gives_config_or_clean_error(tmp_path_factory: Any, text: str) -> None:
    _check(_scratch(tmp_path_factory), text)


@FUZZ
@given(data=structures)
def test_any_structure_gives_config_or_clean_error(tmp_path_factory: Any, data: Any) -> None:
    _check(_scratch(tmp_path_factory), _dump(data))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


BASE = {k: v for k, v in merged("de").items() if k not in ("country", "environment")}
BASE["environments"] = {"prod": {}}
BASE_PATHS = _paths(BASE)


@FUZZ
@given(path=st.sampled_from(BASE_PATHS), value=structures)
def test_any_single_mutation_of_a_valid_file_gives_config_or_clean_error(
    tmp_path_factory: Any, path: tuple, value: Any
) -> None:
    import copy

    data = copy.deepcopy(BASE)
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _check(_scratch(tmp_path_factory), _dump(data))
