"""The Azure country model: the common country fields plus the ``azure`` section and Azure's own types.

Azure groups carry their Entra object id (required: role assignments take ids, not names), GPU pools may scale,
and the ``azure`` section holds what only AKS has: the overlay pod range, the egress firewall and the key
custody tier. Pure data; the cross-field rules that concern only Azure are in
``sovereign.clouds.azure.invariants``.
"""

from __future__ import annotations

from ipaddress import IPv4Address
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
    Uuid,
    _CountryBase,
    _Model,
)
from sovereign.types import Cidr, Cloud, EgressMode, KeyCustodyTier

__all__ = [
    "COUNTRY",
    "AzureCluster",
    "AzureCountry",
    "AzureEgress",
    "AzureGpuPool",
    "AzureGroup",
    "AzureKeyCustody",
    "AzureNetwork",
    "AzureSettings",
    "AzureStorage",
    "AzureStore",
    "AzureSubnets",
    "EgressDestination",
]


class AzureGroup(Group):
    object_id: Uuid = Field(description="The Entra ID group object id (role assignments name groups by id).")


class AzureGpuPool(GpuPool):
    enable_autoscaling: bool = Field(
        default=True,
        description="Scale between node_count_min and node_count_max. Off: fixed at node_count_max.",
    )
    # AKS: "We recommend a minimum disk size of 512 G if Ephemeral OS disks can't be used", and "You can't change
    # the OS disk size after cluster or node pool creation" (MicrosoftDocs/azure-aks-docs concepts-storage.md at
    # fb060ab); the pools use managed OS disks encrypted with the country's key. Premium SSD: P20 (512 GiB)
    # gives 150 MB/s, P30 (1024 GiB) 200 MB/s (same page's default-size table, where P30 is AKS's own default
    # for 64+ vCPUs). Pulling a weights image is bound by that throughput (containerd writes the layers, reads
    # them back and writes the snapshot: about 3 x 75 GB for the 70B FP8 image), so the default is P30: at most
    # about 19 minutes on a fresh node instead of 25. At most 2048 GiB (a 2 TiB OS disk): larger OS disks are
    # untested here.
    os_disk_gib: int = Field(
        default=1024,
        ge=128,
        le=2048,
        description="Managed OS disk per GPU node, in GiB (128-2048). It holds the serving image and the "
        "model-weights image the kubelet pulls; validation refuses a disk too small for the deployments' "
        "images. AKS cannot resize it: a new size takes a new pool. Omitted: 1024 (Premium SSD P30, 200 MB/s).",
    )

    @property
    def node_disk(self) -> tuple[str, int]:
        return "os_disk_gib", self.os_disk_gib


class AzureUserPool(SystemPool):
    """The CPU pool for workloads that are neither system add-ons nor GPU inference."""

    vm_size: str = Field(
        description="Machine size of the CPU user pool 'apps', from the catalogue (e.g. 'Standard_D8ds_v5'; a "
        "confidential size such as 'Standard_DC8as_v5' when the confidential tier is not 'none'). The chat front "
        "end and tenant workloads run here: the system pool is tainted CriticalAddonsOnly and GPU pools "
        "nvidia.com/gpu."
    )
    node_count_min: int = Field(default=2, ge=1, le=100, description="Fewest user nodes (default 2).")
    node_count_max: int = Field(default=6, ge=1, le=100, description="Most user nodes (default 6).")


class AzureCluster(ClusterConfig[SystemPool, AzureGpuPool]):
    user_pool: AzureUserPool = Field(
        description="The untainted CPU pool 'apps' where the chat front end and tenant workloads schedule."
    )


class AzureSubnets(SubnetsConfig):
    private_endpoints: Cidr = Field(
        description="Subnet for the private endpoints of the vault, storage accounts, registry and log workspace."
    )


class AzureNetwork(NetworkConfig[AzureSubnets]):
    pass


class AzureStore(Store):
    # Azure creates an account-level, version-level immutability policy only unlocked: "A policy can only be
    # created in a Disabled or Unlocked state ... Only a policy in an Unlocked state can transition to a Locked
    # state which cannot be reverted" (Storage REST API AccountImmutabilityPolicyProperties.state, api
    # 2023-05-01, as in pulumi-azure-native 3.29.0 storage.AccountImmutabilityPolicyPropertiesArgs). Locking is
    # therefore a second, deliberate deployment, and prod states which of the two it is in.
    lock_immutability: bool | None = Field(
        default=None,
        description="Audit-log stores only: lock the store's immutability policy (irreversible: afterwards the "
        "retention can only grow, and the account cannot be deleted before its blobs expire). Azure creates "
        "the policy unlocked, so a new store is deployed with false first, then set true and deploy again. "
        "Prod audit-log stores must state it (false: the lock is pending the store's first deployment; plan "
        "rule 'audit-store-immutability-locked' then reports it as pending). Omitted outside prod: false.",
    )


class AzureStorage(StorageConfig[AzureStore]):
    pass


class EgressDestination(_Model):
    fqdn: Annotated[str, StringConstraints(pattern=r"^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$")] = Field(
        description="Destination host name (a leading '*.' allows its subdomains)."
    )
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        default=[443], min_length=1, description="TCP ports allowed to the destination."
    )
    justification: str = Field(min_length=10, description="Why the cluster needs to reach this destination.")


