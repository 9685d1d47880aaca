"""Every shipped stack planned once per session, its manifests, and the Kubernetes version it runs."""

from __future__ import annotations

from typing import Any

import pytest

from sovereign.config.loader import load_country
from sovereign.plan.manifests import Manifest, manifests_of
from sovereign.plan.stackfiles import default_stacks_dir, find_stacks
from tests.config.helpers import AS_OF, CONFIG_DIR

STACKS = find_stacks(default_stacks_dir())


@pytest.fixture(scope="session")
def stack_manifests(plans: dict[str, dict[str, Any]]) -> dict[str, list[Manifest]]:
    return {name: manifests_of(document) for name, document in plans.items()}


@pytest.fixture(scope="session")
def kubernetes_versions() -> dict[str, str]:
    """The country config's cluster.kubernetes_version of each stack (environment overrides applied)."""
    return {
        s.name: load_country(
            s.country, s.environment, config_dir=CONFIG_DIR, as_of=AS_OF
        ).cluster.kubernetes_version
        for s in STACKS
    }
