"""The stack program: one country-environment's whole platform, for ``pulumi up`` and ``sovereign plan`` alike.

Loads and validates the stack's country (a clean ``RunError`` on invalid input), picks the cloud's platform
module once, builds the cloud platform, then the assistant on its cluster, and exports what a platform team
needs. An Azure country never imports OCI modules and vice versa. Non-goals: resources of its own beyond
providers; knowledge of YAML.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pulumi

from sovereign.config.errors import ConfigError
from sovereign.config.loader import default_config_dir, load_country, load_register
from sovereign.contracts import REQUIRED_SECRETS
from sovereign.types import Cloud
from stacks.renames import keep_renamed_resources

__all__ = ["PLATFORM_MODULES", "REQUIRED_SECRETS", "sovereign_program"]

PLATFORM_MODULES = {Cloud.AZURE: "stacks.azure_platform", Cloud.OCI: "stacks.oci_platform"}
"""Cloud -> the module that maps its country config to its L3 platform (``build_platform(config, as_of)``)."""


def sovereign_program(as_of: dt.date | None = None, config_dir: Path | None = None) -> None:
    """Declare the stack. ``as_of`` is the validation date (today for real runs; fixed by offline plans)."""
    stack_config = pulumi.Config()
    try:
        config = load_country(
            stack_config.require("country"),
            stack_config.require("environment"),
            config_dir=config_dir or default_config_dir(),
            as_of=as_of,
        )
        register, problems = load_register(config_dir or default_config_dir())
        if register is None:
            raise ConfigError(problems)
    except ConfigError as exc:
        raise pulumi.RunError(f"stack {pulumi.get_stack()}: invalid country configuration:\n{exc}") from None
    check_renames = keep_renamed_resources(stack_config)  # before the first resource: see stacks/renames.py
    day = as_of or dt.date.today()
    platform = importlib.import_module(PLATFORM_MODULES[config.cloud]).build_platform(config, day)

    from stacks.assistant import build_assistant

    build_assistant(config, register, platform, as_of=day, stack_config=stack_config)
    check_renames()

    pulumi.export("cluster_id", platform.cluster_id)
    pulumi.export("kubeconfig", pulumi.Output.secret(platform.kubeconfig))
    pulumi.export("registry", platform.registry_prefix)
    pulumi.export("key_ids", platform.key_ids)
    if platform.oidc_issuer_url is not None:
        pulumi.export("oidc_issuer_url", platform.oidc_issuer_url)
