"""The country's container registry: Azure Container Registry Premium, in-country, private, customer-key encrypted.

Scope: a Premium registry in the platform region, zone-redundant, encrypted with the country's registry key
(versionless, so Key Vault rotation is followed) through a user-assigned identity; admin user, anonymous pull,
public network access, trusted-service bypass and image export all off; Entra tokens with the ARM audience stay
accepted, because the kubelet of a network-isolated cluster pulls with them (see the policy below); untagged
manifests purged after the retention period; dedicated
data endpoints with a private endpoint, so both the login server and the per-region data host resolve privately.
Replicas: only where the caller names them (``replicas``): the stack names the country's in-country secondary
region, so the images and weights survive the loss of the primary region without leaving the country
(geo-replication is a Premium feature, MicrosoftDocs/azure-docs articles/container-registry/
container-registry-geo-replication.md; azure-native 3.29.0 ``containerregistry.Replication``). The private
endpoint is created after the replicas: "when you add a private endpoint connection to a registry, DNS records
... are created for the registry and its data endpoints in the regions where the registry is replicated. If you
later add a new replica, you need to manually add a new zone record for the data endpoint in that region"
(articles/container-registry/container-registry-private-link.md, "Add zone records for replicas"); README
"Secondary region" says what to do on a registry that already exists.

Identity for the key: the current ACR docs (MicrosoftDocs/azure-management-docs articles/container-registry/
tutorial-customer-managed-keys.md) say "You can currently enable a customer-managed key only while creating a
registry" and "You have to configure a user-assigned managed identity to access the key vault. Later, if
required, you can enable the registry's system-assigned managed identity", and for a vault behind a firewall
or private endpoint "you must enable the network settings to allow access by trusted Azure services"
(tutorial-enable-customer-managed-keys.md), which key_custody.py does (bypass AzureServices). So the
user-assigned identity stays. The older report that only the system identity passes the trusted-service
exception (MicrosoftDocs/azure-docs#61064, 2020) is not in the current docs; if a real first deployment
meets it, the documented switch is ``az acr encryption rotate-key --identity [system]``.
Non-goals: cache rules and import pipelines that pull from public registries, content trust (deprecated),
repository-scoped tokens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import authorization, containerregistry

from components.azure.catalogue import KeyPurpose, PrivateZone
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from sovereign.clouds.azure.naming import registry_name

if TYPE_CHECKING:
    from components.azure.key_custody import KeyCustody
    from components.azure.network import SovereignNetwork

__all__ = ["RegistryReplica", "SovereignRegistry", "SovereignRegistryArgs"]


@dataclass(frozen=True)
class RegistryReplica:
    region: str
    """An Azure region of the same country (the caller checks the country; the residency rule checks again)."""
    zone_redundant: bool
    """Zone-redundant replica: only in a region with availability zones (from the region catalogue)."""


@dataclass(frozen=True)
class SovereignRegistryArgs:
    network: SovereignNetwork
    """The platform network: resource group, region, private-endpoint subnet and the registry DNS zone."""
    keys: KeyCustody
    """The country's key custody; its registry key (versionless, so rotation is followed) encrypts the registry."""
    untagged_retention_days: int = 30
    """Days untagged manifests are kept before purge (0-365). Omitted: 30."""
    registry_name: str | None = None
    """Azure name (5-50 letters and digits, globally unique). Omitted: the component name without dashes + 6 hex
    characters hashing it with the subscription (stable across runs; sovereign.clouds.azure.naming)."""
    replicas: Sequence[RegistryReplica] = ()
    """Geo-replicas of the registry, each in another region of the same country. Omitted: none."""
    protect_stateful: bool = True
    """Protect the registry from `pulumi destroy` (the stack sets False outside prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The country's tags."""

    def __post_init__(self) -> None:
        regions = [r.region for r in self.replicas]
        if len(set(regions)) != len(regions) or self.network.location in regions:
            raise ValueError(
                f"replicas: {regions} (allowed: distinct regions other than the registry's own, "
                f"{self.network.location!r}) - the registry's home region is not a replica"
            )
        if not 0 <= self.untagged_retention_days <= 365:
            raise ValueError(f"untagged_retention_days: {self.untagged_retention_days} (allowed: 0 to 365)")


