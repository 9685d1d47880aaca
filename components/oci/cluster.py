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
- a kubeconfig for the private endpoint, as a secret output.

The cluster is protected in prod stacks (etcd is state). It must be created after the key policy exists, or
OKE cannot use the key: pass the ``KeyCustody`` component in ``wait_for``.

Non-goals: add-ons (cluster autoscaler, GPU operator), Kubernetes-side storage classes, public endpoints,
virtual nodes.
"""

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from components.oci.node_pool import VCN_NATIVE_CNI, NodePoolSpec, OkeNodePool, OkeNodePoolArgs
from components.oci.regions import require_region

__all__ = ["SovereignCluster", "SovereignClusterArgs"]

_K8S_VERSION = re.compile(r"v1\.\d{2}\.\d+")
MAX_IMAGE_POLICY_KEYS = 5  # OKE accepts up to five keys in an image verification policy


@dataclass(frozen=True)
class SovereignClusterArgs:
    compartment_id: pulumi.Input[str]
    """Country compartment for the cluster and its node pools."""
    tenancy_id: pulumi.Input[str]
    """Tenancy OCID, to list the region's availability domains."""
    region: str
    """Region identifier the provider deploys to; checked against the catalogue."""
    kubernetes_version: str
    """OKE Kubernetes version, such as 'v1.31.1'; node images are chosen for it."""
    vcn_id: pulumi.Input[str]
    api_subnet_id: pulumi.Input[str]
    api_nsg_id: pulumi.Input[str]
    worker_subnet_id: pulumi.Input[str]
    worker_nsg_id: pulumi.Input[str]
    pod_subnet_id: pulumi.Input[str]
    pod_nsg_id: pulumi.Input[str]
    lb_subnet_id: pulumi.Input[str]
    """Subnets and NSGs of ``SovereignNetwork`` (all private)."""
    cluster_secrets_key_id: pulumi.Input[str]
    """Vault key that encrypts Kubernetes secrets in etcd."""
    volume_key_id: pulumi.Input[str]
    """Vault key that encrypts node boot volumes."""
    image_signing_key_ids: Sequence[pulumi.Input[str]]
    """1-5 Vault RSA keys; only registry images signed by one of them may run."""
    node_pools: Sequence[NodePoolSpec]
    """At least one pool; names must be unique."""
    services_cidr: str = "10.96.0.0/16"
    """Cluster-internal CIDR for Kubernetes services (must not overlap the VCN)."""
    enable_oidc_discovery: bool = True
    """Publish the OIDC discovery document, so workloads can federate to other identity providers."""
    wait_for: Sequence[pulumi.Resource] = ()
    """Resources the cluster and node pools must wait for: the ``KeyCustody`` component (its key policy)."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on the cluster, node pools, and the volumes and load balancers OKE creates."""
    protect_stateful: bool = True
    """Protect the cluster from deletion by Pulumi (the stack sets False for non-prod)."""

    def __post_init__(self) -> None:
        require_region(self.region)
        if not _K8S_VERSION.fullmatch(self.kubernetes_version):
            raise ValueError(
                f"kubernetes_version: got {self.kubernetes_version!r} (allowed: 'v1.<minor>.<patch>')"
            )
        if not 1 <= len(self.image_signing_key_ids) <= MAX_IMAGE_POLICY_KEYS:
            raise ValueError(
                f"image_signing_key_ids: got {len(self.image_signing_key_ids)} keys (allowed: 1-"
                f"{MAX_IMAGE_POLICY_KEYS}); the cluster runs only images signed by the country's keys"
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

    def __init__(
        self, name: str, args: SovereignClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:SovereignCluster", name, None, opts)
        tags = dict(args.freeform_tags)
        cluster = oci.containerengine.Cluster(
            f"{name}-cluster",
            compartment_id=args.compartment_id,
            name=name,
            type="ENHANCED_CLUSTER",
            kubernetes_version=args.kubernetes_version,
            vcn_id=args.vcn_id,
            kms_key_id=args.cluster_secrets_key_id,
            endpoint_config=oci.containerengine.ClusterEndpointConfigArgs(
                subnet_id=args.api_subnet_id, is_public_ip_enabled=False, nsg_ids=[args.api_nsg_id]
            ),
            cluster_pod_network_options=[
                oci.containerengine.ClusterClusterPodNetworkOptionArgs(cni_type=VCN_NATIVE_CNI)
            ],
            image_policy_config=oci.containerengine.ClusterImagePolicyConfigArgs(
                is_policy_enabled=True,
                key_details=[
                    oci.containerengine.ClusterImagePolicyConfigKeyDetailArgs(kms_key_id=key)
                    for key in args.image_signing_key_ids
                ],
            ),
            options=oci.containerengine.ClusterOptionsArgs(
                service_lb_subnet_ids=[args.lb_subnet_id],
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
                parent=self, protect=args.protect_stateful, depends_on=list(args.wait_for)
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
                    compartment_id=args.compartment_id,
                    kubernetes_version=args.kubernetes_version,
                    spec=spec,
                    availability_domains=ads,
                    worker_subnet_id=args.worker_subnet_id,
                    pod_subnet_id=args.pod_subnet_id,
                    worker_nsg_id=args.worker_nsg_id,
                    pod_nsg_id=args.pod_nsg_id,
                    volume_key_id=args.volume_key_id,
                    freeform_tags=tags,
                    depends_on=args.wait_for,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for spec in args.node_pools
        }
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
