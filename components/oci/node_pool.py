"""OkeNodePool: one managed OKE node pool (system or GPU) of a sovereign cluster.

Declares one ``oci.containerengine.NodePool`` with:

- boot volumes encrypted by the customer-managed volume key (``kms_key_id``) and, on VM shapes, in-transit
  encryption of paravirtualized volume attachments (bare-metal shapes attach over iSCSI, which has none);
- the root filesystem grown to the boot volume by cloud-init before OKE's init script runs;
- VCN-native pod networking (``OCI_VCN_IP_NATIVE``) on the pod subnet, nodes and pods in their NSGs;
- one placement per availability domain of the region (or the chosen ones), all on the private worker subnet;
- labels ``sovereign.ai/pool`` (and ``sovereign.ai/gpu`` on GPU shapes) and, on GPU shapes, the taint
  :data:`components.oci.node_images.GPU_TAINT`, registered by the kubelet through cloud-init;
- the newest OKE Oracle Linux image for the Kubernetes version (GPU image on GPU shapes) unless pinned.

No SSH key is ever set: nodes are reached, if at all, through the OCI Bastion service in the landing zone.

Non-goals: autoscaling (the cluster autoscaler add-on is configured on the cluster side), preemptible
capacity, capacity reservations, self-managed or virtual nodes, confidential nodes (OKE managed pools have no
platform configuration: ``sovereign.clouds.oci.invariants.no_confidential_nodes``). Private registry pulls:
OKE documents image pull secrets (docs.oracle.com/iaas/Content/ContEng/Tasks/contengpullingimagesfromocir.htm)
or Oracle's kubelet credential provider (github.com/oracle-devrel/oke-credential-provider-for-ocir), which OKE
images do not ship: its cloud-init downloads the binary from GitHub, and these nodes have no internet egress.
The provider is installed here from an in-country bucket instead (``credential_provider``,
``components.oci.node_bootstrap``), so no pull secret or personal auth token exists anywhere.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from components.oci.node_images import (
    CredentialProviderInstall,
    cloud_init_user_data,
    is_arm_shape,
    is_flex_shape,
    is_gpu_shape,
    select_node_image,
    supports_pv_transit_encryption,
    validate_taint,
)
from sovereign.contracts import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE, GPU_TAINT, POOL_LABEL_KEY

__all__ = ["NodePoolSpec", "OkeNodePool", "OkeNodePoolArgs", "RegistryCredentials"]

_POOL_NAME = re.compile(r"[a-z][a-z0-9-]{0,29}")
_SHAPE = re.compile(r"(VM|BM)\.[A-Za-z0-9.-]+")
MIN_BOOT_VOLUME_GIB, MAX_BOOT_VOLUME_GIB = 50, 32768  # OCI boot volumes: 50 GB to 32 TB
VCN_NATIVE_CNI = "OCI_VCN_IP_NATIVE"


@dataclass(frozen=True)
class NodePoolSpec:
    """What the country config says about one pool; the stack maps each configured pool to one spec."""

    name: str
    """Role suffix of the pool, such as 'system' or 'gpu-h100' (lower case; part of resource names)."""
    shape: str
    """OCI compute shape: 'VM.Standard.E5.Flex', 'VM.GPU.A10.1', 'BM.GPU.H100.8', ..."""
    node_count: int
    """Nodes in the pool (0 keeps an empty pool, for example GPU capacity not yet granted); with
    ``node_count_max`` the size the pool is created at and the autoscaler's lower bound."""
    ocpus: float | None = None
    """OCPUs per node; required for '.Flex' shapes, not allowed otherwise."""
    memory_gib: float | None = None
    """Memory per node in GiB; required for '.Flex' shapes, not allowed otherwise."""
    boot_volume_size_gib: int = 100
    """Boot volume size, 50 to 32768 GiB (GPU pools: the serving and weights images land here, so hundreds)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra Kubernetes node labels. ``sovereign.ai/*`` labels are set by the component."""
    taints: Sequence[str] = ()
    """Extra taints 'key[=value]:Effect'. GPU shapes always get the GPU taint as well."""
    availability_domain_indexes: Sequence[int] = ()
    """1-based availability domains to place nodes in. Omitted: every AD of the region."""
    image_id: str | None = None
    """Pin a node image OCID. Omitted: the newest OKE Oracle Linux image for the Kubernetes version."""
    max_pods_per_node: int = 31
    """VCN-native pods per node (bounded by the shape's VNIC count)."""
    node_count_max: int | None = None
    """Upper bound of an autoscaled pool (more than ``node_count``): the cluster autoscaler add-on resizes the
    pool and the pool ignores its size from then on. Omitted: a fixed pool of ``node_count``."""

    def __post_init__(self) -> None:
        if not _POOL_NAME.fullmatch(self.name):
            raise ValueError(
                f"node_pools.name: {self.name!r} must be lower case, start with a letter, <= 30 chars"
            )
        if not _SHAPE.fullmatch(self.shape):
            raise ValueError(
                f"node_pools.{self.name}.shape: {self.shape!r} is not an OCI shape such as 'VM.GPU.A10.1'"
            )
        if self.node_count < 0:
            raise ValueError(f"node_pools.{self.name}.node_count: got {self.node_count} (allowed: 0 or more)")
        if self.node_count_max is not None and self.node_count_max <= self.node_count:
            raise ValueError(
                f"node_pools.{self.name}.node_count_max: got {self.node_count_max} (allowed: more than node_count "
                f"{self.node_count}; omit it for a fixed pool)"
            )
        is_gpu_shape(
            self.shape
        )  # a shape missing from the machine catalogue is refused here, not in the program
        flex = is_flex_shape(self.shape)
        sized = [v for v in (self.ocpus, self.memory_gib) if v is not None]
        if (flex and len(sized) != 2) or (not flex and sized):
            raise ValueError(
                f"node_pools.{self.name}: ocpus and memory_gib are required for '.Flex' shapes and not "
                f"allowed for fixed shapes (got shape {self.shape!r}, ocpus {self.ocpus}, "
                f"memory_gib {self.memory_gib})"
            )
        if not MIN_BOOT_VOLUME_GIB <= self.boot_volume_size_gib <= MAX_BOOT_VOLUME_GIB:
            raise ValueError(
                f"node_pools.{self.name}.boot_volume_size_gib: got {self.boot_volume_size_gib} "
                f"(allowed: {MIN_BOOT_VOLUME_GIB} or more, at most {MAX_BOOT_VOLUME_GIB})"
            )
        if any(i < 1 for i in self.availability_domain_indexes):
            raise ValueError(f"node_pools.{self.name}.availability_domain_indexes: indexes are 1-based")
        for taint in self.taints:
            validate_taint(taint)

    @property
    def autoscaled(self) -> bool:
        return self.node_count_max is not None

    @property
    def gpu(self) -> bool:
        return is_gpu_shape(self.shape)

    def all_taints(self) -> list[str]:
        return list(dict.fromkeys([*([GPU_TAINT] if self.gpu else []), *self.taints]))

    def all_labels(self) -> dict[str, str]:
        return {
            **self.labels,
            POOL_LABEL_KEY: self.name,
            **({GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE} if self.gpu else {}),
        }