class AzureEgress(_Model):
    mode: EgressMode = Field(
        default=EgressMode.NONE,
        description="'none': no outbound internet at all (private registry and in-region service endpoints "
        "only). 'allow_list': outbound only to 'allowed_destinations', all traffic routed to the country's "
        "egress firewall. Open egress cannot be expressed.",
    )
    firewall_ip: IPv4Address | None = Field(
        default=None,
        description="With 'allow_list' (required): private IP of the country's egress firewall, which enforces "
        "'allowed_destinations'. Omitted with mode 'none'.",
    )
    firewall_policy_id: str | None = Field(
        default=None,
        pattern=r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/"
        r"firewallPolicies/[^/]+$",
        description="With 'allow_list' (required): resource id of that firewall's Azure Firewall policy, in the "
        "stack's subscription. The stack writes 'allowed_destinations' into it as one rule collection group "
        "(application rules by host name), so the firewall enforces exactly this list. Omitted with mode 'none'.",
    )
    allowed_destinations: list[EgressDestination] = Field(
        default=[],
        description="Destinations reachable with mode 'allow_list' (written into the firewall policy as "
        "application rules); must be empty with mode 'none'.",
    )


class AzureKeyCustody(_Model):
    tier: Literal[KeyCustodyTier.KEY_VAULT_PREMIUM, KeyCustodyTier.MANAGED_HSM] = Field(
        default=KeyCustodyTier.KEY_VAULT_PREMIUM,
        description="'key_vault_premium' (default): RSA-HSM keys in Key Vault Premium (FIPS 140 HSMs). "
        "'managed_hsm' is refused for now: its keys exist only after the HSM's security-domain ceremony.",
    )
    key_size_bits: Literal[3072, 4096] = Field(
        default=3072, description="RSA-HSM key size (default 3072; 2048 is below current guidance)."
    )


class GpuDriverMirror(_Model):
    """Where the NVIDIA GPU Operator's driver container gets its OS packages on confidential GPU pools.

    AKS skips its own driver on confidential GPUs and the operator builds the signed driver on the node
    (learn.microsoft.com/azure/aks/use-confidential-gpus); that build installs OS packages, which a cluster
    without egress can fetch only from a mirror in the country (NVIDIA GPU Operator "Install in Air-Gapped
    Environments", local package repository: a ConfigMap of repository files, ``driver.repoConfig``).
    """

    apt_sources: list[
        Annotated[str, StringConstraints(pattern=r"^deb (\[[^\]]+\] )?https?://[^\s]+ [^\s]+( [^\s]+)+$")]
    ] = Field(
        min_length=1,
        description="APT repository lines of the in-country Ubuntu mirror for the driver container's release, "
        "e.g. 'deb [arch=amd64] https://ubuntu.mirror.example/ubuntu jammy main universe' (written into the "
        "driver container's sources list).",
    )
    cidrs: list[Cidr] = Field(
        min_length=1,
        description="Private address ranges of that mirror: the only place the driver pods may connect to "
        "besides DNS and the API server (HTTP and HTTPS).",
    )


class AzureSettings(_Model):
    pod_cidr: Cidr = Field(
        description="Overlay address range for pods (Azure CNI overlay); must not overlap the address space or "
        "service_cidr."
    )
    egress: AzureEgress = Field(
        default_factory=AzureEgress, description="Outbound posture of the cluster; none by default."
    )
    key_custody: AzureKeyCustody = Field(
        default_factory=AzureKeyCustody,
        description="Where the customer-managed keys live and how large they are. Omitted: Key Vault Premium, "
        "3072-bit RSA-HSM.",
    )
    defender: bool = Field(
        default=False,
        description="Microsoft Defender for Containers on the cluster: its sensor sends security events to the "
        "country's log workspace and to Microsoft Defender's service. That service is on the Internet "
        "(login.microsoftonline.com, *.ods.opinsights.azure.com, *.oms.opinsights.azure.com, "
        "*.cloud.defender.microsoft.com, HTTPS 443), so it needs egress 'allow_list' (the stack adds these "
        "destinations to the firewall policy itself); refused with egress 'none'. Omitted: off.",
    )
    gpu_driver_mirror: GpuDriverMirror | None = Field(
        default=None,
        description="Confidential GPU pools only (required there): the in-country package mirror the GPU "
        "Operator's driver container installs from. Omitted: no confidential GPU pool allowed.",
    )
    logs_platform_key_justification: str | None = Field(
        default=None,
        description="Explicit opt-out: a written reason (at least 40 characters) to encrypt the log workspace "
        "with platform keys, because customer keys for Log Analytics need a dedicated cluster with a "
        "100 GB/day commitment. Omitted (default): customer-managed key.",
    )


class AzureCountry(_CountryBase[AzureNetwork, AzureCluster, AzureStorage, AzureGroup]):
    """An Azure (AKS) country-environment."""

    cloud: Literal[Cloud.AZURE] = Field(  # pyright: ignore[reportIncompatibleVariableOverride]
        description="Cloud that hosts the country: 'azure' (AKS) or 'oci' (OKE)."
    )
    azure: AzureSettings = Field(description="Azure only: pod range, egress, key custody, log keys.")


COUNTRY = AzureCountry
"""This cloud's member of the ``CountryConfig`` union (read by ``sovereign.clouds.country_models``)."""
