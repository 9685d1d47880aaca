"""SovereignCluster on real siblings (network, key custody): private endpoint, customer keys, signed images, GPU
pools with the contract taint and label."""

import base64

import pulumi
import pytest

from components.oci.cluster import SovereignCluster, SovereignClusterArgs
from components.oci.key_custody import KeyCustody
from components.oci.network import SovereignNetwork
from components.oci.node_pool import NodePoolSpec, _placements
from sovereign.clouds.oci.offline import OFFLINE_ADS
from sovereign.contracts import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE, GPU_TAINT, POOL_LABEL_KEY
from sovereign.engine.recorder import SECRET, Recording
from tests.components.oci.helpers import COMPARTMENT, REGION, TAGS, TENANCY, at, offline_id, with_keys

CLUSTER = "oci:ContainerEngine/cluster:Cluster"
POOL = "oci:ContainerEngine/nodePool:NodePool"
SYSTEM = NodePoolSpec(name="system", shape="VM.Standard.E5.Flex", node_count=3, ocpus=4, memory_gib=64)
GPU = NodePoolSpec(name="h100", shape="BM.GPU.H100.8", node_count=1, availability_domain_indexes=[2])


def _args(network: SovereignNetwork, keys: KeyCustody, **overrides: object) -> SovereignClusterArgs:
    base: dict[str, object] = {
        "network": network,
        "keys": keys,
        "tenancy_id": TENANCY,
        "region": REGION,
        "kubernetes_version": "v1.31.1",
        "node_pools": [SYSTEM, GPU],
        "freeform_tags": TAGS,
    }
    return SovereignClusterArgs(**{**base, **overrides})  # type: ignore[arg-type]


def _record(**overrides: object) -> Recording:
    """SovereignCluster 'de' on the network 'de' and key custody 'de-keys'."""

    def build(net: SovereignNetwork, keys: KeyCustody) -> None:
        cluster = SovereignCluster("de", _args(net, keys, **overrides))
        pulumi.export("kubeconfig", cluster.kubeconfig)
        pulumi.export("cluster_id", cluster.cluster_id)

    return with_keys(build)


@pytest.fixture(scope="module")
def recording() -> Recording:
    return _record()


def test_private_endpoint_without_public_ip(recording: Recording) -> None:
    cluster = recording.one(CLUSTER, "de-cluster")
    assert cluster.get("endpointConfig") == {
        "subnetId": offline_id("subnet", "de-api"),
        "isPublicIpEnabled": False,
        "nsgIds": [offline_id("networksecuritygroup", "de-nsgs-api")],
    }, at(cluster)


def test_enhanced_cluster_with_customer_key_and_vcn_native_pods(recording: Recording) -> None:
    cluster = recording.one(CLUSTER, "de-cluster")
    assert cluster.get("type") == "ENHANCED_CLUSTER", at(cluster)
    assert cluster.get("kmsKeyId") == offline_id("key", "de-keys-cluster-secrets"), at(cluster)
    assert cluster.get("vcnId") == offline_id("vcn", "de-vcn"), at(cluster)
    assert cluster.get("clusterPodNetworkOptions") == [{"cniType": "OCI_VCN_IP_NATIVE"}], at(cluster)
    assert cluster.get("compartmentId") == COMPARTMENT, at(cluster)
    assert cluster.get("options.serviceLbSubnetIds") == [offline_id("subnet", "de-lb")], at(cluster)
    # Off: the discovery endpoint is public and nothing federates with it (OCI API OpenIdConnectDiscovery: "If set
    # to true, the cluster will be assigned a public OIDC Discovery endpoint"; it defaults to false).
    assert cluster.get("options.openIdConnectDiscovery.isOpenIdConnectDiscoveryEnabled") is False, at(cluster)
    assert cluster.get("options.persistentVolumeConfig.freeformTags") == TAGS, at(cluster)


