"""The OCI country model: the common country fields plus the ``oci`` section and OCI's own types.

What OCI always does is not a setting: keys live in a virtual private vault as AES-256 HSM keys, the cluster
has no internet egress (no NAT, no Network Firewall), pods use VCN-native networking from ``subnets.pods``, and
GPU pools scale between their bounds with OKE's cluster-autoscaler add-on (the system pool stays fixed). Pure
data; the rules that concern only OCI are in ``sovereign.clouds.oci.invariants``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

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
from sovereign.types import Cidr, Cloud, GiB, Sha256Digest

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
    ocid: str | None = Field(
        default=None,
        pattern=r"^ocid1\.group\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$",
        description="OCID of the existing IAM group ('ocid1.group.oc1..'). Required for admin and break-glass "
        "groups: OCI rejects a policy naming a group that does not exist and the stack creates no groups, so "
        "policies name them by OCID ('group id <ocid>').",
    )


class OciSubnets(SubnetsConfig):
    pods: Cidr = Field(description="Subnet for pods (VCN-native pod networking).")


class OciSystemPool(SystemPool):
    """The OKE system pool runs fixed at node_count_min nodes: Oracle advises keeping one node pool the cluster
    autoscaler does not manage ("Working with the Cluster Autoscaler as a Cluster Add-on")."""

    node_count_max: int = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        default=5,
        ge=1,
        le=100,
        description="OCI: validation only. The system pool runs fixed at node_count_min (Oracle advises one pool "
        "the cluster autoscaler does not manage), so this bound is checked but not used.",
    )

    ocpus: int = Field(
        default=DEFAULT_FLEX_OCPUS, ge=1, le=64, description="OCPUs per system node (flexible shapes)."
    )
    memory_gib: GiB = Field(default=DEFAULT_FLEX_MEMORY_GIB, description="Memory per system node, in GiB.")


class OciGpuPool(GpuPool):
    """An OKE GPU pool: created at node_count_min, then OKE's cluster-autoscaler add-on moves it between
    node_count_min and node_count_max (equal bounds: a fixed pool)."""

    node_count_min: int = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        default=0,
        ge=0,
        le=100,
        description="Lower bound of the pool: it is created with this many nodes and OKE's cluster-autoscaler "
        "add-on never scales below it (0 lets it scale to zero).",
    )
    # NVIDIA's NIM-on-OKE guide: "Set the boot volume size to at least 200 GB during node pool creation to avoid
    # disk pressure when pulling large NIM container images" (docs.nvidia.com/nim/large-language-models/latest/
    # deployment/csp-deployment/oracle.html); OCI boot volumes go up to 32,768 GB.
    boot_volume_gib: int = Field(
        default=500,
        ge=200,
        le=32768,
        description="Boot volume per GPU node, in GiB (200-32768). It holds the serving image and the "
        "model-weights image the kubelet pulls (tens to hundreds of GB unpacked); validation refuses a volume "
        "too small for the deployments' images. Omitted: 500.",
    )

    @property
    def node_disk(self) -> tuple[str, int]:
        return "boot_volume_gib", self.boot_volume_gib


class OciCluster(ClusterConfig[OciSystemPool, OciGpuPool]):
    gpu_pools: list[OciGpuPool] = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        min_length=1,
        description="GPU node pools serving the assistant and tenants; layered by 'name' (see Layering). OKE's "
        "cluster-autoscaler add-on scales each between node_count_min and node_count_max.",
    )


class OciNetwork(NetworkConfig[OciSubnets]):
    pass


class OciStore(Store):
    retention_lock_date: dt.date | None = Field(
        default=None,
        description="Audit-log stores only: the date the retention rule locks (after it, nobody can shorten "
        "retention). Omitted (recommended): 30 days after the validation date of the deployment that creates the "
        "rule. Used only when the rule is created (OCI refuses to change a locked rule); if set, between 14 and "
        "90 days after the validation date. Other stores: omitted.",
    )


class OciStorage(StorageConfig[OciStore]):
    pass


class OciNodeBootstrap(_Model):
    bucket: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,256}$")] = Field(
        description="Bucket in the primary region, created with the state bucket before the first `pulumi up` "
        "(README, OCI deployment), holding what nodes fetch at boot: Oracle's OCIR credential provider under "
        "'oke-credential-provider/<release>/<asset>'. Nodes read it through a read-only pre-authenticated "
        "request the stack creates."
    )
    credential_provider_sha256: Sha256Digest = Field(
        description="SHA-256 of the staged 'oke-credential-provider-for-ocir-linux-amd64' release asset (the "
        "release sovereign.catalogue.oke_credential_provider pins), checked on every node before the kubelet "
        "starts: a node with any other file never joins. amd64 only: the machine catalogue has no Arm shapes."
    )


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
    api_client_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="Private CIDRs of the deploying runners (in-network CI runners, the bastion) that may reach "
        "the cluster's private Kubernetes API on 6443; the program's Kubernetes provider connects from there. "
        "Required: at least one; private ranges (RFC 1918 or 100.64.0.0/10) only.",
    )
    node_bootstrap: OciNodeBootstrap = Field(
        description="How nodes get the kubelet credential provider that pulls the country's private OCIR images "
        "with the nodes' instance principal (no pull secrets, no personal auth tokens)."
    )
    tenancy_namespace: str = Field(
        pattern=r"^[a-z0-9]{4,32}$",
        description="Object Storage namespace of the tenancy; images are pulled from "
        "'<region key>.ocir.io/<namespace>/...'.",
    )


class OciCountry(_CountryBase[OciNetwork, OciCluster, OciStorage, OciGroup]):
    """An OCI (OKE) country-environment.

    Keys: always a virtual private vault with AES-256 HSM keys. Egress: none (no NAT gateway, no firewall).
    GPU pools: autoscaled between their bounds by OKE's cluster-autoscaler add-on.
    """

    cloud: Literal[Cloud.OCI] = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        description="Cloud that hosts the country: 'azure' (AKS) or 'oci' (OKE)."
    )
    oci: OciSettings = Field(
        description="OCI only: realm, tenancy, parent compartment, home region, namespace."
    )


COUNTRY = OciCountry
"""This cloud's member of the ``CountryConfig`` union (read by ``sovereign.clouds.country_models``)."""
