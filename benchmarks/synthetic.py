"""Synthetic countries for the scale benchmark: honest copies of the shipped ones, valid under every check.

A country's code is its file name, must be an ISO 3166-1 code, and every region it uses must lie in that
country; environments are only ``prod`` and ``staging``. So the most distinct stacks one config folder can
hold are (countries with a catalogued region) x 2: 19 x 2 = 38 with today's catalogue. This module builds
that folder in a temporary directory:

- the ten shipped countries under their own codes, unchanged except that each gets a ``staging``
  environment (``{}``: the prod settings) when it has none;
- every other country of the region catalogue as a copy of a shipped country of a cloud it has regions in
  (clouds balanced, templates taken in turn), moved to its own regions (most zones first, OCI realm oc1),
  with the registry, namespace and OCIR host renamed, and geo-redundant stores set to ``zone`` where the new
  region's pair is abroad; the models it deploys list it in ``models.yaml``;
- one stack file ``Pulumi.<cc>-<env>.yaml`` per country-environment.

Everything written is checked with ``sovereign validate``'s own code before it is used. Past 38 stacks a
benchmark plans some stacks a second time (:func:`take`): every plan runs in its own fresh worker process,
so a repeat costs what a new country costs. Non-goals: no new regions, no change to the catalogue.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sovereign.catalogue.regions import REGIONS, Region
from sovereign.config.errors import ConfigError
from sovereign.config.loader import DEFAULTS_FILE, MODELS_FILE, country_files, validate_files
from sovereign.plan.stackfiles import PROJECT, StackFile, find_stacks
from sovereign.rules.residency import key_vault_replica_of
from sovereign.types import Cloud

__all__ = ["SyntheticSet", "build_synthetic", "catalogue_countries", "interleave", "take"]

ENVIRONMENTS = ("prod", "staging")
_LOCALE = re.compile(r"[a-z]{2,3}-[A-Z]{2}")


@dataclass(frozen=True)
class SyntheticSet:
    config_dir: Path
    stacks_dir: Path
    copies: dict[str, str] = field(default_factory=dict)
    """New country code -> the shipped country it copies."""

    def stacks(self) -> list[StackFile]:
        """Every stack of the set, clouds interleaved so that any prefix mixes Azure and OCI alike."""
        return interleave(find_stacks(self.stacks_dir), self.cloud_of)

    def cloud_of(self, stack: StackFile) -> str:
        return _read(self.config_dir / f"{stack.country}.yaml")["cloud"]


def catalogue_countries() -> dict[str, list[Cloud]]:
    """Country code -> the clouds that have a catalogued region there (oc1 only for OCI)."""
    found: dict[str, list[Cloud]] = {}
    for region in REGIONS.values():
        if (region.cloud == Cloud.OCI and region.realm != "oc1") or not _keeps_keys_in_country(region):
            continue
        clouds = found.setdefault(region.country, [])
        if region.cloud not in clouds:
            clouds.append(region.cloud)
    return {code: sorted(clouds) for code, clouds in sorted(found.items())}


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096  # no folded image references
    # Keep the file's key order (the safe dumper sorts keys unless told not to).
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    return yaml


def _read(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def _write(path: Path, data: Any, header: str) -> None:
    import io

    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    path.write_text(header + buffer.getvalue(), encoding="utf-8")


def _keeps_keys_in_country(region: Region) -> bool:
    """Azure: the region's Key Vault copy stays in the country (validation refuses a primary region that copies
    the country's keys abroad, sovereign/rules/residency.py); every OCI region qualifies."""
    if region.cloud != Cloud.AZURE:
        return True
    replica = key_vault_replica_of(region.name, region.country)
    return replica is not None and replica.stays_in_country


def _regions_of(cloud: Cloud, code: str) -> list[Region]:
    regions = [
        r
        for r in REGIONS.values()
        if r.cloud == cloud
        and r.country == code
        and (cloud == Cloud.AZURE or r.realm == "oc1")
        and _keeps_keys_in_country(r)
    ]
    # Most zones first (zone-redundant storage needs them); catalogue order breaks ties.
    return sorted(regions, key=lambda r: -r.availability_zones)


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    return fn(value) if isinstance(value, str) else value


