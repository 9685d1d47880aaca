"""All OCI components wired the way a country stack wires them: real ids flow between components."""

import datetime as dt

import pulumi
import pytest

from components.oci import (
    AuditLogging,
    AuditLoggingArgs,
    BucketSpec,
    ContainerRegistry,
    ContainerRegistryArgs,
    EncryptedStorage,
    EncryptedStorageArgs,
    KeyCustody,
    KeyCustodyArgs,
    NodePoolSpec,
    RegionFences,
    RegionFencesArgs,
    SovereignCluster,
    SovereignClusterArgs,
    SovereignNetwork,
    SovereignNetworkArgs,
)
from sovereign.engine.recorder import SECRET, Recording, run_program
from sovereign.types import KeyCustodyTier, StorePurpose
from tests.components.oci.helpers import TAGS, TENANCY, at

REGION = "eu-paris-1"
COUNTRY = "ocid1.compartment.oc1..offlinefrcompartment"


def _program() -> None:
    net = SovereignNetwork(
        "fr",
        SovereignNetworkArgs(
            parent_compartment_id=TENANCY,
            compartment_name="sovereign-fr-prod",
            region=REGION,
            vcn_cidr="10.50.0.0/16",
            subnet_cidrs={
                "workers": "10.50.0.0/20",
                "api": "10.50.16.0/28",
                "load_balancers": "10.50.18.0/24",
                "pods": "10.50.64.0/18",
            },
            freeform_tags=TAGS,
        ),
    )
    keys = KeyCustody(
        "fr-keys",
        KeyCustodyArgs(
            compartment_id=net.compartment_id,
            tenancy_id=TENANCY,
            region=REGION,
            custody_tier=KeyCustodyTier.VIRTUAL_PRIVATE_VAULT,
            freeform_tags=TAGS,
        ),
    )
    assert keys.image_signing_key_id is not None
    cluster = SovereignCluster(
        "fr",
        SovereignClusterArgs(
            compartment_id=net.compartment_id,
            tenancy_id=TENANCY,
            region=REGION,
            kubernetes_version="v1.34.1",
            vcn_id=net.vcn_id,
            api_subnet_id=net.api_subnet_id,
            api_nsg_id=net.api_nsg_id,
            worker_subnet_id=net.worker_subnet_id,
            worker_nsg_id=net.worker_nsg_id,
            pod_subnet_id=net.pod_subnet_id,
            pod_nsg_id=net.pod_nsg_id,
            lb_subnet_id=net.lb_subnet_id,
            cluster_secrets_key_id=keys.cluster_secrets_key_id,
            volume_key_id=keys.volume_key_id,
            image_signing_key_ids=[keys.image_signing_key_id],
            node_pools=[
                NodePoolSpec(
                    name="system", shape="VM.Standard.E4.Flex", node_count=3, ocpus=4, memory_gib=64
                ),
                NodePoolSpec(name="h100", shape="BM.GPU.H100.8", node_count=1),
            ],
            wait_for=[keys],
            freeform_tags=TAGS,
        ),
    )
    storage = EncryptedStorage(
        "fr-storage",
        EncryptedStorageArgs(
            compartment_id=net.compartment_id,
            region=REGION,
            kms_key_id=keys.object_storage_key_id,
            namespace="frsovereignns",
            stores=[
                BucketSpec(name="weights", purpose=StorePurpose.MODEL_WEIGHTS),
                BucketSpec(
                    name="audit",
                    purpose=StorePurpose.AUDIT_LOGS,
                    retention_days=2555,
                    retention_lock_date=dt.date(2027, 1, 15),
                ),
            ],
            freeform_tags=TAGS,
        ),
    )
    ContainerRegistry(
        "fr-registry",
        ContainerRegistryArgs(
            compartment_id=net.compartment_id,
            region=REGION,
            repositories=["frsovereignregistry/mirror/vllm/vllm-openai"],
            reader_dynamic_groups=[keys.cluster_dynamic_group_name, keys.worker_dynamic_group_name],
            image_signing_key_id=keys.image_signing_key_id,
            namespace="frsovereignns",
            freeform_tags=TAGS,
        ),
    )
    RegionFences(
        "fr-fences",
        RegionFencesArgs(
            tenancy_id=TENANCY,
            compartment_id=net.compartment_id,
            compartment_path="sovereign-fr-prod",
            region=REGION,
            allowed_regions=[REGION, "eu-marseille-1"],
            admin_groups=["fr-platform-admins"],
            freeform_tags=TAGS,
        ),
    )
    AuditLogging(
        "fr-logs",
        AuditLoggingArgs(
            compartment_id=net.compartment_id,
            region=REGION,
            flow_log_subnet_ids=net.subnet_ids,
            retention_days=180,
            audit_bucket_name=storage.bucket_names["audit"],
            namespace=storage.namespace,
            freeform_tags=TAGS,
        ),
    )
    pulumi.export("kubeconfig", cluster.kubeconfig)