@dataclass(frozen=True)
class OkeNodePoolArgs:
    cluster_id: pulumi.Input[str]
    compartment_id: pulumi.Input[str]
    kubernetes_version: str
    spec: NodePoolSpec
    availability_domains: pulumi.Input[Sequence[str]]
    """Names of the region's availability domains, in order."""
    worker_subnet_id: pulumi.Input[str]
    pod_subnet_id: pulumi.Input[str]
    worker_nsg_id: pulumi.Input[str]
    pod_nsg_id: pulumi.Input[str]
    volume_key_id: pulumi.Input[str]
    """Customer-managed key for boot volumes."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    depends_on: Sequence[pulumi.Resource] = ()
    """Resources the pool must wait for (the key policy that lets OKE use the volume key)."""
    tenancy_id: pulumi.Input[str] | None = None
    """Tenancy OCID, to ask OCI which shapes each availability domain offers (``ListShapes``). Omitted: not
    asked, and a shape missing from an AD fails only when OCI launches the nodes."""
    credential_provider: "RegistryCredentials | None" = None
    """How the kubelet authenticates to the country's private OCIR repositories. Omitted: it cannot (only
    public images pull), which the plan's ``oke-registry-pulls`` rule refuses."""


@dataclass(frozen=True)
class RegistryCredentials:
    """Oracle's kubelet credential provider, fetched at boot (``components.oci.node_bootstrap``)."""

    url: pulumi.Input[str]
    """Pre-authenticated request URL of the staged binary."""
    sha256: str
    """Digest the node checks before installing it."""
    registry_host: str
    """The country's registry host, the only one the kubelet asks the provider about."""


def _placements(
    ads: Sequence[str], indexes: Sequence[int], subnet_id: str, pool: str
) -> list[oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs]:
    if not ads or any(i > len(ads) for i in indexes):
        raise ValueError(
            f"node_pools.{pool}.availability_domain_indexes: got {list(indexes)} but the region has "
            f"{len(ads)} availability domain(s)"
        )
    chosen = [ads[i - 1] for i in indexes] if indexes else list(ads)
    return [
        oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs(
            availability_domain=ad, subnet_id=subnet_id
        )
        for ad in chosen
    ]


def shape_offered_in(shape: str, offered_by_ad: Mapping[str, Sequence[str]], pool: str) -> None:
    """Refuse a pool placed in an availability domain whose ``ListShapes`` lacks its shape: OKE would create the
    pool and fail every node there (OCI Compute: GPU and bare-metal shapes are offered per AD, and "lists the
    shapes that can be used to launch an instance within the specified compartment", pulumi_oci
    ``core/get_shapes.py``). Service limits are separate: a listed shape with no limit fails at launch."""
    missing = [ad for ad, shapes in offered_by_ad.items() if shape not in shapes]
    if missing:
        offered = [ad for ad in offered_by_ad if ad not in missing]
        raise ValueError(
            f"node_pools.{pool}: shape {shape} is not offered in {', '.join(missing)} (offered in: "
            f"{', '.join(offered) or 'none of the chosen availability domains'}); set availability_domain_indexes "
            "to the ADs that offer it, or choose another shape"
        )


