"""Synthetic countries: valid copies in their own regions, every catalogue country, prod and staging."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.synthetic import (
    SyntheticSet,
    build_synthetic,
    catalogue_countries,
    copy_country,
    interleave,
    take,
)
from sovereign.catalogue.regions import REGIONS
from sovereign.config.loader import load_country, load_register
from sovereign.plan.stackfiles import StackFile
from sovereign.types import Cloud
from tests.config.helpers import AS_OF, CONFIG_DIR


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SyntheticSet:
    # build_synthetic validates everything it writes with `sovereign validate`'s code and raises if invalid.
    return build_synthetic(CONFIG_DIR, tmp_path_factory.mktemp("bench") / "set", as_of=AS_OF)


def test_every_catalogue_country_in_prod_and_staging(synthetic: SyntheticSet) -> None:
    countries = catalogue_countries()
    assert {"ca", "ch", "se", "it", "es", "pl", "us", "nl"} <= set(countries)
    # Ireland's only catalogued region (Azure North Europe) copies Key Vault keys to West Europe (nl):
    # validation refuses it, so no synthetic country can be built there.
    assert "ie" not in countries
    stacks = synthetic.stacks()
    assert len(stacks) == len({s.name for s in stacks}) == 2 * len(countries)
    assert {(s.country, s.environment) for s in stacks} == {
        (c, e) for c in countries for e in ("prod", "staging")
    }
    shipped = {p.stem for p in CONFIG_DIR.glob("[a-z][a-z].yaml")}
    assert set(synthetic.copies) == set(countries) - shipped
    assert set(synthetic.copies.values()) <= shipped


def test_copies_live_in_their_own_country(synthetic: SyntheticSet) -> None:
    register, problems = load_register(synthetic.config_dir)
    assert register is not None, problems
    approved = {m.id: set(m.approved_countries) for m in register.models}
    for code, template in synthetic.copies.items():
        config = load_country(code, "staging", config_dir=synthetic.config_dir, as_of=AS_OF)
        source = load_country(template, "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
        assert config.cloud == source.cloud
        for region in filter(None, (config.regions.primary, config.regions.secondary)):
            assert REGIONS[(config.cloud, region)].country == code
        assert config.registry.name == f"{code}sovereignregistry"
        assert all(g.name.startswith(f"{code}-") for g in config.access.admin_groups)
        assert config.assistant is not None and source.assistant is not None
        for deployment, original in zip(
            config.assistant.deployments, source.assistant.deployments, strict=True
        ):
            assert code in approved[deployment.model]
            assert deployment.locale == original.locale  # a locale is not a name prefix
            assert deployment.image.split("@")[1] == original.image.split("@")[1]  # same digest, own registry
            assert deployment.image.split("/")[0] != original.image.split("/")[0]


def test_geo_storage_kept_only_where_the_pair_is_in_country() -> None:
    from ruamel.yaml import YAML

    template = YAML(typ="safe", pure=True).load((CONFIG_DIR / "de.yaml").read_text(encoding="utf-8"))
    template["storage"]["stores"][0]["redundancy"] = "geo"
    canada = copy_country(copy.deepcopy(template), "de", "ca")  # Canada Central pairs with Canada East
    # Brazil South pairs with South Central US (Key Vault keeps Brazil South vaults in-region, storage does not).
    brazil = copy_country(copy.deepcopy(template), "de", "br")
    assert canada["regions"] == {"primary": "canadacentral", "secondary": "canadaeast"}
    assert canada["storage"]["stores"][0]["redundancy"] == "geo"
    assert brazil["regions"]["primary"] == "brazilsouth"
    assert brazil["storage"]["stores"][0]["redundancy"] == "zone"
    # West Europe (nl) copies Key Vault keys to North Europe (Ireland): no Azure copy of a country there.
    with pytest.raises(ValueError, match="no azure region of 'nl'"):
        copy_country(copy.deepcopy(template), "de", "nl")
    with pytest.raises(ValueError, match="no azure region of 'zz'"):
        copy_country(template, "de", "zz")


def _stack(name: str) -> StackFile:
    country, environment = name.split("-")
    return StackFile(name, country, environment, Path(f"Pulumi.{name}.yaml"))


def test_interleave_alternates_clouds_and_take_repeats() -> None:
    clouds = {"de": Cloud.AZURE, "gb": Cloud.AZURE, "no": Cloud.AZURE, "fr": Cloud.OCI, "jp": Cloud.OCI}
    stacks = [_stack(n) for n in ("no-prod", "de-staging", "de-prod", "fr-prod", "gb-prod", "jp-prod")]
    ordered = interleave(stacks, lambda s: clouds[s.country].value)
    assert [s.name for s in ordered] == ["de-prod", "fr-prod", "gb-prod", "jp-prod", "no-prod", "de-staging"]
    taken = take(ordered, 14)
    assert [s.name for s in taken[:6]] == [s.name for s in ordered]
    assert Counter(s.name for s in taken) == {
        "de-prod": 3,
        "fr-prod": 3,
        "gb-prod": 2,
        "jp-prod": 2,
        "no-prod": 2,
        "de-staging": 2,
    }
    with pytest.raises(ValueError, match="no stacks"):
        take([], 1)
