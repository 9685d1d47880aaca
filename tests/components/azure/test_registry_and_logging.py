"""SovereignRegistry and AuditLogging: private, customer-keyed, in-country; and the logging key opt-out rule."""

from typing import Any

import pytest

from sovereign.engine.recorder import Recording, run_program

REGISTRY = "azure-native:containerregistry:Registry"
WORKSPACE = "azure-native:operationalinsights:Workspace"
ZONES = ("monitor", "oms", "ods", "agent_service", "blob")


def record(build: Any) -> Recording:
    return run_program(build)


@pytest.fixture(scope="module")
def registry() -> Recording:
    def program() -> None:
        from components.azure import SovereignRegistry, SovereignRegistryArgs

        SovereignRegistry(
            "de-acr",
            SovereignRegistryArgs(
                resource_group_name="de-rg",
                location="germanywestcentral",
                key_uri="https://kv.vault.azure.net/keys/registry-cmk",
                key_identity_id="/identities/registry",
                key_identity_client_id="c1c1c1c1-0000-0000-0000-000000000001",
                private_endpoint_subnet_id="/subnets/endpoints",
                registry_private_dns_zone_id="/zones/azurecr",
            ),
        )

    return run_program(program)


def test_registry_is_premium_private_and_customer_keyed(registry: Recording) -> None:
    acr = registry.one(REGISTRY)
    expected = {
        "sku": {"name": "Premium"},
        "adminUserEnabled": False,
        "anonymousPullEnabled": False,
        "publicNetworkAccess": "Disabled",
        "networkRuleBypassOptions": "None",
        "zoneRedundancy": "Enabled",
        "dataEndpointEnabled": True,
        "encryption": {
            "status": "enabled",
            "keyVaultProperties": {
                "keyIdentifier": "https://kv.vault.azure.net/keys/registry-cmk",
                "identity": "c1c1c1c1-0000-0000-0000-000000000001",
            },
        },
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/identities/registry": {}}},
    }
    assert {key: acr.inputs.get(key) for key in expected} == expected, acr.urn
    assert acr.get("policies.exportPolicy.status") == "disabled", acr.urn
    assert acr.get("policies.azureADAuthenticationAsArmPolicy.status") == "disabled", acr.urn
    assert acr.get("policies.retentionPolicy") == {"status": "enabled", "days": 30}, acr.urn
    assert acr.protect, f"{acr.urn}: registry not protected"
    endpoint = registry.one("azure-native:network:PrivateEndpoint")
    assert endpoint.get("privateLinkServiceConnections.0.groupIds") == ["registry"], endpoint.urn


def logging_args(**overrides: Any) -> Any:
    from components.azure import AuditLoggingArgs, LogsCustomerKey, PrivateZone

    values: dict[str, Any] = {
        "resource_group_name": "de-rg",
        "location": "germanywestcentral",
        "private_endpoint_subnet_id": "/subnets/endpoints",
        "private_dns_zone_ids": {PrivateZone(zone): f"/zones/{zone}" for zone in ZONES},
        "customer_managed_key": LogsCustomerKey(
            key_vault_uri="https://kv.vault.azure.net/", key_name="logs-cmk", identity_id="/identities/logs"
        ),
        "retention_days": 730,
    }
    values.update(overrides)
    return AuditLoggingArgs(**values)


def record_logging(args: Any) -> Recording:
    def program() -> None:
        from components.azure import AuditLogging

        AuditLogging("de-logs", args)

    return run_program(program)


@pytest.fixture(scope="module")
def logging() -> Recording:
    return record_logging(logging_args())


def test_workspace_keeps_logs_in_country_and_refuses_public_access(logging: Recording) -> None:
    workspace = logging.one(WORKSPACE)
    assert workspace.inputs["location"] == "germanywestcentral", workspace.urn
    assert workspace.inputs["retentionInDays"] == 730, workspace.urn
    assert workspace.inputs["publicNetworkAccessForIngestion"] == "Disabled", workspace.urn
    assert workspace.inputs["publicNetworkAccessForQuery"] == "Disabled", workspace.urn
    assert workspace.inputs["features"] == {
        "disableLocalAuth": True,
        "enableLogAccessUsingOnlyResourcePermissions": True,
    }, workspace.urn
    assert workspace.protect, workspace.urn


def test_workspace_data_is_encrypted_with_the_country_key(logging: Recording) -> None:
    cluster = logging.one("azure-native:operationalinsights:Cluster")
    assert cluster.inputs["keyVaultProperties"] == {
        "keyVaultUri": "https://kv.vault.azure.net/",
        "keyName": "logs-cmk",
    }, cluster.urn
    assert cluster.inputs["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": ["/identities/logs"],
    }
    assert cluster.inputs["sku"] == {"name": "CapacityReservation", "capacity": 100}, cluster.urn
    assert cluster.inputs["isDoubleEncryptionEnabled"] is True, cluster.urn
    assert cluster.protect, cluster.urn
    link = logging.one("azure-native:operationalinsights:LinkedService")
    assert link.inputs["writeAccessResourceId"].endswith("/clusters/de-logs-cluster"), link.urn
    assert link.inputs["workspaceName"] == "de-logs-workspace", link.urn


def test_private_link_scope_is_private_only_with_all_monitor_zones(logging: Recording) -> None:
    scope = logging.one("azure-native:monitor:PrivateLinkScope")
    assert scope.inputs["accessModeSettings"] == {
        "ingestionAccessMode": "PrivateOnly",
        "queryAccessMode": "PrivateOnly",
    }, scope.urn
    scoped = logging.one("azure-native:monitor:PrivateLinkScopedResource")
    assert scoped.inputs["linkedResourceId"].endswith("/workspaces/de-logs-workspace"), scoped.urn
    endpoint = logging.one("azure-native:network:PrivateEndpoint")
    assert endpoint.get("privateLinkServiceConnections.0.groupIds") == ["azuremonitor"], endpoint.urn
    zone_group = logging.one("azure-native:network:PrivateDnsZoneGroup")
    zones = [config["privateDnsZoneId"] for config in zone_group.inputs["privateDnsZoneConfigs"]]
    assert zones == [f"/zones/{zone}" for zone in ZONES], zone_group.urn


def test_microsoft_keys_for_logs_only_with_a_stated_reason() -> None:
    reason = "Ingestion under 5 GB/day; dedicated cluster cost approved as not proportionate by the DPO"
    recording = record_logging(logging_args(customer_managed_key=None, platform_key_justification=reason))
    assert not recording.of_type("azure-native:operationalinsights:Cluster")
    assert not recording.of_type("azure-native:operationalinsights:LinkedService")
    with pytest.raises(ValueError, match="give exactly one"):
        logging_args(customer_managed_key=None)
    with pytest.raises(ValueError, match="give exactly one"):
        logging_args(platform_key_justification=reason)
    with pytest.raises(ValueError, match="too short"):
        logging_args(customer_managed_key=None, platform_key_justification="cost")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retention_days": 7}, "30 to 730"),
        ({"cluster_capacity_gib_per_day": 50}, "100 or more"),
        ({"private_dns_zone_ids": {}}, "missing"),
    ],
)
def test_rejects_invalid_logging(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        logging_args(**overrides)
