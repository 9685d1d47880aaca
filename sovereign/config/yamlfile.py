"""Read a YAML file into plain data plus the file line of every key, refusing hostile input cleanly.

ruamel.yaml (YAML 1.2, so ``no`` stays the string "no", Norway's code) keeps the position of every key;
we flatten its round-trip nodes to plain dicts/lists/scalars and a ``locations`` map
``path tuple -> line`` so that errors found after merging can still point to the file and line.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sovereign.config.errors import PathParts, Problem

__all__ = ["MAX_FILE_BYTES", "MAX_NODES", "YamlDocument", "read_yaml"]

MAX_FILE_BYTES = 1_048_576
"""A country file is a few kilobytes; anything over 1 MiB is refused before parsing."""
MAX_NODES = 50_000
"""Nodes after alias expansion; stops 'billion laughs' documents from exhausting memory."""
MAX_DEPTH = 64


@dataclass
class YamlDocument:
    file: Path
    data: Any
    locations: dict[PathParts, tuple[Path, int]] = field(default_factory=dict)

    def line_of(self, path: PathParts) -> tuple[Path, int | None]:
        """The file and line of the longest prefix of ``path`` that has a known location."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return self.file, None


class _TooLarge(Exception):
    pass


def _problem(file: Path, line: int | None, message: str, fix: str) -> Problem:
    return Problem(file=file, line=line, path="<document>", message=message, fix=fix)


def read_yaml(file: Path) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``file``; return the document, or None and the problems that stopped it."""
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None, [_problem(file, None, "file not found", "check the path, or create it")]
    except OSError as exc:
        return None, [_problem(file, None, f"cannot read the file ({exc.strerror})", "check its permissions")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            _problem(
                file,
                None,
                f"file is {len(raw)} bytes (allowed: at most {MAX_FILE_BYTES})",
                "a country file is a few kilobytes; check that this is the right file",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            _problem(file, None, f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8 YAML text")
        ]
    if "\x00" in text:
        return None, [_problem(file, None, "binary content (NUL byte)", "a country file must be YAML text")]
    try:
        data, locations = _parse(text)
    except _TooLarge as exc:
        return None, [
            _problem(file, None, str(exc), "a country file is small; remove the repeated or nested part")
        ]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        fix = "fix the YAML syntax at this line"
        if isinstance(exc, DuplicateKeyError):
            # A repeated key would silently replace the first value (a second 'expires_on', a second 'id').
            fix = "keep one of the two: a key may appear once in a mapping"
        return None, [_problem(file, line, f"malformed YAML: {what}", fix)]
    except RecursionError:
        # ruamel parses nesting recursively: '[[[[...' a few thousand deep is well-formed but too deep to read.
        return None, [
            _problem(
                file,
                None,
                "document is nested too deeply to parse",
                "a country file is small; remove the repeated or nested part",
            )
        ]
    except (YAMLError, ValueError, TypeError) as exc:
        return None, [_problem(file, None, f"malformed YAML: {exc}", "fix the YAML syntax")]
    if data is _EMPTY:
        return None, [
            _problem(file, None, "the file is empty", "write the country's settings as a YAML mapping")
        ]
    # The parse is cached; hand every caller its own copy so that no caller can change another's data.
    return YamlDocument(
        file, copy.deepcopy(data), {path: (file, line) for path, line in locations.items()}
    ), []


_EMPTY = object()


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> tuple[Any, dict[PathParts, int]]:
    """Parse once per distinct text (the register and defaults are read for every country).

    The result is shared between calls: ``read_yaml`` copies it before handing it out.
    """
    from ruamel.yaml import YAML

    node = YAML(typ="rt").load(text)
    if node is None:
        return _EMPTY, {}
    locations: dict[PathParts, int] = {}
    return _flatten(node, (), locations, [0]), locations


def _flatten(node: Any, path: PathParts, locations: dict[PathParts, int], count: list[int]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    count[0] += 1
    if count[0] > MAX_NODES:
        raise _TooLarge(f"document has more than {MAX_NODES} values (after expanding aliases)")
    if len(path) > MAX_DEPTH:
        raise _TooLarge(f"document is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            line = node.lc.key(key)[0] + 1 if node.lc.data and key in node.lc.data else None
            plain_key = key if isinstance(key, str) else _scalar(key)
            if line is not None:
                locations[(*path, plain_key)] = line
            out[plain_key] = _flatten(node[key], (*path, plain_key), locations, count)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            if node.lc.data and index in node.lc.data:
                locations[(*path, index)] = node.lc.item(index)[0] + 1
            items.append(_flatten(item, (*path, index), locations, count))
        return items
    return _scalar(node)


def _scalar(value: Any) -> Any:
    # ruamel's round-trip scalars subclass the builtins; hand pydantic plain builtins.
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if value is None:
        return None
    return str(value)
