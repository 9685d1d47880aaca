"""The whole Azure platform of one country: the L3 component the stack program builds.

Composes the L2 components in dependency order and hands each its siblings as objects, never as lists of ids:
``SovereignNetwork`` (and, with egress ``allow_list``, ``EgressAllowList``: the destinations as rules of the
hub firewall's policy) -> ``KeyCustody`` (takes the network) -> ``AuditLogging`` and ``SovereignRegistry`` (take
the network and the keys) -> one ``EncryptedStorage`` per store -> ``SovereignCluster`` (takes the network, the
keys, the logs and the registry) -> ``BreakGlassAccess`` (eligible roles on the cluster and the vault) ->
``SovereignPolicies`` (scoped to the network's resource group and the
cluster's node resource group). The caller passes typed specs, built from the country config by ``stacks/``,
and the in-country provider in ``opts``; the children inherit it.

URNs: before this component existed the L2 components were children of the stack. Each keeps its name and is
aliased to its old parent (the root stack), and the engine derives every grandchild's old URN from that, so no
cloud resource is replaced by the move (``tests/plan/test_nothing_replaced.py``).
Non-goals: the Kubernetes layer (``components.kubernetes``), providers (built by ``stacks/``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from components.azure.audit_logging import AuditLogging, AuditLoggingArgs
from components.azure.break_glass import BreakGlassAccess, BreakGlassAccessArgs
from components.azure.cluster import ClusterSpec, SovereignCluster, SovereignClusterArgs
from components.azure.custody_key import KeyLifetime
from components.azure.egress_allow_list import (
    AllowedDestination,
    EgressAllowList,
    EgressAllowListArgs,
    parse_firewall_policy_id,
    with_feature_destinations,
)
from components.azure.key_custody import KeyCustody, KeyCustodyArgs
from components.azure.network import SovereignNetwork, SovereignNetworkArgs
from components.azure.policy import SovereignPolicies, SovereignPoliciesArgs
from components.azure.registry import RegistryReplica, SovereignRegistry, SovereignRegistryArgs
from components.azure.storage import EncryptedStorage, EncryptedStorageArgs, StoreSpec
from sovereign.types import ConfidentialTier, EgressMode

__all__ = ["AzurePlatform", "AzurePlatformArgs", "NamedStore"]

_WAS_AT_ROOT = [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]
"""The L2 components were children of the stack before this component: keep their URNs (and their children's)."""


@dataclass(frozen=True)
class NamedStore:
    name: str
    """The store's name in the country file; names its component (``<platform>-store-<name>``)."""
    spec: StoreSpec
    naming_base: str | None = None
    """The store's component name before a rename (the stack's rename table): its Azure names stay. Omitted:
    the component's own name."""


@dataclass(frozen=True)
class AzurePlatformArgs:
    network: SovereignNetworkArgs
    """The virtual network, subnets, egress posture and region of the whole platform."""
    key_lifetime: KeyLifetime
    """Size, rotation and expiry of every customer-managed key."""
    cluster: ClusterSpec
    """The AKS cluster and its pools."""
    registry_name: str
    """Azure name of the container registry (globally unique)."""
    allowed_regions: Sequence[str]
    """The country's allowed regions: the residency policy's list and the only places a geo store may copy to."""
    stores: Sequence[NamedStore] = ()
    """One encrypted storage account per configured store."""
    registry_replicas: Sequence[RegistryReplica] = ()
    """Geo-replicas of the registry (the country's secondary region); each must be an allowed region."""
    break_glass_group_object_ids: Sequence[str] = ()
    """Entra groups eligible (PIM) for cluster admin and key recovery; not cluster admins by standing right.
    Omitted: no break-glass access (the stack always passes the country's groups)."""
    egress_firewall_policy_id: str | None = None
    """With egress 'allow_list': the hub firewall's policy, where the allowed destinations become rules."""
    egress_destinations: Sequence[AllowedDestination] = ()
    """With egress 'allow_list': the destinations the firewall lets through (and nothing else). The enabled
    cluster features' own destinations (Defender's) are added to them."""
    log_retention_days: int = 365
    """Interactive retention of the audit log workspace."""
    logs_platform_key_justification: str | None = None
    """Why Microsoft-managed keys are acceptable for the logs. Omitted: customer key (dedicated cluster)."""
    logs_cluster_key_granted: bool = False
    """Dedicated cluster: a previous deployment granted its identity on the logs key, so this one sets the key
    and links the workspace (AuditLoggingArgs.cluster_key_granted). Omitted: False, the first deployment."""
    protect_stateful: bool = True
    """Protect stateful resources from `pulumi destroy` (prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags, on every taggable resource."""

    @property
    def all_egress_destinations(self) -> tuple[AllowedDestination, ...]:
        """What the firewall policy lets through: the country's destinations and its enabled features'."""
        return with_feature_destinations(self.egress_destinations, defender=self.cluster.enable_defender)

    def __post_init__(self) -> None:
        allow_list = self.network.egress_mode is EgressMode.ALLOW_LIST
        if allow_list != (self.egress_firewall_policy_id is not None) or (
            not allow_list and self.egress_destinations
        ):
            raise ValueError(
                "egress_firewall_policy_id / egress_destinations: given exactly with egress 'allow_list' (got mode "
                f"{self.network.egress_mode.value!r}) - an allow-list is enforced in the firewall's policy"
            )
        if self.egress_firewall_policy_id is not None:
            parse_firewall_policy_id(self.egress_firewall_policy_id)
            if not self.all_egress_destinations:
                raise ValueError("egress_destinations: an allow-list needs at least one destination")
        if self.cluster.enable_defender and not allow_list:
            raise ValueError(
                "cluster.enable_defender: Microsoft Defender needs egress to its service (allowed: egress "
                f"'allow_list'; got {self.network.egress_mode.value!r}) - use an allow-list, whose firewall policy "
                "gets Defender's destinations, or leave Defender off"
            )
        outside = [r.region for r in self.registry_replicas if r.region not in self.allowed_regions]
        if outside:
            raise ValueError(
                f"registry_replicas: {outside} not among the allowed regions ({list(self.allowed_regions)}) - a "
                "replica holds every image and model weight; replicate only within the country"
            )
        standing = set(self.break_glass_group_object_ids) & set(self.cluster.admin_group_object_ids)
        if standing:
            raise ValueError(
                f"break_glass_group_object_ids: {sorted(standing)} are also cluster admin groups (allowed: "
                "break-glass groups only eligible, never standing admins) - remove them from "
                "cluster.admin_group_object_ids"
            )
        names = [s.name for s in self.stores]
        if len(set(names)) != len(names):
            raise ValueError(f"stores: names must be unique (got {names})")
        if self.network.location not in self.allowed_regions:
            raise ValueError(
                f"network.location {self.network.location!r} is not an allowed region "
                f"({list(self.allowed_regions)}): the residency policy would deny the platform itself"
            )


class AzurePlatform(pulumi.ComponentResource):
    network: SovereignNetwork
    keys: KeyCustody
    logs: AuditLogging
    registry: SovereignRegistry
    stores: dict[str, EncryptedStorage]
    cluster: SovereignCluster
    policies: SovereignPolicies

    def __init__(
        self, name: str, args: AzurePlatformArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:AzurePlatform", name, None, opts)
        protect, tags = args.protect_stateful, args.tags

        def child() -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, aliases=_WAS_AT_ROOT)

        self.network = SovereignNetwork(f"{name}-net", args.network, opts=child())
        self.egress: EgressAllowList | None = None
        if args.egress_firewall_policy_id is not None:
            self.egress = EgressAllowList(
                f"{name}-egress",
                EgressAllowListArgs(
                    firewall_policy_id=args.egress_firewall_policy_id,
                    source_cidrs=[args.network.address_space],
                    destinations=args.all_egress_destinations,
                    firewall_ip=args.network.egress_firewall_ip,
                    allowed_locations=tuple(args.allowed_regions),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.keys = KeyCustody(
            f"{name}-keys",
            KeyCustodyArgs(
                network=self.network, lifetime=args.key_lifetime, protect_stateful=protect, tags=tags
            ),
            opts=child(),
        )
        self.logs = AuditLogging(
            f"{name}-logs",
            AuditLoggingArgs(
                network=self.network,
                keys=self.keys,
                platform_key_justification=args.logs_platform_key_justification,
                cluster_key_granted=args.logs_cluster_key_granted,
                retention_days=args.log_retention_days,
                protect_stateful=protect,
                tags=tags,
            ),
            opts=child(),
        )
        self.registry = SovereignRegistry(
            f"{name}-acr",
            SovereignRegistryArgs(
                network=self.network,
                keys=self.keys,
                registry_name=args.registry_name,
                replicas=args.registry_replicas,
                protect_stateful=protect,
                tags=tags,
            ),
            opts=child(),
        )
        self.stores = {
            store.name: EncryptedStorage(
                f"{name}-store-{store.name}",
                EncryptedStorageArgs(
                    network=self.network,
                    keys=self.keys,
                    spec=store.spec,
                    allowed_regions=args.allowed_regions,
                    naming_base=store.naming_base,
                    protect_stateful=protect,
                    tags=tags,
                ),
                opts=child(),
            )
            for store in args.stores
        }
        self.cluster = SovereignCluster(
            f"{name}-aks",
            SovereignClusterArgs(
                network=self.network,
                keys=self.keys,
                logs=self.logs,
                registry=self.registry,
                spec=args.cluster,
                protect_stateful=protect,
                tags=tags,
            ),
            opts=child(),
        )
        self.break_glass: BreakGlassAccess | None = None
        if args.break_glass_group_object_ids:
            self.break_glass = BreakGlassAccess(
                f"{name}-break-glass",
                BreakGlassAccessArgs(
                    group_object_ids=args.break_glass_group_object_ids,
                    cluster_id=self.cluster.cluster_id,
                    vault_id=self.keys.vault_id,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        spec = args.cluster
        confidential = spec.confidential_tier
        confidential_skus = [spec.system_pool.vm_size] + (
            [p.vm_size for p in spec.gpu_pools] if confidential is ConfidentialTier.CONFIDENTIAL_GPU else []
        )
        self.policies = SovereignPolicies(
            f"{name}-policy",
            SovereignPoliciesArgs(
                scope=self.network.resource_group_id,
                allowed_locations=list(args.allowed_regions),
                confidential_tier=confidential,
                confidential_vm_skus=confidential_skus if confidential is not ConfidentialTier.NONE else (),
                confidential_scope=self.cluster.node_resource_group_id,
            ),
            opts=child(),
        )
        self.register_outputs(
            {
                "cluster_id": self.cluster.cluster_id,
                "registry_login_server": self.registry.login_server,
                "key_uris": {purpose.value: key.key_uri for purpose, key in self.keys.keys.items()},
            }
        )
