"""Load a country: layer the YAML files, validate the result, check the sovereignty invariants.

Layering, later wins: ``_defaults.yaml`` (organisation-wide) -> ``<cc>.yaml`` -> the file's
``environments.<env>`` overrides. Mappings merge key by key. Lists of named items (:data:`KEYED_LISTS`) merge
by ``name``: an item with a known name merges into that item key by key, a new name is appended, and
``{name: x, remove: true}`` removes item ``x``. Other lists and scalars are replaced whole. A section of the
defaults named after a cloud (``azure:``, ``oci:``) applies only to countries on that cloud. Every problem of
every layer is reported in one pass, located at the file and line the offending value came from.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sovereign.catalogue.machines import MachineSize
from sovereign.clouds import CLOUD_PACKAGES, cloud_module
from sovereign.config.errors import (
    ConfigError,
    PathParts,
    Problem,
    Violation,
    format_path,
    merge_environments,
)
from sovereign.config.schema import COUNTRY_CONFIG, CountryConfig, ModelRegister
from sovereign.config.yamlfile import YamlDocument, read_yaml
from sovereign.types import Cloud, Environment

__all__ = [
    "DEFAULTS_FILE",
    "KEYED_LISTS",
    "MODELS_FILE",
    "REMOVE_MARKER",
    "CountryFile",
    "country_files",
    "country_gpu_sizes",
    "default_config_dir",
    "load_country",
    "load_register",
    "validate_files",
]

DEFAULTS_FILE = "_defaults.yaml"
MODELS_FILE = "models.yaml"
_CODE_FILE = re.compile(r"^[a-z]{2}\.yaml$")
_INJECTED = ("country", "environment")
KEYED_LISTS: frozenset[PathParts] = frozenset(
    {("assistant", "deployments"), ("cluster", "gpu_pools"), ("storage", "stores"), ("tenants",)}
)
"""Lists of named items that layers merge by ``name`` instead of replacing whole."""
REMOVE_MARKER = "remove"
"""``{name: x, remove: true}`` in a later layer removes item ``x`` of a keyed list."""


def default_config_dir() -> Path:
    """``$SOVEREIGN_CONFIG_DIR`` if set, else ``country_configs/`` of the project the working directory is in
    (found upward as ``pulumi`` finds ``Pulumi.yaml``; see ``sovereign.project``)."""
    import os

    from sovereign.project import CONFIG_DIR_ENV, find_project

    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else find_project().config_dir


def country_files(config_dir: Path) -> list[Path]:
    """Every country file (``<cc>.yaml``) in ``config_dir``, sorted by code."""
    return sorted(p for p in config_dir.glob("*.yaml") if _CODE_FILE.match(p.name))


@dataclass(frozen=True)
class CountryFile:
    """A parsed country file: its environments, ready to be layered per environment."""

    code: str
    doc: YamlDocument

    @property
    def environments(self) -> list[Environment]:
        envs = self.doc.data.get("environments") if isinstance(self.doc.data, dict) else None
        if not isinstance(envs, dict):
            return []
        return [Environment(e) for e in envs if e in Environment._value2member_map_]


def _merge(
    base: Any,
    base_loc: dict[PathParts, Any],
    over: Any,
    over_loc: dict[PathParts, Any],
    path: PathParts,
    problems: list[Violation] | None = None,
) -> Any:
    """Deep-merge ``over`` onto ``base`` in place of ``base_loc`` (locations follow the value that wins).

    Lists at :data:`KEYED_LISTS` merge by name; problems with removal markers go to ``problems``.
    """
    if path in KEYED_LISTS and isinstance(over, list) and _named(over) and (base is None or _named(base)):
        return _merge_named(base or [], base_loc, over, over_loc, path, problems)
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            sub = (*path, key)
            if key in merged or sub in KEYED_LISTS:
                merged[key] = _merge(merged.get(key), base_loc, value, over_loc, sub, problems)
            else:
                merged[key] = value
                _take_locations(base_loc, over_loc, sub)
            if sub in over_loc:
                base_loc[sub] = over_loc[sub]
        return merged
    _take_locations(base_loc, over_loc, path)
    return over


def _named(items: Any) -> bool:
    return isinstance(items, list) and all(
        isinstance(i, dict) and isinstance(i.get("name"), str) for i in items
    )


def _merge_named(
    base: list[dict[str, Any]],
    base_loc: dict[PathParts, Any],
    over: list[dict[str, Any]],
    over_loc: dict[PathParts, Any],
    path: PathParts,
    problems: list[Violation] | None,
) -> list[dict[str, Any]]:
    """Merge ``over`` onto ``base`` by item name; items keep their position, new names are appended.

    Locations of each item are re-indexed to its place in the result, so errors still name the line the winning
    value was written on (items are addressed by index in error paths).
    """
    n = len(path)
    items: list[tuple[dict[str, Any], dict[PathParts, Any]]] = [
        (item, _rebase(base_loc, (*path, i))) for i, item in enumerate(base)
    ]
    index = {item["name"]: i for i, item in reversed(list(enumerate(base)))}
    matched: set[str] = set()
    removed: set[int] = set()
    for j, item in enumerate(over):
        item_loc = _rebase(over_loc, (*path, j))
        name = item["name"]
        if REMOVE_MARKER in item:
            at = index.get(name)
            if item[REMOVE_MARKER] is not True or set(item) != {"name", REMOVE_MARKER}:
                _note(
                    problems,
                    (*path, j, REMOVE_MARKER),
                    f"'{REMOVE_MARKER}: true' takes only the item's name "
                    f"(got {_show({k: v for k, v in item.items() if k != 'name'})})",
                    f"write '{{name: {name}, {REMOVE_MARKER}: true}}' to remove the item, or drop "
                    f"'{REMOVE_MARKER}' to change it",
                )
            elif at is None or at in removed:
                known = ", ".join(i["name"] for k, (i, _) in enumerate(items) if k not in removed) or "none"
                _note(
                    problems,
                    (*path, j, "name"),
                    f"no item named '{name}' to remove (known: {known})",
                    "fix the name, or drop this item",
                )
            else:
                removed.add(at)
            continue
        at = index.get(name)
        if at is None or name in matched or at in removed:
            items.append((item, item_loc))
            continue
        matched.add(name)
        merged_loc = dict(items[at][1])
        merged = _merge(dict(items[at][0]), merged_loc, item, item_loc, (), None)
        if () in item_loc:
            merged_loc[()] = item_loc[()]
        items[at] = (merged, merged_loc)
    kept = [entry for k, entry in enumerate(items) if k not in removed]
    for key in [k for k in base_loc if k[:n] == path and len(k) > n]:
        del base_loc[key]
    for k, (_, locs) in enumerate(kept):
        base_loc.update({(*path, k, *sub): where for sub, where in locs.items()})
    return [item for item, _ in kept]


def _note(problems: list[Violation] | None, path: PathParts, message: str, fix: str) -> None:
    if problems is not None:
        problems.append(Violation(path, message, fix))


def _take_locations(target: dict[PathParts, Any], source: dict[PathParts, Any], prefix: PathParts) -> None:
    n = len(prefix)
    for key in [k for k in target if k[:n] == prefix and len(k) > n]:
        del target[key]
    target.update({k: v for k, v in source.items() if k[:n] == prefix})


def _rebase(locations: dict[PathParts, Any], prefix: PathParts) -> dict[PathParts, Any]:
    n = len(prefix)
    return {k[n:]: v for k, v in locations.items() if k[:n] == prefix}


def _structure_problem(doc: YamlDocument, path: PathParts, message: str, fix: str) -> Problem:
    file, line = doc.line_of(path)
    return Problem(file=file, line=line, path=format_path(path), message=message, fix=fix)


def _read_layers(
    config_dir: Path, country_path: Path
) -> tuple[YamlDocument | None, YamlDocument | None, list[Problem]]:
    problems: list[Problem] = []
    defaults, found = read_yaml(config_dir / DEFAULTS_FILE)
    problems += found
    country, found = read_yaml(country_path)
    problems += found
    for doc in (defaults, country):
        if doc is not None and not isinstance(doc.data, dict):
            problems.append(
                _structure_problem(
                    doc,
                    (),
                    f"expected a mapping of settings (got a {type(doc.data).__name__})",
                    "write 'key: value' lines",
                )
            )
    if defaults is not None and isinstance(defaults.data, dict) and "environments" in defaults.data:
        problems.append(
            _structure_problem(
                defaults,
                ("environments",),
                "environments are declared per country",
                "move it to the country files",
            )
        )
    return defaults, country, problems


def _layer(
    defaults: YamlDocument,
    country: YamlDocument,
    env: Environment,
    problems: list[Violation] | None = None,
) -> YamlDocument:
    """defaults -> country (without 'environments') -> environments.<env>, with merged locations.

    The defaults' sections named after another cloud than the country's are left out. Layering problems
    (removal markers that remove nothing) are appended to ``problems`` with paths into the override.
    """
    cloud = country.data.get("cloud")
    other_clouds = {c.value for c in Cloud} - ({cloud} if isinstance(cloud, str) else set())
    base = {k: v for k, v in defaults.data.items() if k not in other_clouds}
    locations = {k: v for k, v in defaults.locations.items() if k[:1] and k[0] not in other_clouds}
    body = {k: v for k, v in country.data.items() if k != "environments"}
    body_loc = {k: v for k, v in country.locations.items() if k[:1] != ("environments",)}
    found: list[Violation] = []
    merged = _merge(base, locations, body, body_loc, (), found)
    override = (country.data.get("environments") or {}).get(env.value)
    if isinstance(override, dict):
        prefix: PathParts = ("environments", env.value)
        layer: list[Violation] = []
        merged = _merge(merged, locations, override, _rebase(country.locations, prefix), (), layer)
        found += [Violation((*prefix, *v.path), v.message, v.fix) for v in layer]
    if problems is not None:
        problems += found
    return YamlDocument(file=country.file, data=merged, locations=locations)


def load_register(
    config_dir: Path, *, as_of: dt.date | None = None
) -> tuple[ModelRegister | None, list[Problem]]:
    """The model risk register, or the problems that make it unusable: its types, then its integrity
    (``sovereign.config.register_checks``; with ``as_of``, which ``validate_files`` passes, also assessments
    dated after it)."""
    from sovereign.config.register_checks import register_serving_violations, register_violations

    doc, problems = read_yaml(config_dir / MODELS_FILE)
    if doc is None:
        return None, problems
    try:
        register = ModelRegister.model_validate(doc.data)
    except ValidationError as exc:
        return None, _pydantic_problems(doc, exc, ModelRegister)
    violations = [
        *register_violations(register, as_of),
        *register_serving_violations(register, country_gpu_sizes(config_dir)),
    ]
    found = [_structure_problem(doc, v.path, v.message, v.fix) for v in violations]
    return (None, found) if found else (register, [])


def country_gpu_sizes(config_dir: Path) -> dict[str, list[MachineSize]]:
    """The catalogue sizes of the GPU pools of every country file in ``config_dir``, over all its environments,
    layered as validation layers them; what the register's serving check holds an approval against. A file or
    pool that does not read cleanly is left out here: validating that country reports it at its own line."""
    from sovereign.catalogue.machines import machine_size

    found: dict[str, list[MachineSize]] = {}
    for path in country_files(config_dir):
        defaults, country, problems = _read_layers(config_dir, path)
        if defaults is None or country is None or problems:
            continue
        sizes: list[MachineSize] = []
        for env in CountryFile(path.stem, country).environments:
            data = _layer(defaults, country, env).data
            cloud, cluster = data.get("cloud"), data.get("cluster")
            pools = cluster.get("gpu_pools") if isinstance(cluster, dict) else None
            if (
                not isinstance(cloud, str)
                or cloud not in Cloud._value2member_map_
                or not isinstance(pools, list)
            ):
                continue
            for pool in pools:
                name = pool.get("vm_size") if isinstance(pool, dict) else None
                size = machine_size(Cloud(cloud), name) if isinstance(name, str) else None
                if size is not None and size.gpus and size not in sizes:
                    sizes.append(size)
        found[path.stem] = sizes
    return found


def validate_files(
    paths: Iterable[Path] | None = None, *, config_dir: Path | None = None, as_of: dt.date | None = None
) -> tuple[list[CountryConfig], list[Problem]]:
    """Validate every environment of every given country file (default: all); never raises ConfigError."""
    config_dir = config_dir or default_config_dir()
    as_of = as_of or dt.date.today()
    files = list(paths) if paths is not None else country_files(config_dir)
    if not files:
        return [], [
            Problem(config_dir, None, "<directory>", "no country files found", "add '<cc>.yaml' files")
        ]
    register, problems = load_register(config_dir, as_of=as_of)
    configs: list[CountryConfig] = []
    for path in files:
        found, file_problems = _validate_country_file(path, config_dir, as_of, register)
        configs += found
        problems += merge_environments(file_problems)
    return configs, problems


def _validate_country_file(
    path: Path, config_dir: Path, as_of: dt.date, register: ModelRegister | None
) -> tuple[list[CountryConfig], list[Problem]]:
    from sovereign.config.invariants import check_invariants

    code = path.stem
    if not _CODE_FILE.match(path.name):
        return [], [
            Problem(
                path,
                None,
                "<file name>",
                f"'{path.name}' is not named after a country",
                "name it '<cc>.yaml', e.g. 'de.yaml'",
            )
        ]
    # A file outside the config folder is layered on its own folder's defaults when it has them.
    defaults_dir = path.parent if (path.parent / DEFAULTS_FILE).exists() else config_dir
    defaults, country, problems = _read_layers(defaults_dir, path)
    if defaults is None or country is None or problems:
        return [], problems
    envs = country.data.get("environments")
    if not isinstance(envs, dict) or "prod" not in envs:
        return [], [
            _structure_problem(
                country,
                ("environments",),
                "missing the 'prod' environment (allowed: prod, staging)",
                "add 'environments: {prod: {}}' (overrides per environment; '{}' for none)",
            )
        ]
    for env_name, override in envs.items():
        if env_name not in Environment._value2member_map_:
            problems.append(
                _structure_problem(
                    country,
                    ("environments", env_name),
                    f"unknown environment '{env_name}' (allowed: prod, staging)",
                    "rename it to 'prod' or 'staging', or remove it",
                )
            )
        elif override is not None and not isinstance(override, dict):
            problems.append(
                _structure_problem(
                    country,
                    ("environments", env_name),
                    "expected a mapping of overrides",
                    "write '{}' for none",
                )
            )
    if "country" in country.data or "environment" in country.data:
        problems.append(
            _structure_problem(
                country,
                ("country",) if "country" in country.data else ("environment",),
                "set from the file name and the 'environments' key, not written in the file",
                "remove this key",
            )
        )
    if problems:
        return [], problems
    configs: list[CountryConfig] = []
    for env in CountryFile(code, country).environments:
        layering: list[Violation] = []
        layered = _layer(defaults, country, env, layering)
        if layering:
            problems += [_locate(country, v, env) for v in layering]
            continue
        data = {**layered.data, "country": code, "environment": env.value}
        try:
            config = COUNTRY_CONFIG.validate_python(data)
        except ValidationError as exc:
            problems += _pydantic_problems(layered, exc, None, env)
            continue
        if register is None:
            continue  # the register's own problems are already reported
        violations = check_invariants(config, register, as_of)
        problems += [_locate(layered, v, env) for v in violations]
        if not violations:
            configs.append(config)
    return configs, problems


def load_country(
    code: str,
    environment: Environment | str,
    *,
    config_dir: Path | None = None,
    as_of: dt.date | None = None,
) -> CountryConfig:
    """Load one country-environment; raise :class:`ConfigError` with every problem found."""
    config_dir = config_dir or default_config_dir()
    env = Environment(environment)
    path = config_dir / f"{code}.yaml"
    if not path.exists():
        known = ", ".join(p.stem for p in country_files(config_dir)) or "none"
        raise ConfigError(
            [
                Problem(
                    path,
                    None,
                    "<file>",
                    f"no country file for '{code}' (known: {known})",
                    "run 'sovereign new-country'",
                )
            ]
        )
    configs, problems = validate_files([path], config_dir=config_dir, as_of=as_of)
    if problems:
        raise ConfigError(problems)
    for config in configs:
        if config.environment == env:
            return config
    raise ConfigError(
        [
            Problem(
                path,
                None,
                "environments",
                f"no '{env.value}' environment",
                f"add 'environments.{env.value}: {{}}'",
            )
        ]
    )


def _locate(doc: YamlDocument, violation: Violation, env: Environment) -> Problem:
    file, line = doc.line_of(violation.path)
    return Problem(
        file, line, format_path(violation.path), f"[{env.value}] {violation.message}", violation.fix
    )


# --- pydantic errors -> problems -------------------------------------------------------------------------------


def _pydantic_problems(
    doc: YamlDocument, exc: ValidationError, root: type[BaseModel] | None, env: Environment | None = None
) -> list[Problem]:
    """One problem per pydantic error. ``root`` None: the country union, whose error locations start with the
    cloud tag ('azure', 'oci'), which is stripped so that paths stay the file's own."""
    problems = []
    envs = (env.value,) if env else ()
    for error in exc.errors(include_url=False):
        loc: PathParts = tuple(error["loc"])
        kind = error["type"]
        got = error.get("input")
        model = root
        if root is None:
            if kind in ("union_tag_invalid", "union_tag_not_found"):
                problems.append(_cloud_problem(doc, kind, got, envs))
                continue
            if loc and loc[0] in CLOUD_PACKAGES:
                model = cloud_module(str(loc[0]), "settings").COUNTRY
                loc = loc[1:]
        if loc[:1] == ("country",) and kind != "extra_forbidden":
            # The code comes from the file name, and writing 'country' in the file is refused: name the file.
            message = f"{error['msg'].removeprefix('Value error, ')} (from the file name)"
            fix = "name the file after the country's ISO 3166-1 alpha-2 code in lower case, e.g. 'de.yaml'"
            problems.append(Problem(doc.file, None, "<file name>", message, fix, envs))
            continue
        if kind == "missing":
            message = "required setting is missing"
            fix = f"add '{loc[-1]}' (see the config reference in README.md)"
        elif kind == "extra_forbidden":
            fields = _fields_at(model, loc[:-1]) if model is not None else []
            allowed = [f for f in fields if loc[:-1] or f not in _INJECTED]
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            message = f"unknown setting {str(loc[-1])!r} (allowed: {', '.join(allowed)})"
            fix = f"did you mean '{close[0]}'?" if close else "remove it"
        elif kind == "value_error" and " — " in error["msg"]:
            # A model's own check that says its fix after ' — ' (e.g. a person where a group is expected).
            message, _, fix = error["msg"].removeprefix("Value error, ").partition(" — ")
        else:
            message = f"{_ENUM_REPR.sub(_quote_value, error['msg'])} (got {_show(got)})"
            fix = _fix_hint(kind)
        file, line = _missing_at(doc, loc) if kind == "missing" else doc.line_of(loc)
        problems.append(Problem(file, line, format_path(loc), message, fix, envs))
    return problems