class SovereignRegistry(pulumi.ComponentResource):
    registry_id: pulumi.Output[str]
    registry_name: pulumi.Output[str]
    login_server: pulumi.Output[str]
    """<name>.azurecr.io: the host that image references pinned by digest must name."""

    def __init__(
        self, name: str, args: SovereignRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:azure:SovereignRegistry", name, None, opts)
        network, key = args.network, args.keys.keys[KeyPurpose.REGISTRY]
        registry = containerregistry.Registry(
            f"{name}-registry",
            resource_group_name=network.resource_group_name,
            registry_name=args.registry_name
            or authorization.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).subscription_id.apply(lambda subscription: registry_name(name, subscription)),
            location=network.location,
            sku=containerregistry.SkuArgs(name="Premium"),
            # This API version keys user-assigned identities by id (a map), so the id must be known first.
            identity=pulumi.Output.from_input(key.identity_id).apply(
                lambda identity_id: containerregistry.IdentityPropertiesArgs(
                    type=containerregistry.ResourceIdentityType.USER_ASSIGNED,
                    user_assigned_identities={identity_id: containerregistry.UserIdentityPropertiesArgs()},
                )
            ),
            encryption=containerregistry.EncryptionPropertyArgs(
                status="enabled",
                key_vault_properties=containerregistry.KeyVaultPropertiesArgs(
                    key_identifier=key.key_uri, identity=key.identity_client_id
                ),
            ),
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access="Disabled",
            network_rule_bypass_options="None",
            zone_redundancy="Enabled",
            data_endpoint_enabled=True,
            policies=containerregistry.PoliciesArgs(
                # Export pipelines copy artifacts out of the registry; with public access off Azure allows disabling it.
                export_policy=containerregistry.ExportPolicyArgs(status="disabled"),
                # Enabled: "BYO ACR with authentication-as-arm disabled is not supported" on network-isolated
                # clusters (MicrosoftDocs/azure-aks-docs articles/aks/concepts-network-isolated.md,
                # Limitations), which egress 'none' builds. Rule 'registry-accepts-arm-tokens' keeps it on.
                azure_ad_authentication_as_arm_policy=containerregistry.AzureADAuthenticationAsArmPolicyArgs(
                    status="enabled"
                ),
                retention_policy=containerregistry.RetentionPolicyArgs(
                    status="enabled", days=args.untagged_retention_days
                ),
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
        )
        replicas = [
            containerregistry.Replication(
                f"{name}-replica-{replica.region}",
                resource_group_name=network.resource_group_name,
                registry_name=registry.name,
                replication_name=replica.region,
                location=replica.region,
                zone_redundancy="Enabled" if replica.zone_redundant else "Disabled",
                # Reachable only through the private endpoint's record for its data host, like the home region.
                region_endpoint_enabled=True,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
            )
            for replica in args.replicas
        ]
        PrivateEndpoint(
            f"{name}-pe",
            PrivateEndpointArgs(
                resource_group_name=network.resource_group_name,
                location=network.location,
                subnet_id=network.private_endpoints_subnet_id,
                # The registry's id once its replicas exist, so the endpoint gets their data hosts' records.
                target_resource_id=pulumi.Output.all(registry.id, *[r.id for r in replicas]).apply(
                    lambda ids: ids[0]
                ),
                group_id="registry",
                private_dns_zone_ids=[network.private_dns_zone_ids[PrivateZone.REGISTRY]],
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.registry_id = registry.id
        self.registry_name = registry.name
        self.login_server = registry.login_server
        self.register_outputs({"registry_id": self.registry_id, "login_server": self.login_server})
