"""SovereignRegistry and AuditLogging on real siblings (network, key custody): private, customer-keyed,
in-country; and the rule that Microsoft-managed keys for the logs need a stated reason."""

import re
from typing import Any

import pytest

from sovereign.engine.recorder import Recording
from tests.components.azure.conftest import REGION, VAULT_URI, arm_id, at, with_siblings, zone_id

REGISTRY = "azure-native:containerregistry:Registry"
WORKSPACE = "azure-native:operationalinsights:Workspace"
ZONES = ("monitor", "oms", "ods", "agent-service", "blob")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def registry() -> Recording:
    def build(net: Any, keys: Any) -> None:
        from components.azure import SovereignRegistry, SovereignRegistryArgs

        SovereignRegistry(
            "de-acr", SovereignRegistryArgs(network=net, keys=keys, registry_name="desovereignacr")
        )

    return with_siblings(build)


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
                # Versionless: the registry follows the key's rotation.
                "keyIdentifier": f"{VAULT_URI}keys/registry-cmk",
                "identity": acr.get("encryption.keyVaultProperties.identity"),
            },
        },
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                arm_id("Microsoft.ManagedIdentity/userAssignedIdentities", "de-keys-registry-identity"): {}
            },
        },
        "location": REGION,
        "resourceGroupName": "de-net-rg",
        "registryName": "desovereignacr",
    }
    assert {key: acr.inputs.get(key) for key in expected} == expected, acr.urn
    assert UUID.fullmatch(acr.get("encryption.keyVaultProperties.identity")), (
        f"{acr.urn}: client id of the key identity"
    )
    assert acr.get("policies.exportPolicy.status") == "disabled", acr.urn
    # A11: network-isolated AKS does not support a BYO registry refusing ARM-audience tokens.
    assert acr.get("policies.azureADAuthenticationAsArmPolicy.status") == "enabled", acr.urn
    assert acr.get("policies.retentionPolicy") == {"status": "enabled", "days": 30}, acr.urn
    assert acr.protect, f"{acr.urn}: registry not protected"
    endpoint = registry.one("azure-native:network:PrivateEndpoint", "de-acr-pe-endpoint")
    assert endpoint.get("privateLinkServiceConnections.0.groupIds") == ["registry"], endpoint.urn
    zone_group = registry.one("azure-native:network:PrivateDnsZoneGroup", "de-acr-pe-dns")
    assert zone_group.get("privateDnsZoneConfigs.0.privateDnsZoneId") == zone_id("registry"), at(zone_group)


def record_logging(**overrides: Any) -> Recording:
    """AuditLogging 'de-logs' on the network and key custody of the platform; keyword overrides go to its Args."""

    def build(net: Any, keys: Any) -> None:
        from components.azure import AuditLogging, AuditLoggingArgs

        AuditLogging(
            "de-logs", AuditLoggingArgs(**{"network": net, "keys": keys, "retention_days": 730, **overrides})
        )

    return with_siblings(build)


@pytest.fixture(scope="module")
def logging() -> Recording:
    return record_logging()


def test_workspace_keeps_logs_in_country_and_refuses_public_access(logging: Recording) -> None:
    workspace = logging.one(WORKSPACE)
    assert workspace.inputs["location"] == REGION, workspace.urn
    assert workspace.inputs["resourceGroupName"] == "de-net-rg", workspace.urn
    assert workspace.inputs["retentionInDays"] == 730, workspace.urn
    assert workspace.inputs["publicNetworkAccessForIngestion"] == "Disabled", workspace.urn
    assert workspace.inputs["publicNetworkAccessForQuery"] == "Disabled", workspace.urn
    assert workspace.inputs["features"] == {
        "disableLocalAuth": True,
        "enableLogAccessUsingOnlyResourcePermissions": True,
    }, workspace.urn
    assert workspace.protect, workspace.urn


def test_first_deployment_grants_the_cluster_identity_and_links_nothing(logging: Recording) -> None:
    # A3: with a private-link vault only the system identity works, and it exists only with the cluster.
    cluster = logging.one("azure-native:operationalinsights:Cluster")
    assert cluster.inputs["identity"] == {"type": "SystemAssigned"}, cluster.urn
    assert "keyVaultProperties" not in cluster.inputs, f"{cluster.urn}: no key before the grant exists"
    grant = logging.one("azure-native:authorization:RoleAssignment", "de-logs-cluster-key-access")
    assert cluster.urn in grant.dependencies, grant.urn
    assert "/providers/Microsoft.KeyVault/" in grant.inputs["scope"] and "/keys/" in grant.inputs["scope"], (
        grant.urn
    )
    assert grant.inputs["roleDefinitionId"].endswith("/e147488a-f6f5-4113-8e2d-b22465e65bf6"), grant.urn
    assert logging.of_type("azure-native:operationalinsights:LinkedService") == [], "nothing linked yet"


def test_workspace_data_is_encrypted_with_the_country_key() -> None:
    logging = record_logging(cluster_key_granted=True)
    cluster = logging.one("azure-native:operationalinsights:Cluster")
    key = cluster.inputs["keyVaultProperties"]
    assert set(key) == {"keyVaultUri", "keyName"} and key["keyName"] == "logs-cmk", (
        f"{cluster.urn}: versionless"
    )
    assert key["keyVaultUri"].startswith("https://") and key["keyVaultUri"].endswith(".vault.azure.net/"), key
    assert cluster.inputs["identity"] == {"type": "SystemAssigned"}, cluster.urn
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
    endpoint = logging.one("azure-native:network:PrivateEndpoint", "de-logs-pe-endpoint")
    assert endpoint.get("privateLinkServiceConnections.0.groupIds") == ["azuremonitor"], endpoint.urn
    zone_group = logging.one("azure-native:network:PrivateDnsZoneGroup", "de-logs-pe-dns")
    zones = [config["privateDnsZoneId"] for config in zone_group.inputs["privateDnsZoneConfigs"]]
    assert zones == [zone_id(zone) for zone in ZONES], at(zone_group)


def test_microsoft_keys_for_logs_only_with_a_stated_reason() -> None:
    """Without a justification the customer key is used (the dedicated cluster above); with one, no cluster."""
    reason = "Ingestion under 5 GB/day; dedicated cluster cost approved as not proportionate by the DPO"
    recording = record_logging(platform_key_justification=reason)
    assert not recording.of_type("azure-native:operationalinsights:Cluster"), (
        "a justified opt-out has no cluster"
    )
    assert not recording.of_type("azure-native:operationalinsights:LinkedService"), "nothing to link"
    assert recording.one(WORKSPACE).inputs["publicNetworkAccessForQuery"] == "Disabled", at(
        recording.one(WORKSPACE)
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"platform_key_justification": "cost"}, "not a justification"),
        ({"retention_days": 7}, "30 to 730"),
        ({"cluster_capacity_gib_per_day": 50}, "100 or more"),
    ],
)
def test_rejects_invalid_logging(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        record_logging(**overrides)
