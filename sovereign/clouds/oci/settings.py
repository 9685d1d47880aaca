"""The OCI country model: the common country fields plus the ``oci`` section and OCI's own types.

What OCI always does is not a setting: keys live in a virtual private vault as AES-256 HSM keys, the cluster
has no internet egress (no NAT, no Network Firewall), pods use VCN-native networking from ``subnets.pods``, and
OKE pools run at a fixed size. Pure data; the rules that concern only OCI are in
``sovereign.clouds.oci.invariants``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from sovereign.config.base import (
    ClusterConfig,
    GpuPool,
    Group,
    NetworkConfig,
    StorageConfig,
    Store,
    SubnetsConfig,
    SystemPool,
    _CountryBase,
    _Model,
)
from sovereign.types import Cidr, Cloud, GiB

__all__ = [
    "COUNTRY",
    "DEFAULT_FLEX_MEMORY_GIB",
    "DEFAULT_FLEX_OCPUS",
    "OciCluster",
    "OciCountry",
    "OciGpuPool",
    "OciGroup",
    "OciNetwork",
    "OciSettings",
    "OciStorage",
    "OciStore",
    "OciSubnets",
    "OciSystemPool",
]

DEFAULT_FLEX_OCPUS = 4
DEFAULT_FLEX_MEMORY_GIB = 64


class OciGroup(Group):
    """An OCI IAM group, named in policy statements (letters, digits, '.', '_', '-'; 'Domain/Group')."""

    name: str = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        min_length=3,
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?$",
        description="Group name as policy statements name it: 'Group' or 'Domain/Group'.",
    )


class OciSubnets(SubnetsConfig):
    pods: Cidr = Field(description="Subnet for pods (VCN-native pod networking).")


class OciSystemPool(SystemPool):
    """The OKE system pool runs fixed at node_count_min nodes (no cluster-autoscaler add-on yet)."""

    node_count_max: int = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        default=5,
        ge=1,
        le=100,
        description="OCI: validation only for now. The system pool runs fixed at node_count_min until the "
        "cluster-autoscaler add-on exists; this is the upper bound it will scale to.",
    )

    ocpus: int = Field(
        default=DEFAULT_FLEX_OCPUS, ge=1, le=64, description="OCPUs per system node (flexible shapes)."
    )
    memory_gib: GiB = Field(default=DEFAULT_FLEX_MEMORY_GIB, description="Memory per system node, in GiB.")


class OciGpuPool(GpuPool):
    """An OKE GPU pool. OKE pools run fixed at node_count_max (there is no cluster-autoscaler add-on yet), so
    node_count_min only bounds what capacity checks assume."""

    node_count_min: int = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        default=0,
        ge=0,
        le=100,
        description="OCI: validation only for now. OKE pools run fixed at node_count_max until the "
        "cluster-autoscaler add-on exists; this is the lower bound it will scale to.",
    )


class OciCluster(ClusterConfig[OciSystemPool, OciGpuPool]):
    gpu_pools: list[OciGpuPool] = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        min_length=1,
        description="GPU node pools serving the assistant and tenants; layered by 'name' (see Layering). OKE "
        "pools run fixed at node_count_max until a cluster-autoscaler add-on exists (no enable_autoscaling).",
    )


class OciNetwork(NetworkConfig[OciSubnets]):
    pass


class OciStore(Store):
    retention_lock_date: dt.date | None = Field(
        default=None,
        description="Audit-log stores (required): the date the retention rule locks (at least 14 days after the "
        "rule is first created; after it, nobody can shorten retention). Other stores: omitted.",
    )


class OciStorage(StorageConfig[OciStore]):
    pass


class OciSettings(_Model):
    realm: Literal["oc1", "oc19"] = Field(
        default="oc1",
        description="OCI realm of the tenancy: 'oc1' commercial, 'oc19' EU Sovereign Cloud. Every region must "
        "belong to it.",
    )
    tenancy_id: str = Field(
        pattern=r"^ocid1\.tenancy\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$",
        description="OCID of the tenancy (quota fences and dynamic groups are tenancy-level).",
    )
    parent_compartment_id: str | None = Field(
        default=None,
        pattern=r"^ocid1\.compartment\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$",
        description="OCID of the compartment under which the country's compartment is created. Omitted: the "
        "tenancy root.",
    )
    parent_compartment_path: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$",
        description="Colon path of that parent compartment as quota statements name it ('platform:ai'). "
        "Required with parent_compartment_id.",
    )
    home_region: str | None = Field(
        default=None,
        description="The tenancy's home region, where OCI writes IAM policies and quotas. Omitted: the primary "
        "region. It holds identity data, so it must lie in the country too.",
    )
    tenancy_namespace: str = Field(
        pattern=r"^[a-z0-9]{4,32}$",
        description="Object Storage namespace of the tenancy; images are pulled from "
        "'<region key>.ocir.io/<namespace>/...'.",
    )


class OciCountry(_CountryBase[OciNetwork, OciCluster, OciStorage, OciGroup]):
    """An OCI (OKE) country-environment.

    Keys: always a virtual private vault with AES-256 HSM keys. Egress: none (no NAT gateway, no firewall).
    GPU pools: fixed at node_count_max.
    """

    cloud: Literal[Cloud.OCI] = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        description="Cloud that hosts the country: 'azure' (AKS) or 'oci' (OKE)."
    )
    oci: OciSettings = Field(
        description="OCI only: realm, tenancy, parent compartment, home region, namespace."
    )


COUNTRY = OciCountry
"""This cloud's member of the ``CountryConfig`` union (read by ``sovereign.clouds.country_models``)."""
