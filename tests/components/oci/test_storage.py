"""EncryptedStorage on real siblings (network, key custody): CMK, no public access, versioning as specified,
locked audit retention."""

from collections.abc import Sequence

import pytest

from components.oci.key_custody import KeyCustody
from components.oci.network import SovereignNetwork
from components.oci.storage import BucketSpec, EncryptedStorage, EncryptedStorageArgs
from sovereign.engine.recorder import Recording
from sovereign.types import StorePurpose
from tests.components.oci.helpers import COMPARTMENT, LOCK, REGION, TAGS, at, offline_id, with_keys

BUCKET = "oci:ObjectStorage/bucket:Bucket"
OBJECT_KEY = offline_id("key", "de-keys-object-storage")
STORES = [
    BucketSpec(name="weights", purpose=StorePurpose.MODEL_WEIGHTS),
    BucketSpec(name="datasets", purpose=StorePurpose.DATASETS, bucket_name="de-training-data"),
    BucketSpec(
        name="audit",
        purpose=StorePurpose.AUDIT_LOGS,
        versioning=False,
        retention_days=2555,
        retention_lock_date=LOCK,
    ),
]


def _args(network: SovereignNetwork, keys: KeyCustody, **overrides: object) -> EncryptedStorageArgs:
    base: dict[str, object] = {
        "network": network,
        "keys": keys,
        "region": REGION,
        "stores": STORES,
        "freeform_tags": TAGS,
    }
    return EncryptedStorageArgs(**{**base, **overrides})  # type: ignore[arg-type]


def _record(**overrides: object) -> Recording:
    """EncryptedStorage 'de-storage' on the network 'de' and key custody 'de-keys'."""

    def build(net: SovereignNetwork, keys: KeyCustody) -> None:
        EncryptedStorage("de-storage", _args(net, keys, **overrides))

    return with_keys(build)


@pytest.fixture(scope="module")
def recording() -> Recording:
    return _record()


def test_every_bucket_private_and_customer_encrypted(recording: Recording) -> None:
    buckets = recording.of_type(BUCKET)
    assert sorted(b.name for b in buckets) == [
        "de-storage-audit",
        "de-storage-datasets",
        "de-storage-weights",
    ]
    for bucket in buckets:
        assert bucket.get("accessType") == "NoPublicAccess", at(bucket)
        assert bucket.get("kmsKeyId") == OBJECT_KEY, at(bucket)
        assert bucket.get("objectEventsEnabled") is True, at(bucket)
        assert bucket.get("namespace") == "offlinens", at(bucket)
        assert bucket.get("compartmentId") == COMPARTMENT, at(bucket)
        assert bucket.protect is True, at(bucket)


def test_data_buckets_versioned_without_retention(recording: Recording) -> None:
    weights = recording.one(BUCKET, "de-storage-weights")
    datasets = recording.one(BUCKET, "de-storage-datasets")
    for bucket in (weights, datasets):
        assert bucket.get("versioning") == "Enabled", at(bucket)
        assert bucket.get("retentionRules") is None, at(bucket)
    assert weights.get("name") == "de-storage-weights", at(weights)
    assert datasets.get("name") == "de-training-data", at(datasets)
    assert weights.get("freeformTags") == {**TAGS, "sovereign.ai/store-purpose": "model_weights"}, at(weights)


def test_audit_bucket_has_locked_retention(recording: Recording) -> None:
    audit = recording.one(BUCKET, "de-storage-audit")
    assert audit.get("retentionRules") == [
        {
            "displayName": "audit-locked",  # stable: raising retention updates the rule, never renames it
            "duration": {"timeAmount": "2555", "timeUnit": "DAYS"},
            "timeRuleLocked": "2027-01-15T00:00:00Z",
        }
    ], at(audit)
    # OCI rejects retention rules on versioned buckets; the locked rule is the protection here.
    assert audit.get("versioning") == "Disabled", at(audit)


@pytest.mark.parametrize(
    ("stores", "expected"),
    [
        ([BucketSpec(name="w", purpose=StorePurpose.MODEL_WEIGHTS, versioning=False)], "Disabled"),
        ([BucketSpec(name="w", purpose=StorePurpose.MODEL_WEIGHTS, versioning=True)], "Enabled"),
    ],
)
def test_bucket_versioning_follows_the_spec(stores: Sequence[BucketSpec], expected: str) -> None:
    bucket = _record(stores=stores).one(BUCKET, "de-storage-w")
    assert bucket.get("versioning") == expected, at(bucket)


def test_no_replication_anywhere(recording: Recording) -> None:
    types = {r.type for r in recording.registrations}
    assert "oci:ObjectStorage/replicationPolicy:ReplicationPolicy" not in types
    assert "oci:ObjectStorage/preauthrequest:Preauthrequest" not in types


def test_parenting(recording: Recording) -> None:
    component = recording.one("sovereign:oci:EncryptedStorage", "de-storage")
    for bucket in recording.of_type(BUCKET):
        assert bucket.parent == component.urn, at(bucket)


def test_explicit_namespace_and_non_prod() -> None:
    recording = _record(stores=STORES[:1], namespace="frsovereignns", protect_stateful=False)
    bucket = recording.one(BUCKET, "de-storage-weights")
    assert bucket.get("namespace") == "frsovereignns", at(bucket)
    assert bucket.protect is False, at(bucket)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"name": "audit", "purpose": StorePurpose.AUDIT_LOGS},
            "need retention_days and retention_lock_date",
        ),
        ({"name": "audit", "purpose": StorePurpose.AUDIT_LOGS, "retention_days": 30}, "retention_lock_date"),
        (
            {
                "name": "audit",
                "purpose": StorePurpose.AUDIT_LOGS,
                "retention_days": 30,
                "retention_lock_date": LOCK,
            },
            "versioning on an audit_logs bucket",
        ),
        ({"name": "w", "purpose": StorePurpose.MODEL_WEIGHTS, "retention_days": 30}, "only for audit_logs"),
        ({"name": "w", "purpose": StorePurpose.BACKUPS, "retention_lock_date": LOCK}, "only for audit_logs"),
        ({"name": "Weights", "purpose": StorePurpose.MODEL_WEIGHTS}, "lower case"),
        ({"name": "w", "purpose": StorePurpose.MODEL_WEIGHTS, "bucket_name": "a b"}, "bucket_name"),
    ],
)
def test_rejects_weak_stores(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BucketSpec(**spec)  # type: ignore[arg-type]


def test_rejects_duplicate_store_names() -> None:
    with pytest.raises(ValueError, match="unique store names"):
        _record(stores=[STORES[0], STORES[0]])


def test_no_args_value_opens_or_replicates_a_bucket() -> None:
    fields = set(EncryptedStorageArgs.__dataclass_fields__) | set(BucketSpec.__dataclass_fields__)
    assert not fields & {"access_type", "replication_region", "destination_region", "public"}, fields