@pytest.fixture(scope="module")
def platform() -> Recording:
    return run_program(_program)


def _key_id(name: str) -> str:
    return f"ocid1.key.oc1..offline{name.replace('-', '')}"


def test_customer_keys_reach_cluster_pools_and_buckets(platform: Recording) -> None:
    cluster = platform.one("oci:ContainerEngine/cluster:Cluster", "fr-cluster")
    assert cluster.get("kmsKeyId") == _key_id("fr-keys-cluster-secrets"), at(cluster)
    assert cluster.get("imagePolicyConfig.keyDetails") == [{"kmsKeyId": _key_id("fr-keys-image-signing")}]
    for pool in platform.of_type("oci:ContainerEngine/nodePool:NodePool"):
        assert pool.get("nodeConfigDetails.kmsKeyId") == _key_id("fr-keys-volumes"), at(pool)
    for bucket in platform.of_type("oci:ObjectStorage/bucket:Bucket"):
        assert bucket.get("kmsKeyId") == _key_id("fr-keys-object-storage"), at(bucket)


def test_cluster_and_pools_wait_for_the_key_policy(platform: Recording) -> None:
    policy = platform.one("oci:Identity/policy:Policy", "fr-keys-access-keys")
    for reg in [
        platform.one("oci:ContainerEngine/cluster:Cluster", "fr-cluster"),
        *platform.of_type("oci:ContainerEngine/nodePool:NodePool"),
    ]:
        assert policy.urn in reg.dependencies, at(reg)


def test_everything_in_the_country_compartment_except_tenancy_level_iam(platform: Recording) -> None:
    tenancy_level = {"fr-compartment", "fr-keys-access-clusters", "fr-keys-access-workers", "fr-fences-quota"}
    tenancy_level |= {"fr-fences-admins"}  # attached above the compartment on purpose
    for reg in platform.registrations:
        compartment = reg.get("compartmentId")
        if compartment is None:
            continue
        expected = TENANCY if reg.name in tenancy_level else COUNTRY
        assert compartment == expected, at(reg)


def test_every_resource_tagged_and_parented_by_a_component(platform: Recording) -> None:
    by_urn = platform.by_urn()
    for reg in platform.registrations:
        if not reg.custom:
            continue
        assert reg.parent in by_urn and by_urn[reg.parent].type.startswith("sovereign:oci:"), at(reg)
        tags = reg.get("freeformTags")
        if tags is not None:
            assert TAGS.items() <= tags.items(), at(reg)


def test_registry_readers_are_the_key_custody_dynamic_groups(platform: Recording) -> None:
    policy = platform.one("oci:Identity/policy:Policy", "fr-registry-readers")
    groups = [s.split()[2] for s in policy.get("statements")]
    assert groups == ["fr-keys-access-clusters", "fr-keys-access-workers"], at(policy)


def test_audit_export_targets_the_locked_bucket_and_flow_logs_cover_every_subnet(platform: Recording) -> None:
    connector = platform.one("oci:Sch/connector:Connector", "fr-logs-audit-export")
    assert connector.get("target.bucket") == "fr-storage-audit", at(connector)
    assert connector.get("target.namespace") == "frsovereignns", at(connector)
    logs = platform.of_type("oci:Logging/log:Log")
    subnets = {s.urn.rsplit("::", 1)[-1] for s in platform.of_type("oci:Core/subnet:Subnet")}
    assert len(logs) == len(subnets) == 4
    resources = {log.get("configuration.source.resource") for log in logs}
    assert resources == {f"ocid1.subnet.oc1..offline{s.replace('-', '')}" for s in subnets}


def test_kubeconfig_secret(platform: Recording) -> None:
    assert platform.outputs["kubeconfig"] == SECRET