_ENUM_REPR = re.compile(r"<\w+\.\w+: ('[^']*')>")
"""``<KeyCustodyTier.MANAGED_HSM: 'managed_hsm'>`` in pydantic's messages -> ``'managed_hsm'``."""


def _quote_value(match: re.Match[str]) -> str:
    return match[1]


def _cloud_problem(doc: YamlDocument, kind: str, data: Any, envs: tuple[str, ...]) -> Problem:
    """A missing or unknown ``cloud``: nothing else can be checked until it names one of the clouds."""
    allowed = " or ".join(repr(c.value) for c in CLOUD_PACKAGES)
    got = data.get("cloud") if isinstance(data, dict) else None
    if kind == "union_tag_not_found" or got is None:
        file, line = _missing_at(doc, ("cloud",))
        return Problem(
            file,
            line,
            "cloud",
            f"required setting is missing (allowed: {allowed})",
            "add 'cloud: azure' or 'cloud: oci'; the cloud decides which other sections apply",
            envs,
        )
    file, line = doc.line_of(("cloud",))
    close = difflib.get_close_matches(str(got), [c.value for c in CLOUD_PACKAGES], n=1)
    return Problem(
        file,
        line,
        "cloud",
        f"unknown cloud (got {_show(got)}; allowed: {allowed})",
        f"did you mean '{close[0]}'?" if close else "use one of the allowed values",
        envs,
    )


def _missing_at(doc: YamlDocument, loc: PathParts) -> tuple[Path, int | None]:
    """Where to add a missing setting: the file being validated, never the defaults it is layered on (a
    country without 'key_custody' was told to add 'tier' to _defaults.yaml, where the mapping came from)."""
    for end in range(len(loc) - 1, 0, -1):
        found = doc.locations.get(loc[:end])
        if found is not None and found[0] == doc.file:
            return found
    return doc.file, None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fix_hint(kind: str) -> str:
    if kind.endswith(("_type", "_parsing")) or kind in (
        "model_type",
        "list_type",
        "dict_type",
        "int_from_float",
    ):
        return "use a value of the expected type"
    if kind in ("enum", "literal_error"):
        return "use one of the allowed values"
    if kind.startswith(("greater", "less", "too_")):
        return "use a value within the allowed range"
    if kind == "string_pattern_mismatch":
        return "use a value of the documented form"
    return "correct the value"


def _fields_at(model: type[BaseModel], loc: PathParts) -> list[str]:
    """Field names of the model reached by following ``loc`` from ``model`` (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = (
            current.model_fields.get(part)
            if isinstance(current, type) and issubclass(current, BaseModel)
            else None
        )
        if field is None:
            return []
        current = _model_of(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