def test_only_signed_images_run(recording: Recording) -> None:
    cluster = recording.one(CLUSTER, "de-cluster")
    assert cluster.get("imagePolicyConfig") == {
        "isPolicyEnabled": True,
        "keyDetails": [{"kmsKeyId": offline_id("key", "de-keys-image-signing")}],
    }, at(cluster)


def test_cluster_protected_and_waits_for_key_policy(recording: Recording) -> None:
    """OKE checks key access at creation: the cluster and its pools wait for the key custody's policy."""
    cluster = recording.one(CLUSTER, "de-cluster")
    policy = recording.one("oci:Identity/policy:Policy", "de-keys-access-keys")
    assert cluster.protect is True, at(cluster)
    assert policy.urn in cluster.dependencies, at(cluster)
    for pool in recording.of_type(POOL):
        assert policy.urn in pool.dependencies, at(pool)


def test_node_pools_encrypt_boot_volumes_and_transit(recording: Recording) -> None:
    pools = recording.of_type(POOL)
    assert sorted(p.name for p in pools) == ["de-h100-pool", "de-system-pool"]
    for pool in pools:
        assert pool.get("nodeConfigDetails.kmsKeyId") == offline_id("key", "de-keys-volumes"), at(pool)
        # Only VM shapes have paravirtualized attachments to encrypt; bare metal attaches over iSCSI
        # (terraform-oci-oke modules/workers/locals.tf).
        vm = pool.get("nodeShape").startswith("VM.")
        assert pool.get("nodeConfigDetails.isPvEncryptionInTransitEnabled") is vm, at(pool)
        assert pool.get("nodeConfigDetails.nsgIds") == [
            offline_id("networksecuritygroup", "de-nsgs-workers")
        ], at(pool)
        assert pool.get("nodeConfigDetails.nodePoolPodNetworkOptionDetails") == {
            "cniType": "OCI_VCN_IP_NATIVE",
            "podSubnetIds": [offline_id("subnet", "de-pods")],
            "podNsgIds": [offline_id("networksecuritygroup", "de-nsgs-pods")],
            "maxPodsPerNode": 31.0,
        }, at(pool)
        assert pool.get("clusterId") == "ocid1.cluster.oc1..offlinedecluster", at(pool)
        assert pool.get("sshPublicKey") is None, at(pool)


def test_system_pool_in_every_ad_with_flex_size(recording: Recording) -> None:
    pool = recording.one(POOL, "de-system-pool")
    placements = pool.get("nodeConfigDetails.placementConfigs")
    assert [p["availabilityDomain"] for p in placements] == list(OFFLINE_ADS), at(pool)
    assert {p["subnetId"] for p in placements} == {offline_id("subnet", "de-workers")}, at(pool)
    assert pool.get("nodeShapeConfig") == {"ocpus": 4.0, "memoryInGbs": 64.0}, at(pool)
    assert pool.get("nodeConfigDetails.size") == 3.0, at(pool)
    assert pool.get("nodeSourceDetails.imageId") == "ocid1.image.oc1..offline0", at(pool)
    script = base64.b64decode(pool.get("nodeMetadata.user_data")).decode()
    assert "oci-growfs -y" in script and "bash /var/run/oke-init.sh\n" in script, at(pool)  # no taints
    assert pool.get("initialNodeLabels") == [{"key": POOL_LABEL_KEY, "value": "system"}], at(pool)


def test_gpu_pool_tainted_labelled_placed_and_gpu_image(recording: Recording) -> None:
    pool = recording.one(POOL, "de-h100-pool")
    assert pool.get("nodeShape") == "BM.GPU.H100.8", at(pool)
    assert pool.get("nodeShapeConfig") is None, at(pool)
    assert [p["availabilityDomain"] for p in pool.get("nodeConfigDetails.placementConfigs")] == [
        OFFLINE_ADS[1]
    ]
    assert pool.get("nodeSourceDetails.imageId") == "ocid1.image.oc1..offline1", at(pool)  # the GPU image
    labels = {label["key"]: label["value"] for label in pool.get("initialNodeLabels")}
    assert labels == {POOL_LABEL_KEY: "h100", GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE}, at(pool)
    script = base64.b64decode(pool.get("nodeMetadata.user_data")).decode()
    assert f'--register-with-taints={GPU_TAINT}"' in script, at(pool)