def copy_country(template: dict[str, Any], template_code: str, code: str) -> dict[str, Any]:
    """The template country moved to ``code``: its own regions, registry names and OCIR host."""
    import pycountry

    cloud = Cloud(template["cloud"])
    regions = _regions_of(cloud, code)
    if not regions:
        raise ValueError(f"no {cloud} region of '{code}' in the catalogue")
    old = template["regions"]
    primary, secondary = regions[0], (regions[1] if len(regions) > 1 else None)
    renamed_regions = {old["primary"]: primary.name}
    if old.get("secondary"):
        renamed_regions[old["secondary"]] = (secondary or primary).name
    old_region = REGIONS[(cloud, old["primary"])]
    substitutions = [
        (f"{template_code}sovereign", f"{code}sovereign"),
        (f".{template_code}.gov.", f".{code}.gov."),
    ]
    if cloud == Cloud.OCI:
        assert old_region.key and primary.key
        substitutions.append((f"{old_region.key.lower()}.ocir.io/", f"{primary.key.lower()}.ocir.io/"))

    def rename(text: str) -> str:
        if text in renamed_regions:
            return renamed_regions[text]
        # Resource-name prefixes ('de-platform-admins'), never locales ('de-DE') or languages.
        if text.startswith(f"{template_code}-") and not _LOCALE.fullmatch(text):
            text = f"{code}-" + text.removeprefix(f"{template_code}-")
        for before, after in substitutions:
            text = text.replace(before, after)
        return text

    data = _map_strings(template, rename)
    country = pycountry.countries.get(alpha_2=code.upper())
    data["display_name"] = f"{country.name if country else code} (synthetic copy of {template_code})"
    data["regions"] = {"primary": primary.name} | ({"secondary": secondary.name} if secondary else {})
    chat = (data.get("assistant") or {}).get("chat") or {}
    if "identity_provider_country" in chat:  # the copy's provider runs in the copy's country
        chat["identity_provider_country"] = code
    if cloud == Cloud.OCI:
        data["oci"]["realm"] = primary.realm
        if "home_region" in data["oci"]:
            data["oci"]["home_region"] = primary.name
    deployment = data.get("deployment") or {}  # the copy's state and stack key in the copy's country
    backend, secrets = deployment.get("state_backend") or {}, deployment.get("secrets_provider") or {}
    if "url" in backend:  # an OCI endpoint names its region and realm domain (sovereign.config.deployment)
        backend["url"] = backend["url"].replace(f".{old['primary']}.", f".{primary.name}.")
        backend["url"] = backend["url"].replace(f"={old['primary']}", f"={primary.name}")
        if cloud == Cloud.OCI and old_region.realm and primary.realm:
            from sovereign.catalogue.regions import OCI_REALMS

            backend["url"] = backend["url"].replace(OCI_REALMS[old_region.realm], OCI_REALMS[primary.realm])
    if "country" in secrets:
        secrets["country"] = code
    if "passphrase_secret" in secrets:  # the OCI Vault secret's OCID names its realm and region
        realm, region = primary.realm or "oc1", primary.name
        secrets["passphrase_secret"] = f"ocid1.vaultsecret.{realm}.{region}.amaaaaaa{code}passphrasecopy"
    pair = REGIONS.get((cloud, primary.geo_pair)) if primary.geo_pair else None
    geo_allowed = cloud == Cloud.AZURE and pair is not None and pair.country == code
    for store in _stores(data):
        if store.get("redundancy") in ("geo", "geo_zone") and not geo_allowed:
            store["redundancy"] = "zone"  # geo would leave the country here: the check would refuse it
    return data


