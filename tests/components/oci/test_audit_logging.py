"""AuditLogging under the recording mocks: in-region flow logs with retention, audit export to the locked bucket."""

import pytest

from components.oci.audit_logging import AuditLogging, AuditLoggingArgs
from sovereign.engine.recorder import Recording, run_program
from tests.components.oci.helpers import COMPARTMENT, REGION, TAGS, as_program, at

LOG = "oci:Logging/log:Log"
SUBNETS = {"workers": "subnet-workers", "pods": "subnet-pods", "load_balancers": "subnet-lb"}


def _args(**overrides: object) -> AuditLoggingArgs:
    base: dict[str, object] = {
        "compartment_id": COMPARTMENT,
        "region": REGION,
        "flow_log_subnet_ids": SUBNETS,
        "retention_days": 180,
        "audit_bucket_name": "de-storage-audit",
        "freeform_tags": TAGS,
    }
    return AuditLoggingArgs(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def recording() -> Recording:
    return run_program(as_program(lambda: AuditLogging("de-logs", _args())))


def test_flow_log_per_subnet_with_retention(recording: Recording) -> None:
    group = recording.one("oci:Logging/logGroup:LogGroup", "de-logs-log-group")
    assert group.get("compartmentId") == COMPARTMENT, at(group)
    assert group.protect is True, at(group)
    logs = {log.name: log for log in recording.of_type(LOG)}
    assert sorted(logs) == ["de-logs-flow-load-balancers", "de-logs-flow-pods", "de-logs-flow-workers"]
    for role, subnet in SUBNETS.items():
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
    assert connector.get("source") == {
        "kind": "logging",
        "logSources": [{"compartmentId": COMPARTMENT, "logGroupId": "_Audit"}],
    }, at(connector)
    assert connector.get("target") == {
        "kind": "objectStorage",
        "bucket": "de-storage-audit",
        "namespace": "offlinens",
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
        "de-logs-flow-workers",
        "de-logs-flow-pods",
        "de-logs-flow-load-balancers",
        "de-logs-audit-export",
    }


def test_without_audit_bucket_no_connector_and_non_prod() -> None:
    recording = run_program(
        as_program(lambda: AuditLogging("de-logs", _args(audit_bucket_name=None, protect_stateful=False)))
    )
    assert recording.one("oci:Logging/logGroup:LogGroup", "de-logs-log-group").protect is False
    types = {r.type for r in recording.registrations}
    assert "oci:Sch/connector:Connector" not in types
    assert "oci:Identity/policy:Policy" not in types


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retention_days": 365}, "allowed: 30, 60"),
        ({"retention_days": 45}, "allowed: 30, 60"),
        ({"flow_log_subnet_ids": {}}, "at least one subnet"),
        ({"region": "eu-frankfurt-99"}, "unknown OCI region"),
    ],
)
def test_rejects_invalid_logging_args(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _args(**overrides)
