"""Every place a country's data or metadata goes, with its region and the control that keeps it in the country.

One list, derived from a validated config (and, for the stack's own state and secrets, from its stack file), read
by two callers: ``sovereign validate`` refuses a config with a path whose region lies outside the country, and
``sovereign report`` lists every path as evidence. A path is a :class:`DataPath`; each source of paths is a
function: the cloud-neutral ones are :func:`neutral_sources`, each cloud's are ``SOURCES`` of
``sovereign.clouds.<cloud>.data_paths``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sovereign.config.errors import PathParts, Violation
from sovereign.config.schema import CountryConfig

__all__ = ["DataPath", "PathSource", "data_paths", "data_stays_in_country", "neutral_sources"]


@dataclass(frozen=True)
class DataPath:
    name: str
    """What moves, in a few words: 'audit logs to the log workspace', 'model weights pulled by nodes'."""
    destination: str
    """Where it goes: the service and, where known, its name ('Log Analytics workspace <name>')."""
    region: str | None
    """The region the destination lies in; None only where the destination is not a cloud region (a
    self-hosted service on the country's network), in which case ``in_country`` must say why it is."""
    country: str | None
    """ISO 3166-1 alpha-2 (lower case) of the region or place it lies in; None: unknown (refused)."""
    control: str
    """What keeps it in that region: the setting, resource or plan rule (name it, e.g. 'rule
    no-cross-border-replication', 'azure.key_vault: Key Vault stays in the primary region')."""
    setting: PathParts = ()
    """The country-file setting that decides the destination (where validation points the user)."""
    fix: str = ""
    """How to keep it in the country when it leaves."""

    def leaves(self, country: str) -> bool:
        return self.country != country


PathSource = Callable[[CountryConfig], Iterable[DataPath]]


def neutral_sources() -> tuple[PathSource, ...]:
    """The cloud-neutral sources, in report order: what the assistant pulls, signs in and keeps
    (``sovereign.config.neutral_paths``), then the stack's own state and secrets key
    (``sovereign.config.deployment``)."""
    from sovereign.config.deployment import deployment_paths
    from sovereign.config.neutral_paths import NEUTRAL_SOURCES

    return (*NEUTRAL_SOURCES, deployment_paths)


def data_paths(config: CountryConfig) -> list[DataPath]:
    """Every data path of ``config``, neutral ones first, then its cloud's."""
    from sovereign.clouds import cloud_module

    try:
        cloud_sources: list[PathSource] = list(cloud_module(config.cloud, "data_paths").SOURCES)
    except ModuleNotFoundError:
        cloud_sources = []
    return [p for source in (*neutral_sources(), *cloud_sources) for p in source(config)]


def data_stays_in_country(config: CountryConfig, register: object, as_of: object) -> Iterator[Violation]:
    """Every data path of the config ends in the country (a destination whose country is unknown is refused: the
    toolkit cannot show that it stays)."""
    for path in data_paths(config):
        if not path.leaves(config.country):
            continue
        where = f"'{path.country}'" if path.country else "an undocumented country"
        yield Violation(
            path.setting,
            f"{path.name} goes to {path.destination}"
            + (f" in region '{path.region}'" if path.region else "")
            + f", which lies in {where}, outside '{config.country}' (kept in-country by: {path.control})",
            path.fix or "choose an in-country destination for it",
        )
