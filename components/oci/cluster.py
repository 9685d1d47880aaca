"""SovereignCluster: a private OKE enhanced cluster with customer-managed keys and signed images only.

Declares:

- an ``ENHANCED_CLUSTER`` whose Kubernetes API endpoint sits on the private API subnet with no public IP
  (nothing in the Args can give it one), in the API NSG;
- Kubernetes secrets in etcd encrypted with the country's key (``kms_key_id``);
- an image verification policy: only images from the in-country registry signed by the given Vault keys run
  (pods must reference images by digest);
- VCN-native pod networking (``OCI_VCN_IP_NATIVE``), internal load balancers on the load-balancer subnet;
- OIDC discovery for workload identity federation (it publishes only the discovery document and signing
  keys, never the API);
- one :class:`components.oci.node_pool.OkeNodePool` per configured pool, placed in the region's ADs;
- the cluster add-ons (:class:`components.oci.cluster_addons.ClusterAddons`): the Kubernetes Metrics Server,
  and the Cluster Autoscaler for the pools that autoscale (``NodePoolSpec.node_count_max``);
- a kubeconfig for the private endpoint, as a secret output.

The cluster is protected in prod stacks (etcd is state). It must be created after the key policy exists, or
OKE cannot use the key: pass the ``KeyCustody`` component in ``wait_for``.

Non-goals: the GPU operator (OKE's images bring the driver), Kubernetes-side storage classes, public endpoints,
virtual nodes.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_oci as oci

from components.oci.cluster_addons import AutoscaledPool, ClusterAddons, ClusterAddonsArgs
from components.oci.node_pool import (
    VCN_NATIVE_CNI,
    NodePoolSpec,
    OkeNodePool,
    OkeNodePoolArgs,
    RegistryCredentials,
)
from components.oci.regions import require_region

if TYPE_CHECKING:
    from components.oci.key_custody import KeyCustody
    from components.oci.network import SovereignNetwork

__all__ = ["SovereignCluster", "SovereignClusterArgs"]

_K8S_VERSION = re.compile(r"v1\.\d{2}\.\d+")


@dataclass(frozen=True)
class SovereignClusterArgs:
    network: SovereignNetwork
    """The platform network: compartment, VCN, the private subnets and NSGs of the API, workers, pods, LBs."""
    keys: KeyCustody
    """The country's keys: etcd secrets, boot volumes, image signing; the cluster waits for their policy."""
    tenancy_id: pulumi.Input[str]
    """Tenancy OCID, to list the region's availability domains."""
    region: str
    """Region identifier the provider deploys to; checked against the catalogue."""
    kubernetes_version: str
    """OKE Kubernetes version, such as 'v1.31.1'; node images are chosen for it."""
    node_pools: Sequence[NodePoolSpec]
    """At least one pool; names must be unique."""
    services_cidr: str = "10.96.0.0/16"
    """Cluster-internal CIDR for Kubernetes services (must not overlap the VCN)."""
    enable_oidc_discovery: bool = False
    """Publish the cluster's OIDC discovery document and signing keys (JWKS) at a public issuer endpoint, so that
    identity providers outside OCI can trust its service-account tokens. Off: nothing in the platform federates
    outside OCI (OKE workload identity, which the add-ons use, does not need it), and the endpoint is public
    ("If set to true, the cluster will be assigned a public OIDC Discovery endpoint", OCI API
    OpenIdConnectDiscovery.isOpenIdConnectDiscoveryEnabled, which defaults to false; OKE "Authorizing Pods to
    Access Non-OCI Resources Using OpenID Connect (OIDC) Discovery", contengOpenIDConnect-Discovery.htm)."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on the cluster, node pools, and the volumes and load balancers OKE creates."""
    protect_stateful: bool = True
    """Protect the cluster from deletion by Pulumi (the stack sets False for non-prod)."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region provider for the autoscaler add-on's policy. Omitted: the inherited provider."""
    registry_credentials: RegistryCredentials | None = None
    """How every node's kubelet authenticates to the country's private registry (see ``OkeNodePoolArgs``)."""

    def __post_init__(self) -> None:
        require_region(self.region)
        if not _K8S_VERSION.fullmatch(self.kubernetes_version):
            raise ValueError(
                f"kubernetes_version: got {self.kubernetes_version!r} (allowed: 'v1.<minor>.<patch>')"
            )
        if self.keys.image_signing_key_id is None:
            raise ValueError(
                "keys: the key custody has no image-signing key; the cluster runs only images signed by the "
                "country's key"
            )
        names = [pool.name for pool in self.node_pools]
        if not names or len(names) != len(set(names)):
            raise ValueError(f"node_pools: need at least one pool and unique names (got {names})")
        try:
            ipaddress.IPv4Network(self.services_cidr)
        except ValueError as exc:
            raise ValueError(f"services_cidr: {self.services_cidr!r} is not an IPv4 CIDR ({exc})") from None


