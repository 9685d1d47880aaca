"""The stack program: one country-environment's whole platform, for ``pulumi up`` and ``sovereign plan`` alike.

Reads the stack's country and environment from stack config, loads and validates the country file (a clean
``RunError`` on invalid input), builds the cloud provider once in the country's primary region, composes the
Azure or OCI platform, then the assistant on the cluster through a Kubernetes provider built from the
cluster's kubeconfig, and exports what a platform team needs. An Azure country never imports OCI modules and
vice versa. Non-goals: no resources of its own beyond providers; no knowledge of YAML.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pulumi

from sovereign.config.errors import ConfigError
from sovereign.config.loader import default_config_dir, load_country, load_register
from sovereign.types import Cloud
from stacks.renames import keep_renamed_resources

__all__ = ["REQUIRED_SECRETS", "sovereign_program"]

REQUIRED_SECRETS = ("chatOidcClientSecret", "chatSessionSecret")
"""Stack config secrets the program needs when a country has an assistant (``pulumi config set --secret``)."""


def sovereign_program(as_of: dt.date | None = None, config_dir: Path | None = None) -> None:
    """Declare the stack. ``as_of`` is the validation date (today for real runs; fixed by offline plans)."""
    stack_config = pulumi.Config()
    country_code = stack_config.require("country")
    environment = stack_config.require("environment")
    config_dir = config_dir or default_config_dir()
    try:
        config = load_country(country_code, environment, config_dir=config_dir, as_of=as_of)
        register, problems = load_register(config_dir)
        if register is None:
            raise ConfigError(problems)
    except ConfigError as exc:
        raise pulumi.RunError(f"stack {pulumi.get_stack()}: invalid country configuration:\n{exc}") from None
    check_renames = keep_renamed_resources(stack_config)  # before the first resource: see stacks/renames.py

    if config.cloud == Cloud.AZURE:
        from stacks.azure_platform import build_azure_platform

        platform = build_azure_platform(config)
    else:
        from stacks.oci_platform import build_oci_platform

        platform = build_oci_platform(config)

    from stacks.assistant import build_assistant

    build_assistant(config, register, platform, as_of=as_of or dt.date.today(), stack_config=stack_config)
    check_renames()

    pulumi.export("cluster_id", platform.cluster_id)
    pulumi.export("kubeconfig", pulumi.Output.secret(platform.kubeconfig))
    pulumi.export("registry", platform.registry_prefix)
    pulumi.export("key_ids", platform.key_ids)
    if platform.oidc_issuer_url is not None:
        pulumi.export("oidc_issuer_url", platform.oidc_issuer_url)