def _user_data(taints: Sequence[str], credentials: RegistryCredentials | None) -> pulumi.Input[str]:
    if credentials is None:
        return cloud_init_user_data(taints)
    return pulumi.Output.from_input(credentials.url).apply(
        lambda url: cloud_init_user_data(
            taints, CredentialProviderInstall(url, credentials.sha256, credentials.registry_host)
        )
    )


class OkeNodePool(pulumi.ComponentResource):
    node_pool_id: pulumi.Output[str]

    def __init__(self, name: str, args: OkeNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:oci:OkeNodePool", name, None, opts)
        spec = args.spec
        tags = dict(args.freeform_tags)
        image_id: pulumi.Input[str]
        if spec.image_id is not None:
            image_id = spec.image_id
        else:
            image_id = oci.containerengine.get_node_pool_option_output(
                node_pool_option_id="all",
                compartment_id=args.compartment_id,
                node_pool_k8s_version=args.kubernetes_version,
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).apply(
                lambda options: select_node_image(
                    [(s.source_name, s.image_id) for s in options.sources],
                    kubernetes_version=args.kubernetes_version,
                    gpu=spec.gpu,
                    arm=is_arm_shape(spec.shape),
                )
            )
        placements = pulumi.Output.all(args.availability_domains, args.worker_subnet_id).apply(
            lambda v: _placements(v[0], spec.availability_domain_indexes, v[1], spec.name)
        )
        if args.tenancy_id is not None:
            tenancy_id = args.tenancy_id
            placements = placements.apply(lambda chosen: self._check_shapes(chosen, tenancy_id, spec))
        taints = spec.all_taints()
        pool = oci.containerengine.NodePool(
            f"{name}-pool",
            cluster_id=args.cluster_id,
            compartment_id=args.compartment_id,
            kubernetes_version=args.kubernetes_version,
            name=name,
            node_shape=spec.shape,
            node_shape_config=(
                oci.containerengine.NodePoolNodeShapeConfigArgs(
                    ocpus=spec.ocpus, memory_in_gbs=spec.memory_gib
                )
                if is_flex_shape(spec.shape)
                else None
            ),
            node_source_details=oci.containerengine.NodePoolNodeSourceDetailsArgs(
                source_type="IMAGE", image_id=image_id, boot_volume_size_in_gbs=str(spec.boot_volume_size_gib)
            ),
            node_config_details=oci.containerengine.NodePoolNodeConfigDetailsArgs(
                size=spec.node_count,
                placement_configs=placements,
                kms_key_id=args.volume_key_id,
                is_pv_encryption_in_transit_enabled=supports_pv_transit_encryption(spec.shape),
                nsg_ids=[args.worker_nsg_id],
                node_pool_pod_network_option_details=(
                    oci.containerengine.NodePoolNodeConfigDetailsNodePoolPodNetworkOptionDetailsArgs(
                        cni_type=VCN_NATIVE_CNI,
                        pod_subnet_ids=[args.pod_subnet_id],
                        pod_nsg_ids=[args.pod_nsg_id],
                        max_pods_per_node=spec.max_pods_per_node,
                    )
                ),
                freeform_tags=tags,
            ),
            initial_node_labels=[
                oci.containerengine.NodePoolInitialNodeLabelArgs(key=k, value=v)
                for k, v in sorted(spec.all_labels().items())
            ],
            node_metadata={"user_data": _user_data(taints, args.credential_provider)},
            freeform_tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(args.depends_on),
                # The autoscaler owns an autoscaled pool's size (terraform-oci-oke modules/workers/nodepools.tf,
                # autoscaled_workers: ignore_changes = [node_config_details[0].size]).
                ignore_changes=["nodeConfigDetails.size"] if spec.autoscaled else None,
            ),
        )
        self.node_pool_id = pool.id
        self.register_outputs({"node_pool_id": self.node_pool_id})

    def _check_shapes(
        self,
        chosen: list[oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs],
        tenancy_id: pulumi.Input[str],
        spec: NodePoolSpec,
    ) -> pulumi.Output[list[oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs]]:
        ads = [str(p.availability_domain) for p in chosen]
        lookups = [
            oci.core.get_shapes_output(
                compartment_id=tenancy_id,
                availability_domain=ad,
                shape=spec.shape,
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).apply(lambda result: [s.name for s in result.shapes])
            for ad in ads
        ]

        def checked(
            offered: list[list[str]],
        ) -> list[oci.containerengine.NodePoolNodeConfigDetailsPlacementConfigArgs]:
            shape_offered_in(spec.shape, dict(zip(ads, offered, strict=True)), spec.name)
            return chosen

        return pulumi.Output.all(*lookups).apply(checked)