class SovereignCluster(pulumi.ComponentResource):
    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Kubeconfig for the private endpoint; a secret."""
    node_pool_ids: dict[str, pulumi.Output[str]]
    availability_domains: pulumi.Output[list[str]]
    addons: ClusterAddons

    def __init__(
        self, name: str, args: SovereignClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:SovereignCluster", name, None, opts)
        tags = dict(args.freeform_tags)
        network, keys = args.network, args.keys
        cluster = oci.containerengine.Cluster(
            f"{name}-cluster",
            compartment_id=network.compartment_id,
            name=name,
            type="ENHANCED_CLUSTER",
            kubernetes_version=args.kubernetes_version,
            vcn_id=network.vcn_id,
            kms_key_id=keys.cluster_secrets_key_id,
            endpoint_config=oci.containerengine.ClusterEndpointConfigArgs(
                subnet_id=network.api_subnet_id, is_public_ip_enabled=False, nsg_ids=[network.api_nsg_id]
            ),
            cluster_pod_network_options=[
                oci.containerengine.ClusterClusterPodNetworkOptionArgs(cni_type=VCN_NATIVE_CNI)
            ],
            image_policy_config=oci.containerengine.ClusterImagePolicyConfigArgs(
                is_policy_enabled=True,
                key_details=[
                    oci.containerengine.ClusterImagePolicyConfigKeyDetailArgs(
                        kms_key_id=keys.image_signing_key_id
                    )
                ],
            ),
            options=oci.containerengine.ClusterOptionsArgs(
                service_lb_subnet_ids=[network.lb_subnet_id],
                kubernetes_network_config=oci.containerengine.ClusterOptionsKubernetesNetworkConfigArgs(
                    services_cidr=args.services_cidr
                ),
                open_id_connect_discovery=oci.containerengine.ClusterOptionsOpenIdConnectDiscoveryArgs(
                    is_open_id_connect_discovery_enabled=args.enable_oidc_discovery
                ),
                persistent_volume_config=oci.containerengine.ClusterOptionsPersistentVolumeConfigArgs(
                    freeform_tags=tags
                ),
                service_lb_config=oci.containerengine.ClusterOptionsServiceLbConfigArgs(freeform_tags=tags),
            ),
            freeform_tags=tags,
            opts=pulumi.ResourceOptions(
                # OKE checks key access at creation: wait for the key policy (part of the key custody).
                parent=self,
                protect=args.protect_stateful,
                depends_on=[keys],
            ),
        )
        ads = oci.identity.get_availability_domains_output(
            compartment_id=args.tenancy_id, opts=pulumi.InvokeOutputOptions(parent=self)
        ).apply(lambda result: [ad.name for ad in result.availability_domains])
        pools = {
            spec.name: OkeNodePool(
                f"{name}-{spec.name}",
                OkeNodePoolArgs(
                    cluster_id=cluster.id,
                    compartment_id=network.compartment_id,
                    kubernetes_version=args.kubernetes_version,
                    spec=spec,
                    availability_domains=ads,
                    worker_subnet_id=network.worker_subnet_id,
                    pod_subnet_id=network.pod_subnet_id,
                    worker_nsg_id=network.worker_nsg_id,
                    pod_nsg_id=network.pod_nsg_id,
                    volume_key_id=keys.volume_key_id,
                    freeform_tags=tags,
                    depends_on=[keys],
                    credential_provider=args.registry_credentials,
                    tenancy_id=args.tenancy_id,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for spec in args.node_pools
        }
        self.addons = ClusterAddons(
            f"{name}-addons",
            ClusterAddonsArgs(
                cluster_id=cluster.id,
                compartment_id=network.compartment_id,
                region=args.region,
                autoscaled_pools=[
                    AutoscaledPool(
                        spec.name, pools[spec.name].node_pool_id, spec.node_count, spec.node_count_max
                    )
                    for spec in args.node_pools
                    if spec.node_count_max is not None
                ],
                gpu_taints=[taint for spec in args.node_pools if spec.gpu for taint in spec.all_taints()],
                identity_provider=args.identity_provider,
                freeform_tags=tags,
                # Add-on pods need nodes to run on.
                depends_on=list(pools.values()),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        kubeconfig = oci.containerengine.get_cluster_kube_config_output(
            cluster_id=cluster.id, endpoint="PRIVATE_ENDPOINT", opts=pulumi.InvokeOutputOptions(parent=self)
        ).apply(lambda result: result.content)

        self.cluster_id = cluster.id
        self.kubeconfig = pulumi.Output.secret(kubeconfig)
        self.node_pool_ids = {pool_name: pool.node_pool_id for pool_name, pool in pools.items()}
        self.availability_domains = ads
        self.register_outputs(
            {
                "cluster_id": self.cluster_id,
                "kubeconfig": self.kubeconfig,
                "node_pool_ids": self.node_pool_ids,
            }
        )
