"""Config commands: ``validate``, ``countries``, ``new-country``, ``schema``. None imports a provider SDK."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sovereign.cli.output import console, parse_as_of
from sovereign.config.errors import ConfigError, Problem
from sovereign.config.loader import (
    DEFAULTS_FILE,
    MODELS_FILE,
    country_files,
    default_config_dir,
    validate_files,
)
from sovereign.types import Cloud, Environment

if TYPE_CHECKING:
    from sovereign.config.base import ModelRecord
    from sovereign.config.schema import CountryConfig

__all__ = ["register"]

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Validation date YYYY-MM-DD (default: today); makes runs reproducible."),
]
ConfigDir = Annotated[
    Path | None,
    typer.Option(
        "--config-dir", help="Folder of country files (default: country_configs/ or $SOVEREIGN_CONFIG_DIR)."
    ),
]


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("countries")(countries)
    app.command("new-country")(new_country)
    app.command("schema")(schema)


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Country files to check (default: all).")] = None,
    as_of: AsOf = None,
    config_dir: ConfigDir = None,
) -> None:
    """Validate country files: schema, catalogue and every sovereignty invariant. Exit 0 valid, 2 not.

    Without PATHs, also the stack files (country, environment, secrets provider, config) and Pulumi.yaml (no backend).
    """
    configs, problems = validate_files(paths or None, config_dir=config_dir, as_of=parse_as_of(as_of))
    if not paths:
        problems += _stack_file_problems(config_dir, configs)
    if problems:
        raise ConfigError(problems)
    names = ", ".join(c.stack_name for c in configs)
    console.print(f"[green]valid[/green]: {len(configs)} country-environment(s): {names}")


def _stack_file_problems(config_dir: Path | None, configs: list[CountryConfig]) -> list[Problem]:
    """Stack files that cannot be planned: unreadable, or naming a country file or environment that is missing.

    Checked here so that CI's `sovereign validate` (no provider SDK, under a second) catches an orphaned stack
    before `sovereign plan` or `pulumi up` does. Stacks sit in ``stacks/`` beside the config folder.
    """
    import os

    from sovereign.plan.stackfiles import default_stacks_dir, find_stacks

    if config_dir is None or os.environ.get("SOVEREIGN_STACKS_DIR"):
        stacks_dir = default_stacks_dir()
    else:
        stacks_dir = config_dir.parent / "stacks"
    config_dir = config_dir or default_config_dir()
    if not stacks_dir.is_dir():
        return []
    try:
        stacks = find_stacks(stacks_dir)
    except ConfigError as exc:
        return list(exc.problems)
    from sovereign.plan.stack_sovereignty import (
        project_file_problems,
        stack_config_problems,
        stack_file_problems,
    )

    present = {p.stem for p in country_files(config_dir)}
    valid = {(c.country, c.environment.value) for c in configs}
    by_stack = {c.stack_name: c for c in configs}
    valid_countries = {country for country, _ in valid}
    problems = []
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        if (stacks_dir.parent / name).is_file():
            problems += project_file_problems(stacks_dir.parent / name)
    for stack in stacks:
        if stack.name in by_stack:
            problems += stack_file_problems(stack, by_stack[stack.name])
            problems += stack_config_problems(stack, by_stack[stack.name])
        if stack.country not in present:
            problems.append(
                Problem(
                    stack.path,
                    None,
                    "config.sovereign-ai:country",
                    f"no country file '{stack.country}.yaml' in {config_dir}",
                    "add it with 'sovereign new-country', or remove this stack file",
                )
            )
        elif stack.country in valid_countries and (stack.country, stack.environment) not in valid:
            problems.append(
                Problem(
                    stack.path,
                    None,
                    "config.sovereign-ai:environment",
                    f"{stack.country}.yaml has no '{stack.environment}' environment",
                    f"add 'environments.{stack.environment}: {{}}' to {stack.country}.yaml, or remove this stack file",
                )
            )
    return problems


def countries(as_of: AsOf = None, config_dir: ConfigDir = None) -> None:
    """Table of the countries: cloud, regions, GPU capacity, assistant models, environments."""
    from sovereign.catalogue import machine_size
    from sovereign.config.derived import gpu_capacity

    configs, problems = validate_files(config_dir=config_dir, as_of=parse_as_of(as_of))
    if problems:
        raise ConfigError(problems)
    table = Table(title="Sovereign AI countries", show_lines=False)
    for column in ("code", "cloud", "regions", "GPU capacity", "assistant models", "environments"):
        table.add_column(column)
    by_country: dict[str, list] = {}
    for c in configs:
        by_country.setdefault(c.country, []).append(c)
    for code, envs in sorted(by_country.items()):
        prod = next((c for c in envs if c.environment == Environment.PROD), envs[0])
        total, _ = gpu_capacity(prod)
        models = sorted({d.model for d in (prod.assistant.deployments if prod.assistant else [])})
        gpus = sorted({f"{machine_size(prod.cloud, p.vm_size).gpu_model}" for p in prod.cluster.gpu_pools})  # type: ignore[union-attr]
        confidential = " (confidential)" if prod.cluster.confidential_tier == "confidential_gpu" else ""
        regions = prod.regions.primary + (f", {prod.regions.secondary}" if prod.regions.secondary else "")
        table.add_row(
            code,
            prod.cloud.value,
            regions,
            f"{total}x {'/'.join(gpus)}{confidential}",
            ", ".join(models) or "-",
            ", ".join(sorted(c.environment.value for c in envs)),
        )
    console.print(table)


def new_country(
    code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 country code, e.g. 'se'.")],
    cloud: Annotated[Cloud, typer.Option("--cloud", help="azure or oci.")],
    region: Annotated[str, typer.Option("--region", help="An in-country region of that cloud.")],
    config_dir: ConfigDir = None,
    stacks_dir: Annotated[
        Path | None, typer.Option("--stacks-dir", help="Default: stacks/ next to it.")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Write a commented country file that validates as written, and its prod stack file. Never overwrites.

    Picks the newest Kubernetes version supported on the day, an in-country secondary region where there is
    one, and says what to replace and what the country cannot have on that cloud."""
    import pycountry

    from sovereign.catalogue import (
        OCI_OTHER_REALM_REGIONS,
        find_region,
        regions_in_country,
        restricted_access_note,
    )
    from sovereign.config.template import (
        CountryTemplate,
        gpu_size_for,
        render_country_file,
        render_stack_file,
        to_replace,
        what_the_country_cannot_have,
    )
    from sovereign.rules.residency import key_vault_fix, key_vault_replica_of

    config_dir = config_dir or default_config_dir()
    stacks_dir = stacks_dir or config_dir.parent / "stacks"
    country_path = config_dir / f"{code}.yaml"
    stack_path = stacks_dir / f"Pulumi.{code}-prod.yaml"

    def refuse(path: Path, what: str, message: str, fix: str) -> ConfigError:
        return ConfigError([Problem(path, None, what, message, fix)])

    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 and code.islower() else None
    if country is None:
        raise refuse(
            country_path,
            "code",
            f"'{code}' is not an ISO 3166-1 alpha-2 code",
            "use two lower-case letters, e.g. 'se'",
        )
    in_country = regions_in_country(cloud, code)
    found = find_region(cloud, region)
    other_realm = OCI_OTHER_REALM_REGIONS.get(region) if cloud == Cloud.OCI and found is None else None
    if other_realm is not None:
        raise refuse(
            country_path,
            "--region",
            f"{restricted_access_note(other_realm)}; this toolkit deploys to realms oc1 and oc19 only",
            "choose a region of oc1 or oc19 (allowed: "
            + (", ".join(r.name for r in in_country) or f"none in '{code}'")
            + ")",
        )
    if found is None or found.country != code:
        where = f"lies in '{found.country}'" if found else "is not in the catalogue"
        allowed = (
            ", ".join(r.name for r in in_country)
            or f"none: no {cloud} region in the catalogue lies in '{code}'"
        )
        raise refuse(
            country_path,
            "--region",
            f"'{region}' {where} (allowed: {allowed})",
            "choose an in-country region",
        )
    replica = key_vault_replica_of(region, code) if cloud == Cloud.AZURE else None
    if replica is not None and not replica.stays_in_country:
        # Validation refuses it too (keys_stay_in_country); said here, before anything is rendered.
        raise refuse(country_path, "--region", replica.refusal(), key_vault_fix(code))
    for path in (country_path, stack_path):
        if path.exists():
            raise refuse(
                path, "<file>", "already exists; new-country never overwrites", "edit it, or remove it first"
            )
    secondary = next((r for r in in_country if r.name != region and r.realm == found.realm), None)
    template = CountryTemplate(
        code=code,
        display_name=getattr(country, "common_name", None) or country.name,
        cloud=cloud,
        region=found,
        secondary=secondary,
        network_octet=_free_octet(config_dir),
        realm=found.realm or "oc1",
        as_of=parse_as_of(as_of),
        gpu_size=gpu_size_for(cloud, approved := _approved_models(config_dir, code)),
    )
    country_text = render_country_file(template)
    stack_text = render_stack_file(code, Environment.PROD, cloud, region)
    _check_renders_valid(config_dir, code, country_text, template.as_of)
    stacks_dir.mkdir(parents=True, exist_ok=True)
    country_path.write_text(country_text, encoding="utf-8")
    stack_path.write_text(stack_text, encoding="utf-8")
    for used in (found, secondary):
        note = restricted_access_note(used) if used else None
        if note:
            console.print(f"[yellow]restricted region[/yellow]: {note}")
    console.print(f"wrote {country_path} and {stack_path}", markup=False)
    if approved:
        console.print(
            f"GPU pool: {template.gpu_size}, which serves the models models.yaml approves for '{code}': "
            + ", ".join(m.id for m in approved),
            markup=False,
            soft_wrap=True,
        )
    console.print("Replace before the first deployment:", markup=False)
    for item in to_replace(template):
        console.print(f"  - {item}", markup=False, soft_wrap=True)
    console.print(f"What {template.display_name} cannot have on {cloud.value}:", markup=False)
    for item in what_the_country_cannot_have(template):
        console.print(f"  - {item}", markup=False, soft_wrap=True)
    console.print("next: edit the placeholders, then 'sovereign validate'", markup=False)


