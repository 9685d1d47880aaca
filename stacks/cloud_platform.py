"""What a cloud platform hands to the rest of the stack (the assistant and the exports)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from sovereign.config.schema import CountryConfig

__all__ = ["Platform", "freeform_tags", "protect_stateful", "resource_prefix"]


@dataclass(frozen=True)
class Platform:
    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Secret kubeconfig of the private cluster."""
    registry_prefix: str
    key_ids: Mapping[str, pulumi.Input[str]]
    storage_class_key_id: pulumi.Input[str]
    """Disk encryption set id (Azure) or Vault key OCID (OCI) for the encrypted Kubernetes storage class."""
    cluster_ready: list[pulumi.Resource] = field(default_factory=list)
    """Resources the Kubernetes objects wait for (the cluster and its node pools)."""
    oidc_issuer_url: pulumi.Output[str] | None = None
    break_glass_rbac_groups: tuple[str, ...] = ()
    """Kubernetes RBAC Group subjects bound to cluster-admin (``components.kubernetes.break_glass``): the OCI
    break-glass group OCIDs. Empty on Azure, whose break-glass access is Azure RBAC (PIM)."""


def resource_prefix(config: CountryConfig) -> str:
    """Pulumi names start with the stack (``de-prod``): unique per stack, stable across renames of files."""
    return config.stack_name


def protect_stateful(config: CountryConfig) -> bool:
    """Stateful resources (vaults, keys, stores, registries, logs) are protected in prod stacks."""
    return config.environment.value == "prod"


def freeform_tags(config: CountryConfig) -> dict[str, str]:
    """The country's tags, applied to every taggable resource."""
    return {
        "owner": config.tags.owner,
        "cost-centre": config.tags.cost_centre,
        "data-classification": config.tags.data_classification,
        "country": config.country,
        "environment": config.environment.value,
        "managed-by": "sovereign-ai",
    }