def _stores(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield from (data.get("storage") or {}).get("stores") or []
    for override in (data.get("environments") or {}).values():
        yield from ((override or {}).get("storage") or {}).get("stores") or []


def _models_of(data: dict[str, Any]) -> set[str]:
    layers = [data, *((data.get("environments") or {}).values())]
    deployments = [
        d for layer in layers for d in ((layer or {}).get("assistant") or {}).get("deployments", [])
    ]
    # An environment override names only what differs (deployments merge by name): it may carry no model.
    return {d["model"] for d in deployments if "model" in d}


def _assign(shipped: dict[str, str], countries: dict[str, list[Cloud]]) -> dict[str, str]:
    """New code -> template code: the cloud with fewer countries so far, its shipped countries in turn."""
    per_cloud = Counter(shipped.values())
    templates = {cloud: sorted(c for c, k in shipped.items() if k == cloud) for cloud in per_cloud}
    used: Counter[str] = Counter()
    chosen: dict[str, str] = {}
    for code, clouds in countries.items():
        if code in shipped:
            continue
        usable = [c.value for c in clouds if c.value in templates]
        if not usable:
            continue
        cloud = min(usable, key=lambda c: (per_cloud[c], c))
        per_cloud[cloud] += 1
        chosen[code] = templates[cloud][used[cloud] % len(templates[cloud])]
        used[cloud] += 1
    return chosen


def build_synthetic(source_config: Path, dest: Path, *, as_of: dt.date) -> SyntheticSet:
    """Write the config and stacks folders into ``dest`` (which must not exist) and validate them."""
    config_dir, stacks_dir = dest / "country_configs", dest / "stacks"
    config_dir.mkdir(parents=True)
    stacks_dir.mkdir()
    shutil.copy(source_config / DEFAULTS_FILE, config_dir / DEFAULTS_FILE)
    shipped_data = {p.stem: _read(p) for p in country_files(source_config)}
    shipped = {code: data["cloud"] for code, data in shipped_data.items()}
    copies = _assign(shipped, catalogue_countries())
    register = _read(source_config / MODELS_FILE)
    approvals = {m["id"]: m["approved_countries"] for m in register["models"]}

    countries = dict(shipped_data)
    for code, template_code in copies.items():
        countries[code] = copy_country(shipped_data[template_code], template_code, code)
        for model in _models_of(countries[code]):
            approvals[model].append(code)
    for code, data in countries.items():
        data.setdefault("environments", {})
        for env in ENVIRONMENTS:
            if data["environments"].get(env) is None:
                data["environments"][env] = {}
        header = f"# Benchmark country ({'copy of ' + copies[code] if code in copies else 'shipped'}).\n"
        _write(config_dir / f"{code}.yaml", data, header)
        for env in ENVIRONMENTS:
            stack = {
                "config": {
                    f"{PROJECT}:country": code,
                    f"{PROJECT}:environment": env,
                    "pulumi:disable-default-providers": ["*"],
                }
            }
            _write(stacks_dir / f"Pulumi.{code}-{env}.yaml", stack, f"# Benchmark stack {code}-{env}.\n")
    _write(config_dir / MODELS_FILE, register, "# Benchmark model register.\n")

    _, problems = validate_files(config_dir=config_dir, as_of=as_of)
    if problems:
        raise ConfigError(problems)
    return SyntheticSet(config_dir, stacks_dir, copies)


def interleave(stacks: list[StackFile], cloud_of: Callable[[StackFile], str]) -> list[StackFile]:
    """Round-robin over the clouds (each cloud's stacks in name order, prod before staging)."""
    by_cloud: dict[str, list[StackFile]] = {}
    for stack in sorted(stacks, key=lambda s: (s.environment != "prod", s.name)):
        by_cloud.setdefault(cloud_of(stack), []).append(stack)
    queues = [by_cloud[c] for c in sorted(by_cloud)]
    ordered: list[StackFile] = []
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def take(stacks: list[StackFile], count: int) -> list[StackFile]:
    """The first ``count`` stacks, starting over from the first when ``count`` exceeds the distinct ones."""
    if not stacks:
        raise ValueError("no stacks")
    return [stacks[i % len(stacks)] for i in range(count)]