def _approved_models(config_dir: Path, code: str) -> list[ModelRecord]:
    """The register's models approved for ``code`` (none when the register is missing or invalid: validation of
    the rendered file reports that)."""
    from sovereign.config.loader import load_register

    register, _ = load_register(config_dir)
    return [m for m in register.models if code in m.approved_countries] if register else []


def _free_octet(config_dir: Path) -> int:
    used = set()
    for path in country_files(config_dir):
        text = path.read_text(encoding="utf-8", errors="replace")
        used.update(
            int(part.split(".")[1])
            for part in text.split()
            if part.startswith("10.") and part.count(".") == 3
        )
    return next(o for o in range(60, 250) if o not in used and o + 100 not in used)


def _check_renders_valid(config_dir: Path, code: str, text: str, as_of: dt.date | None = None) -> None:
    """Validate the rendered file beside the real defaults and register before writing anything."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for name in (DEFAULTS_FILE, MODELS_FILE):
            if (config_dir / name).exists():
                shutil.copy(config_dir / name, scratch / name)
        (scratch / f"{code}.yaml").write_text(text, encoding="utf-8")
        _, problems = validate_files([scratch / f"{code}.yaml"], config_dir=scratch, as_of=as_of)
        if problems:
            raise ConfigError(problems)


def schema(
    out: Annotated[Path, typer.Option("--out", help="Folder for the JSON Schema files.")] = Path("schema"),
    readme: Annotated[
        Path | None,
        typer.Option(
            "--readme",
            help="Also regenerate the config reference and supported-countries blocks of this README.",
        ),
    ] = None,
) -> None:
    """Write the JSON Schemas: country files and the model register (for editors), and the plan document."""
    from sovereign.config.json_schema import country_file_schema, models_file_schema
    from sovereign.config.reference import replace_reference_block

    out.mkdir(parents=True, exist_ok=True)
    from sovereign.plan.contract import PlanDocument

    for name, document in (
        ("country.schema.json", country_file_schema()),
        ("models.schema.json", models_file_schema()),
        ("plan.schema.json", {"title": "sovereign plan document", **PlanDocument.model_json_schema()}),
    ):
        (out / name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"wrote {out / name}")
    if readme is not None:
        from sovereign.config.supported_countries import replace_supported_block

        text = replace_supported_block(replace_reference_block(readme.read_text(encoding="utf-8")))
        readme.write_text(text, encoding="utf-8")
        console.print(f"updated the config reference and the supported countries in {readme}")