def test_kubeconfig_is_secret_for_the_private_endpoint(recording: Recording) -> None:
    assert recording.outputs["kubeconfig"] == SECRET
    assert recording.outputs["cluster_id"] == "ocid1.cluster.oc1..offlinedecluster"


def test_parenting(recording: Recording) -> None:
    component = recording.one("sovereign:oci:SovereignCluster", "de")
    cluster = recording.one(CLUSTER, "de-cluster")
    assert cluster.parent == component.urn, at(cluster)
    for pool_component in recording.of_type("sovereign:oci:OkeNodePool"):
        assert pool_component.parent == component.urn, at(pool_component)
        (pool,) = recording.children_of(pool_component.urn)
        assert pool.type == POOL, at(pool)


def test_rejects_pool_in_missing_ad() -> None:
    """Checked inside ``apply`` once the ADs are known; called directly so no failing program runs."""
    with pytest.raises(ValueError, match="region has 3 availability domain"):
        _placements(list(OFFLINE_ADS), [4], "subnet-workers", "gpu")
    with pytest.raises(ValueError, match="region has 0 availability domain"):
        _placements([], [], "subnet-workers", "gpu")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kubernetes_version": "1.34"}, "kubernetes_version"),
        ({"node_pools": []}, "at least one pool"),
        ({"node_pools": [SYSTEM, SYSTEM]}, "unique names"),
        ({"region": "westeurope"}, "unknown OCI region"),
    ],
)
def test_rejects_unsafe_cluster_args(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _record(**overrides)


def test_rejects_key_custody_without_an_image_signing_key() -> None:
    """The cluster runs only images signed by the country's key: custody without one cannot back a cluster."""
    from tests.components.oci.helpers import build_keys, with_network

    def build(net: SovereignNetwork) -> None:
        keys = build_keys(net, enable_image_signing_key=False)
        SovereignCluster("de", _args(net, keys))

    with pytest.raises(ValueError, match="no image-signing key"):
        with_network(build)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "sys", "shape": "VM.Standard.E5.Flex", "node_count": 1}, "required for '.Flex'"),
        (
            {"name": "gpu", "shape": "VM.GPU.A10.1", "node_count": 1, "ocpus": 2, "memory_gib": 8},
            "not allowed",
        ),
        ({"name": "gpu", "shape": "Standard_NC40ads_H100_v5", "node_count": 1}, "not an OCI shape"),
        ({"name": "GPU", "shape": "VM.GPU.A10.1", "node_count": 1}, "lower case"),
        ({"name": "gpu", "shape": "VM.GPU.A10.1", "node_count": 1, "boot_volume_size_gib": 20}, "50 or more"),
        ({"name": "gpu", "shape": "VM.GPU.A10.1", "node_count": 1, "taints": ["gpu"]}, "taints"),
    ],
)
def test_rejects_bad_node_pools(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NodePoolSpec(**spec)  # type: ignore[arg-type]


def test_rejects_a_shape_not_in_the_machine_catalogue() -> None:
    from components.oci.node_images import is_gpu_shape

    with pytest.raises(
        ValueError, match=r"'VM\.GPU\.Unknown\.1' is not in the machine catalogue.*sovereign/catalogue"
    ):
        is_gpu_shape("VM.GPU.Unknown.1")
    assert is_gpu_shape("VM.GPU.A10.1") is True
    assert is_gpu_shape("VM.Standard.E5.Flex") is False


def test_no_args_value_opens_the_endpoint() -> None:
    """Public IP, SSH keys and image-policy switches are not Args fields: no value can set them."""
    fields = set(SovereignClusterArgs.__dataclass_fields__) | set(NodePoolSpec.__dataclass_fields__)
    assert not fields & {"is_public_ip_enabled", "public_endpoint", "ssh_public_key", "enforce_signed_images"}
