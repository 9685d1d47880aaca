"""EncryptedStorage under the recording mocks: CMK, no public access, versioning, locked audit retention."""

import datetime as dt

import pytest

from components.oci.storage import BucketSpec, EncryptedStorage, EncryptedStorageArgs
from sovereign.engine.recorder import Recording, run_program
from sovereign.types import StorePurpose
from tests.components.oci.helpers import COMPARTMENT, REGION, TAGS, as_program, at

BUCKET = "oci:ObjectStorage/bucket:Bucket"
LOCK = dt.date(2027, 1, 15)
STORES = [
    BucketSpec(name="weights", purpose=StorePurpose.MODEL_WEIGHTS),
    BucketSpec(name="datasets", purpose=StorePurpose.DATASETS, bucket_name="de-training-data"),
    BucketSpec(name="audit", purpose=StorePurpose.AUDIT_LOGS, retention_days=2555, retention_lock_date=LOCK),
]


def _args(**overrides: object) -> EncryptedStorageArgs:
    base: dict[str, object] = {
        "compartment_id": COMPARTMENT,
        "region": REGION,
        "kms_key_id": "key-objects",
        "stores": STORES,
        "freeform_tags": TAGS,
    }
    return EncryptedStorageArgs(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def recording() -> Recording:
    return run_program(as_program(lambda: EncryptedStorage("de-storage", _args())))


def test_every_bucket_private_and_customer_encrypted(recording: Recording) -> None:
    buckets = recording.of_type(BUCKET)
    assert sorted(b.name for b in buckets) == [
        "de-storage-audit",
        "de-storage-datasets",
        "de-storage-weights",
    ]
    for bucket in buckets:
        assert bucket.get("accessType") == "NoPublicAccess", at(bucket)
        assert bucket.get("kmsKeyId") == "key-objects", at(bucket)
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
            "displayName": "audit-locked-2555d",
            "duration": {"timeAmount": "2555", "timeUnit": "DAYS"},
            "timeRuleLocked": "2027-01-15T00:00:00Z",
        }
    ], at(audit)
    # OCI rejects retention rules on versioned buckets; the locked rule is the protection here.
    assert audit.get("versioning") == "Disabled", at(audit)


def test_no_replication_anywhere(recording: Recording) -> None:
    types = {r.type for r in recording.registrations}
    assert "oci:ObjectStorage/replicationPolicy:ReplicationPolicy" not in types
    assert "oci:ObjectStorage/preauthrequest:Preauthrequest" not in types


def test_parenting(recording: Recording) -> None:
    component = recording.one("sovereign:oci:EncryptedStorage", "de-storage")
    for bucket in recording.of_type(BUCKET):
        assert bucket.parent == component.urn, at(bucket)


def test_explicit_namespace_and_non_prod() -> None:
    recording = run_program(
        as_program(
            lambda: EncryptedStorage(
                "de-storage", _args(stores=STORES[:1], namespace="frsovereignns", protect_stateful=False)
            )
        )
    )
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
        _args(stores=[STORES[0], STORES[0]])


def test_no_args_value_opens_or_replicates_a_bucket() -> None:
    fields = set(EncryptedStorageArgs.__dataclass_fields__) | set(BucketSpec.__dataclass_fields__)
    assert not fields & {"access_type", "replication_region", "destination_region", "versioning", "public"}
