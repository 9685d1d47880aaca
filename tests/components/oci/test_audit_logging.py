"""AuditLogging on real siblings (network, storage): in-region flow logs for every subnet with retention, audit
export to the locked bucket of the audit store."""

from typing import Any

import pytest

from components.oci.audit_logging import AuditLogging, AuditLoggingArgs
from components.oci.network import SovereignNetwork
from components.oci.storage import BucketSpec, EncryptedStorage, EncryptedStorageArgs
from sovereign.engine.recorder import Recording
from sovereign.types import StorePurpose
from tests.components.oci.helpers import (
    COMPARTMENT,
    LOCK,
    REGION,
    TAGS,
    at,
    build_keys,
    offline_id,
    with_network,
)

LOG = "oci:Logging/log:Log"
ROLES = {"api": "api", "workers": "workers", "pods": "pods", "load_balancers": "lb"}
"""Subnet role -> the network's subnet name suffix."""
AUDIT = BucketSpec(
    name="audit",
    purpose=StorePurpose.AUDIT_LOGS,
    versioning=False,
    retention_days=2555,
    retention_lock_date=LOCK,
)


def _record(*, audit_store: str | None = "audit", **overrides: Any) -> Recording:
    """AuditLogging 'de-logs' on the network 'de' and, with an audit store, the storage 'de-storage'."""

    def build(net: SovereignNetwork) -> None:
        storage = None
        if audit_store is not None:
            keys = build_keys(net)
            storage = EncryptedStorage(
                "de-storage", EncryptedStorageArgs(network=net, keys=keys, region=REGION, stores=[AUDIT])
            )
        args: dict[str, object] = {
            "network": net,
            "region": REGION,
            "retention_days": 180,
            "storage": storage,
            "audit_store": audit_store,
            "freeform_tags": TAGS,
        }
        AuditLogging("de-logs", AuditLoggingArgs(**{**args, **overrides}))  # type: ignore[arg-type]

    return with_network(build)


@pytest.fixture(scope="module")
def recording() -> Recording:
    return _record()


def test_flow_log_per_subnet_with_retention(recording: Recording) -> None:
    group = recording.one("oci:Logging/logGroup:LogGroup", "de-logs-log-group")
    assert group.get("compartmentId") == COMPARTMENT, at(group)
    assert group.protect is True, at(group)
    logs = {log.name: log for log in recording.of_type(LOG)}
    assert sorted(logs) == [f"de-logs-flow-{role.replace('_', '-')}" for role in sorted(ROLES)], at(group)
    for role, suffix in ROLES.items():
        subnet = offline_id("subnet", f"de-{suffix}")
        log = logs[f"de-logs-flow-{role.replace('_', '-')}"]
        assert log.get("logType") == "SERVICE", at(log)
        assert log.get("isEnabled") is True, at(log)
        assert log.get("retentionDuration") == 180.0, at(log)
        assert log.protect is True, at(log)
        assert log.get("logGroupId") == "ocid1.loggroup.oc1..offlinedelogsloggroup", at(log)
        assert log.get("configuration.source") == {
            "category": "all",
            "resource": subnet,
            "service": "flowlogs",
            "sourceType": "OCISERVICE",
        }, at(log)


def test_audit_events_exported_to_the_audit_bucket(recording: Recording) -> None:
    connector = recording.one("oci:Sch/connector:Connector", "de-logs-audit-export")
    # The country compartment's _Audit only: the tenancy root's carries every root-level event of a shared
    # tenancy and cannot be narrowed to this platform's fences, and the locked bucket would keep other parties'
    # IAM activity for years (components/oci/audit_logging.py's docstring gives the sources).
    assert connector.get("source") == {
        "kind": "logging",
        "logSources": [{"compartmentId": COMPARTMENT, "logGroupId": "_Audit"}],
    }, at(connector)
    assert connector.get("target") == {
        "kind": "objectStorage",
        "bucket": "de-storage-audit",
        "namespace": "offlinens",  # the storage's namespace (looked up: none was given)
        "objectNamePrefix": "audit",
    }, at(connector)
    assert connector.get("state") == "ACTIVE", at(connector)
    policy = recording.one("oci:Identity/policy:Policy", "de-logs-audit-export")
    assert policy.urn in connector.dependencies, at(connector)
    assert policy.get("statements") == [
        f"Allow any-user to manage objects in compartment id {COMPARTMENT} where all "
        "{request.principal.type = 'serviceconnector', target.bucket.name = 'de-storage-audit', "
        f"request.principal.compartment.id = '{COMPARTMENT}', request.region = 'FRA'}}"
    ], at(policy)


def test_parenting(recording: Recording) -> None:
    component = recording.one("sovereign:oci:AuditLogging", "de-logs")
    assert {r.name for r in recording.children_of(component.urn)} == {
        "de-logs-log-group",
        "de-logs-flow-api",
        "de-logs-flow-workers",
        "de-logs-flow-pods",
        "de-logs-flow-load-balancers",
        "de-logs-audit-export",
    }, at(component)


def test_without_audit_store_no_connector_and_non_prod() -> None:
    recording = _record(audit_store=None, protect_stateful=False)
    group = recording.one("oci:Logging/logGroup:LogGroup", "de-logs-log-group")
    assert group.protect is False, at(group)
    types = {r.type for r in recording.registrations}
    assert "oci:Sch/connector:Connector" not in types
    assert "oci:Identity/policy:Policy" not in types


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retention_days": 365}, "allowed: 30, 60"),
        ({"retention_days": 45}, "allowed: 30, 60"),
        ({"region": "eu-frankfurt-99"}, "unknown OCI region"),
        ({"audit_store": "weights"}, "is not a store of the given storage"),
        ({"storage": None}, "pass both or neither"),
    ],
)
def test_rejects_invalid_logging_args(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _record(**overrides)
