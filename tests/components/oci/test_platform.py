"""The L3 OciPlatform, built from a spec and recorded once: URN aliases, and real ids flowing between its
components (keys to cluster, pools and buckets; dynamic groups to the registry; audit bucket to the logs)."""

import pytest

from sovereign.engine.recorder import SECRET, Recording
from sovereign.types import StorePurpose
from tests.components.oci.helpers import LOCK, TAGS, TENANCY, at, platform_args, record_platform

COUNTRY = "ocid1.compartment.oc1..offlinefrcompartment"
L2_COMPONENTS = {
    "fr": {"sovereign:oci:SovereignNetwork", "sovereign:oci:SovereignCluster"},
    "fr-keys": {"sovereign:oci:KeyCustody"},
    "fr-storage": {"sovereign:oci:EncryptedStorage"},
    "fr-registry": {"sovereign:oci:ContainerRegistry"},
    "fr-fences": {"sovereign:oci:RegionFences"},
    "fr-logs": {"sovereign:oci:AuditLogging"},
    "fr-bootstrap": {"sovereign:oci:NodeBootstrap"},
}
NEW_UNDER_THE_PLATFORM = {"fr-bootstrap"}
"""Components created under the platform from the start (issue 13, O15): no URN from before to keep."""


@pytest.fixture(scope="module")
def platform() -> Recording:
    return record_platform()


def test_platform_composes_every_l2_component_as_its_child(platform: Recording) -> None:
    root = platform.one("sovereign:oci:OciPlatform", "fr")
    children: dict[str, set[str]] = {}
    for child in platform.children_of(root.urn):
        children.setdefault(child.name, set()).add(child.type)
    assert children == L2_COMPONENTS, at(root)


def test_l2_components_keep_their_urns_from_when_they_were_children_of_the_stack(platform: Recording) -> None:
    """Moving a component under the platform must not replace its cloud resources: each L2 component carries
    an alias to its old URN, a child of the root stack with the same type and name."""
    root = platform.one("sovereign:oci:OciPlatform", "fr")
    stack_urn = root.parent or ""
    stack_type = stack_urn.split("::")[2]
    assert stack_type == "pulumi:pulumi:Stack", f"{root.urn}: parent {stack_urn} is not the root stack"
    head = root.urn.split("::", 2)
    for component in platform.children_of(root.urn):
        if component.name in NEW_UNDER_THE_PLATFORM:
            assert not component.aliases, f"{component.urn}: never was at the root, needs no alias"
            continue
        was_at_root = f"{head[0]}::{head[1]}::{stack_type}${component.type}::{component.name}"
        assert was_at_root in component.aliases, f"{component.urn}: aliases {component.aliases}"


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


def test_rejects_two_audit_stores() -> None:
    from components.oci import BucketSpec

    audit = [
        BucketSpec(
            name=name,
            purpose=StorePurpose.AUDIT_LOGS,
            versioning=False,
            retention_days=30,
            retention_lock_date=LOCK,
        )
        for name in ("audit", "audit2")
    ]
    with pytest.raises(ValueError, match="one audit_logs store"):
        platform_args(stores=audit)


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


def test_without_an_audit_store_audit_events_stay_in_the_audit_service() -> None:
    from components.oci import BucketSpec

    recording = record_platform(
        platform_args(stores=[BucketSpec(name="weights", purpose=StorePurpose.MODEL_WEIGHTS)])
    )
    assert not recording.of_type("oci:Sch/connector:Connector"), "no audit bucket, no export connector"
    assert len(recording.of_type("oci:Logging/log:Log")) == 4, "flow logs do not depend on the audit store"


def test_rejects_a_shape_not_in_the_machine_catalogue() -> None:
    """GPU capability comes from the catalogue only: an unknown shape is refused, not guessed from its name."""
    from components.oci import NodePoolSpec

    # Refused when the spec is built, before anything registers.
    with pytest.raises(ValueError, match=r"'BM\.GPU\.B300\.8' is not in the machine catalogue"):
        NodePoolSpec(name="gpu", shape="BM.GPU.B300.8", node_count=1)


def test_kubeconfig_secret(platform: Recording) -> None:
    assert platform.outputs["kubeconfig"] == SECRET, "the kubeconfig export must be a Pulumi secret"
