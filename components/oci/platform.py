"""The whole OCI platform of one country: the L3 component the stack program builds.

Composes the L2 components in dependency order and hands each its siblings as objects, never as lists of ids:
``SovereignNetwork`` (the country compartment and its VCN) -> ``KeyCustody`` (takes the network) ->
``VaultReplica`` (the keys' copy in the in-country secondary region, when there is one) ->
``NodeBootstrap`` (the URL nodes fetch the OCIR credential provider from) -> ``SovereignCluster`` (takes the
network, the keys and that URL) -> ``EncryptedStorage`` and ``ContainerRegistry`` (take
the network and the keys) -> ``RegionFences`` (takes the network) -> ``AuditLogging`` (takes the network and the
storage, whose audit store receives the audit trail). The caller passes typed specs, built from the country
config by ``stacks/``, the in-country provider in ``opts`` and a home-region provider for every IAM write
(compartment, dynamic groups, policies, quota): OCI accepts IAM writes only in the tenancy's home region. The
stack always passes one, its region checked against the tenancy's region subscriptions.

URNs: before this component existed the L2 components were children of the stack. Each keeps its name and is
aliased to its old parent (the root stack), and the engine derives every grandchild's old URN from that, so no
cloud resource is replaced by the move (``tests/plan/test_nothing_replaced.py``).
Non-goals: the Kubernetes layer (``components.kubernetes``), providers (built by ``stacks/``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pulumi

from components.oci.audit_logging import AuditLogging, AuditLoggingArgs
from components.oci.cluster import SovereignCluster, SovereignClusterArgs
from components.oci.key_custody import KeyCustody, KeyCustodyArgs
from components.oci.key_replica import VaultReplica, VaultReplicaArgs
from components.oci.network import SovereignNetwork, SovereignNetworkArgs
from components.oci.node_bootstrap import NodeBootstrap, NodeBootstrapArgs
from components.oci.node_pool import NodePoolSpec, RegistryCredentials
from components.oci.region_fences import RegionFences, RegionFencesArgs
from components.oci.regions import registry_host
from components.oci.registry import ContainerRegistry, ContainerRegistryArgs
from components.oci.storage import BucketSpec, EncryptedStorage, EncryptedStorageArgs
from sovereign.types import StorePurpose

__all__ = ["OciPlatform", "OciPlatformArgs"]

_WAS_AT_ROOT = [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]
"""The L2 components were children of the stack before this component: keep their URNs (and their children's)."""


@dataclass(frozen=True)
class NodeBootstrapSpec:
    bucket: str
    """The node-bootstrap bucket in the primary region, holding the staged credential provider."""
    credential_provider_sha256: str
    """'sha256:<hex>' every node checks the binary against."""
    as_of: dt.date
    """Validation date (the pre-authenticated request's expiry derives from it)."""


@dataclass(frozen=True)
class OciPlatformArgs:
    tenancy_id: str
    """Tenancy OCID: dynamic groups, quotas and the admin policy live in its root compartment."""
    tenancy_namespace: str
    """Object Storage namespace of the tenancy (buckets, registry paths)."""
    region: str
    """The platform's region identifier, such as 'eu-paris-1'."""
    network: SovereignNetworkArgs
    """The country compartment, VCN and subnets."""
    kubernetes_version: str
    """OKE release, such as 'v1.34.1'."""
    node_pools: Sequence[NodePoolSpec]
    """The system pool and the GPU pools."""
    services_cidr: str
    """Cluster-internal range of Kubernetes services."""
    key_rotation_days: int
    """Automatic rotation of the AES keys."""
    stores: Sequence[BucketSpec]
    """One bucket per configured store."""
    repositories: Sequence[str]
    """Registry repositories the cluster pulls from (paths under the registry name)."""
    compartment_path: str
    """The country compartment as quota statements name it ('parent:child')."""
    allowed_regions: Sequence[str]
    """The country's allowed regions: quotas are zero and admins powerless everywhere else."""
    admin_groups: Sequence[str]
    """The country's admin groups."""
    log_retention_days: int
    """Flow-log retention (OCI Logging: 30-day steps up to 180)."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region provider for every IAM write, the compartment included. Omitted: the inherited provider,
    right only when the stack's region is the home region (the stack always passes one)."""
    protect_stateful: bool = True
    """Protect stateful resources from `pulumi destroy` (prod)."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags, on every taggable resource."""
    node_bootstrap: NodeBootstrapSpec | None = None
    """Where nodes fetch the OCIR credential provider. Omitted: nodes cannot pull the private repositories
    (the plan's ``oke-registry-pulls`` rule fails)."""
    replica_region: str | None = None
    """The in-country secondary region the vault and its keys are replicated to (key disaster recovery:
    ``VaultReplica``). Omitted: no replica, key material stays in ``region``."""

    def __post_init__(self) -> None:
        audit = [s.name for s in self.stores if s.purpose == StorePurpose.AUDIT_LOGS]
        if len(audit) > 1:
            raise ValueError(f"stores: one audit_logs store receives the audit trail (got {audit})")


class OciPlatform(pulumi.ComponentResource):
    network: SovereignNetwork
    keys: KeyCustody
    cluster: SovereignCluster
    storage: EncryptedStorage
    registry: ContainerRegistry
    fences: RegionFences
    logs: AuditLogging

    def __init__(self, name: str, args: OciPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:oci:OciPlatform", name, None, opts)
        tags, protect, home = args.freeform_tags, args.protect_stateful, args.identity_provider

        def child() -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, aliases=_WAS_AT_ROOT)

        # The compartment is an IAM write too: through the home-region provider unless the caller chose one.
        network_args = args.network
        if home is not None and network_args.identity_provider is None:
            network_args = replace(network_args, identity_provider=home)
        self.network = SovereignNetwork(name, network_args, opts=child())
        self.keys = KeyCustody(
            f"{name}-keys",
            KeyCustodyArgs(
                network=self.network,
                tenancy_id=args.tenancy_id,
                region=args.region,
                rotation_interval_days=args.key_rotation_days,
                identity_provider=home,
                freeform_tags=tags,
                protect_stateful=protect,
            ),
            opts=child(),
        )
        self.key_replica: VaultReplica | None = None
        if args.replica_region is not None:
            self.key_replica = VaultReplica(
                f"{name}-key-replica",
                VaultReplicaArgs(
                    vault_id=self.keys.vault_id,
                    compartment_id=self.network.compartment_id,
                    region=args.region,
                    replica_region=args.replica_region,
                    identity_provider=home,
                    freeform_tags=tags,
                    protect_stateful=protect,
                ),
                opts=pulumi.ResourceOptions(parent=self),  # new: no URN from before to keep
            )
        self.bootstrap: NodeBootstrap | None = None
        credentials = None
        if args.node_bootstrap is not None:
            self.bootstrap = NodeBootstrap(
                f"{name}-bootstrap",
                NodeBootstrapArgs(
                    region=args.region,
                    namespace=args.tenancy_namespace,
                    bucket=args.node_bootstrap.bucket,
                    as_of=args.node_bootstrap.as_of,
                ),
                opts=pulumi.ResourceOptions(parent=self),  # new: no URN from before to keep
            )
            credentials = RegistryCredentials(
                url=self.bootstrap.credential_provider_url,
                sha256=args.node_bootstrap.credential_provider_sha256,
                registry_host=registry_host(args.region),
            )
        self.cluster = SovereignCluster(
            name,
            SovereignClusterArgs(
                network=self.network,
                keys=self.keys,
                tenancy_id=args.tenancy_id,
                region=args.region,
                kubernetes_version=args.kubernetes_version,
                node_pools=args.node_pools,
                services_cidr=args.services_cidr,
                freeform_tags=tags,
                protect_stateful=protect,
                identity_provider=home,
                registry_credentials=credentials,
            ),
            opts=child(),
        )
        self.storage = EncryptedStorage(
            f"{name}-storage",
            EncryptedStorageArgs(
                network=self.network,
                keys=self.keys,
                region=args.region,
                namespace=args.tenancy_namespace,
                stores=args.stores,
                freeform_tags=tags,
                protect_stateful=protect,
            ),
            opts=child(),
        )
        self.registry = ContainerRegistry(
            f"{name}-registry",
            ContainerRegistryArgs(
                network=self.network,
                keys=self.keys,
                region=args.region,
                repositories=args.repositories,
                namespace=args.tenancy_namespace,
                identity_provider=home,
                freeform_tags=tags,
                protect_stateful=protect,
            ),
            opts=child(),
        )
        self.fences = RegionFences(
            f"{name}-fences",
            RegionFencesArgs(
                tenancy_id=args.tenancy_id,
                network=self.network,
                compartment_path=args.compartment_path,
                region=args.region,
                allowed_regions=args.allowed_regions,
                admin_groups=args.admin_groups,
                identity_provider=home,
                freeform_tags=tags,
            ),
            opts=child(),
        )
        audit = next((s.name for s in args.stores if s.purpose == StorePurpose.AUDIT_LOGS), None)
        self.logs = AuditLogging(
            f"{name}-logs",
            AuditLoggingArgs(
                network=self.network,
                region=args.region,
                retention_days=args.log_retention_days,
                storage=self.storage if audit else None,
                audit_store=audit,
                identity_provider=home,
                freeform_tags=tags,
                protect_stateful=protect,
            ),
            opts=child(),
        )
        self.register_outputs(
            {
                "cluster_id": self.cluster.cluster_id,
                "vault_id": self.keys.vault_id,
                "bucket_names": self.storage.bucket_names,
            }
        )
