"""Sovereignty rules over Azure and OCI resources, on the providers' wire-named properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sovereign.catalogue import region_country
from sovereign.policies.azure_controls import AZURE_CONTROL_RULES
from sovereign.policies.azure_ordering import AZURE_PLATFORM_RULES
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule
from sovereign.policies.stateful import RETAINED_TYPES, STATEFUL_TYPES
from sovereign.rules.residency import geo_pair_of, key_vault_replica_of
from sovereign.rules.service_egress import (
    AZURE_POLICY_DESTINATIONS,
    DEFENDER_DESTINATIONS,
    ServiceDestination,
    missing_destinations,
)
from sovereign.types import Cloud

__all__ = ["CLOUD_RULES"]

_GLOBAL_TYPES = {
    # Private DNS zones and their links are global by design: they hold names, not data.
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:privatedns:PrivateRecordSet",
    "azure-native:network:PrivateDnsZoneGroup",
    # Azure Monitor private link scopes are global objects that only name which workspaces are private.
    "azure-native:monitor:PrivateLinkScope",
}


def _eq(value: Any, expected: str) -> bool:
    return isinstance(value, str) and value.lower() == expected.lower()


def _residency(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    allowed = ", ".join(sorted(ctx.allowed_regions))
    for r in resources:
        if r.type.startswith("pulumi:providers:"):
            region = r.get("location") or r.get("region")
            if (
                r.type in ("pulumi:providers:azure-native", "pulumi:providers:oci")
                and region not in ctx.allowed_regions
            ):
                yield Finding(
                    f"provider region {region!r} is outside the country (allowed: {allowed})", r.urn
                )
            continue
        location = r.get("location")
        if location is None or r.type in _GLOBAL_TYPES:
            continue
        if str(location).replace(" ", "").lower() not in ctx.allowed_regions:
            yield Finding(f"location {location!r} is outside the country (allowed: {allowed})", r.urn)


def _explicit_provider(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in resources:
        is_cloud_resource = r.custom and not r.type.startswith(("pulumi:providers:", "kubernetes:"))
        if is_cloud_resource and (not r.provider or "::default_" in r.provider):
            yield Finding(
                "uses a default provider; every resource must use the stack's in-country provider", r.urn
            )


def _cmk(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in resources:
        t = r.type
        if t == "azure-native:storage:StorageAccount":
            if not _eq(r.get("encryption.keySource"), "Microsoft.Keyvault"):
                yield Finding("storage account not encrypted with the customer-managed key", r.urn)
            if r.get("encryption.requireInfrastructureEncryption") is not True:
                yield Finding("storage account without infrastructure (double) encryption", r.urn)
        elif t == "azure-native:containerregistry:Registry" and not _eq(
            r.get("encryption.status"), "enabled"
        ):
            yield Finding("registry not encrypted with the customer-managed key", r.urn)
        elif t == "azure-native:containerservice:ManagedCluster":
            if not r.get("diskEncryptionSetID"):
                yield Finding("cluster disks without a customer-key disk encryption set", r.urn)
            if r.get("securityProfile.azureKeyVaultKms.enabled") is not True:
                yield Finding("etcd secrets not encrypted with the vault key (KMS)", r.urn)
        elif t == "azure-native:compute:DiskEncryptionSet" and not r.get("activeKey.keyUrl"):
            yield Finding("disk encryption set without an active customer key", r.urn)
        elif t == "oci:ObjectStorage/bucket:Bucket" and not r.get("kmsKeyId"):
            yield Finding("bucket not encrypted with the vault key", r.urn)
        elif t == "oci:ContainerEngine/cluster:Cluster" and not r.get("kmsKeyId"):
            yield Finding("cluster secrets not encrypted with the vault key", r.urn)
        elif t == "oci:ContainerEngine/nodePool:NodePool":
            if not r.get("nodeConfigDetails.kmsKeyId"):
                yield Finding("node boot volumes not encrypted with the vault key", r.urn)
            # Only VM shapes have paravirtualized attachments to encrypt (bare metal: iSCSI only, see
            # oci_platform_rules.no_transit_encryption_on_bare_metal).
            vm = str(r.get("nodeShape") or "").startswith("VM.")
            if vm and r.get("nodeConfigDetails.isPvEncryptionInTransitEnabled") is not True:
                yield Finding("volumes without in-transit encryption", r.urn)


def _no_public(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # A route to a firewall is an allow-list only if the allowed destinations are rules of its policy.
    has_rules = any(r.type == "azure-native:network:FirewallPolicyRuleCollectionGroup" for r in resources)
    for r in resources:
        if r.type == "azure-native:network:RouteTable" and not has_rules:
            to_firewall = [x for x in r.get("routes") or [] if x.get("nextHopType") == "VirtualAppliance"]
            if to_firewall:
                yield Finding(
                    "outbound traffic goes to a firewall, but no rule collection group of its policy lists the "
                    "allowed destinations: the allow-list is enforced nowhere",
                    r.urn,
                )
        t = r.type
        if t in ("azure-native:network:PublicIPAddress", "oci:Core/internetGateway:InternetGateway"):
            yield Finding(
                f"{t.rsplit(':', 1)[-1]} declared: no public ingress or egress path is allowed", r.urn
            )
        elif t in ("azure-native:keyvault:Vault", "azure-native:keyvault:ManagedHsm"):
            if not _eq(r.get("properties.publicNetworkAccess"), "Disabled"):
                yield Finding("vault public network access is not disabled", r.urn)
        elif t == "azure-native:storage:StorageAccount":
            if (
                not _eq(r.get("publicNetworkAccess"), "Disabled")
                or r.get("allowBlobPublicAccess") is not False
            ):
                yield Finding(
                    "storage account reachable publicly (network access or blob public access)", r.urn
                )
        elif t == "azure-native:containerregistry:Registry":
            if not _eq(r.get("publicNetworkAccess"), "Disabled") or r.get("adminUserEnabled") is not False:
                yield Finding("registry public access or admin user not disabled", r.urn)
            if r.get("anonymousPullEnabled") is True:
                yield Finding("registry allows anonymous pull", r.urn)
        elif t == "azure-native:operationalinsights:Workspace":
            for key in ("publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"):
                if not _eq(r.get(key), "Disabled"):
                    yield Finding(f"log workspace {key} is not disabled", r.urn)
        elif t == "azure-native:containerservice:ManagedCluster":
            if r.get("apiServerAccessProfile.enablePrivateCluster") is not True:
                yield Finding("AKS API server is not private", r.urn)
            if r.get("apiServerAccessProfile.enablePrivateClusterPublicFQDN") is True:
                yield Finding("AKS private cluster publishes a public FQDN", r.urn)
        elif t == "oci:Core/subnet:Subnet" and r.get("prohibitPublicIpOnVnic") is not True:
            yield Finding("subnet allows public IPs on VNICs", r.urn)
        elif (
            t == "oci:ContainerEngine/cluster:Cluster"
            and r.get("endpointConfig.isPublicIpEnabled") is not False
        ):
            yield Finding("OKE API endpoint has a public IP", r.urn)
        elif t == "oci:ObjectStorage/bucket:Bucket" and r.get("accessType") != "NoPublicAccess":
            yield Finding("bucket allows public access", r.urn)


_OCI_REPLICAS = {
    "oci:ObjectStorage/replicationPolicy:ReplicationPolicy": "destinationRegionName",
    "oci:Kms/vaultVerification:VaultVerification": "replicaRegion",
}
"""OCI resources that copy data to another region, and the input naming that region."""


def _no_cross_border(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    geo = geo_pair_of(ctx.config.cloud, ctx.config.regions.primary, ctx.config.country)
    for r in resources:
        t = r.type
        if t == "azure-native:storage:StorageAccount":
            sku = str(r.get("sku.name") or "")
            if ("GRS" in sku or "GZRS" in sku) and (geo is None or not geo.stays_in_country):
                yield Finding(f"{sku}: {geo.refusal() if geo else 'the region has no known pair'}", r.urn)
        elif t == "azure-native:insights:DiagnosticSetting":
            if (
                r.get("storageAccountId")
                or r.get("eventHubAuthorizationRuleId")
                or r.get("marketplacePartnerId")
            ):
                yield Finding("diagnostic logs sent beyond the in-country workspace", r.urn)
        elif t in _OCI_REPLICAS:
            # pulumi-oci 3.x: ReplicationPolicy.destinationRegionName (a bucket copied to another region),
            # VaultVerification.replicaRegion (terraform oci_kms_vault_replication: a vault replica). In-country
            # replicas are the secondary region's disaster recovery; only a region abroad or unknown is refused.
            target = r.get(_OCI_REPLICAS[t])
            country = region_country(Cloud.OCI, target) if isinstance(target, str) else None
            if isinstance(target, str) and country != ctx.config.country:
                where = f"which lies in '{country}'" if country else "which the catalogue does not know"
                yield Finding(f"{t.rsplit(':', 1)[-1]} copies data to {target!r}, {where}", r.urn)


def _key_vault_replica(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    # Azure copies a vault to its region's pair on its own (no resource declares it): judge the location.
    for r in resources:
        if r.type != "azure-native:keyvault:Vault" or r.get("location") is None:
            continue
        location = str(r.get("location")).replace(" ", "").lower()
        replica = key_vault_replica_of(location, ctx.config.country)
        if replica is None:
            yield Finding(
                f"vault in {location!r}, a region the catalogue lacks: where Key Vault copies it is unknown",
                r.urn,
            )
        elif not replica.stays_in_country:
            yield Finding(replica.refusal(), r.urn)


def _allowed_by_firewall(resources: list[ResourceView]) -> list[tuple[str, int]]:
    """(host, port) pairs that the plan's firewall rule collection groups allow as HTTPS application rules."""
    allowed: list[tuple[str, int]] = []
    for r in resources:
        if r.type != "azure-native:network:FirewallPolicyRuleCollectionGroup":
            continue
        for collection in r.get("ruleCollections") or []:
            if not _eq((collection.get("action") or {}).get("type"), "Allow"):
                continue
            for rule in collection.get("rules") or []:
                if rule.get("ruleType") != "ApplicationRule":
                    continue
                ports = [
                    p.get("port") for p in rule.get("protocols") or [] if _eq(p.get("protocolType"), "Https")
                ]
                allowed += [(fqdn, port) for fqdn in rule.get("targetFqdns") or [] for port in ports]
    return allowed


def _cluster_features(r: ResourceView) -> list[tuple[str, tuple[ServiceDestination, ...]]]:
    """The cluster's enabled features that report to a service outside the network, with its destinations."""
    features: list[tuple[str, tuple[ServiceDestination, ...]]] = []
    if r.get("securityProfile.defender.securityMonitoring.enabled") is True:
        features.append(("Microsoft Defender (securityProfile.defender)", DEFENDER_DESTINATIONS))
    addons = r.get("addonProfiles") or {}
    if any(k.lower() == "azurepolicy" and (v or {}).get("enabled") is True for k, v in addons.items()):
        features.append(("the Azure Policy add-on (addonProfiles.azurepolicy)", AZURE_POLICY_DESTINATIONS))
    return features


def _features_reach_their_service(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    allowed = _allowed_by_firewall(resources)
    for r in resources:
        if r.type != "azure-native:containerservice:ManagedCluster":
            continue
        for feature, needed in _cluster_features(r):
            if r.get("networkProfile.outboundType") == "none":
                yield Finding(
                    f"{feature} is enabled on a cluster with outbound type 'none': it cannot reach its service "
                    f"({', '.join(d.fqdn for d in needed)}) and reports nothing",
                    r.urn,
                )
                continue
            missing = missing_destinations(needed, allowed)
            if missing:
                hosts = ", ".join(f"{d.fqdn}:{d.port}" for d in missing)
                yield Finding(
                    f"{feature} is enabled but no firewall rule collection group of the plan allows {hosts}: "
                    "it cannot reach its service and reports nothing",
                    r.urn,
                )


def _protected(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    if not ctx.is_prod:
        return
    for r in resources:
        if r.type in STATEFUL_TYPES and not r.protect:
            yield Finding(
                f"stateful resource is not protected in a prod stack ({STATEFUL_TYPES[r.type]})", r.urn
            )
        if r.type in RETAINED_TYPES and r.retain_on_delete is False:
            yield Finding(f"not retained on delete ({STATEFUL_TYPES[r.type]})", r.urn)


def _audit_logs(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    wanted = ctx.config.audit_logging.retention_days
    workspaces = [r for r in resources if r.type == "azure-native:operationalinsights:Workspace"]
    if ctx.config.cloud == Cloud.AZURE and not workspaces:
        yield Finding("no in-country audit log workspace declared")
    for r in workspaces:
        if (r.get("retentionInDays") or 0) < wanted:
            yield Finding(f"log retention {r.get('retentionInDays')} days < configured {wanted}", r.urn)
    if ctx.config.cloud == Cloud.OCI:
        groups = [r for r in resources if r.type == "oci:Logging/logGroup:LogGroup"]
        if not groups:
            yield Finding("no in-country log group declared")


def _is_cloud(r: ResourceView) -> bool:
    return not r.type.startswith("kubernetes:") and r.custom


CLOUD_RULES: tuple[Rule, ...] = (
    Rule(
        "residency",
        "Every resource with a location, and every provider, is in the country's allowed regions.",
        _residency,
        _is_cloud,
        reads=("inputs.location", "inputs.region", "provider"),
    ),
    Rule(
        "explicit-in-country-provider",
        "Every cloud resource uses the stack's explicit in-country provider.",
        _explicit_provider,
        _is_cloud,
        reads=("provider",),
    ),
    Rule(
        "customer-managed-encryption",
        "Customer-managed keys on every data store, disk set and cluster secret store.",
        _cmk,
        _is_cloud,
        reads=(
            "inputs.encryption.*",
            "inputs.diskEncryptionSetID",
            "inputs.securityProfile.azureKeyVaultKms.*",
            "inputs.activeKey.*",
            "inputs.kmsKeyId",
            "inputs.nodeConfigDetails.kmsKeyId",
            "inputs.nodeConfigDetails.isPvEncryptionInTransitEnabled",
        ),
    ),
    Rule(
        "no-public-endpoints",
        "No public endpoints or public IPs; outbound traffic routed to a firewall has its allow-list rules.",
        _no_public,
        _is_cloud,
        reads=(
            "inputs.publicNetworkAccess*",
            "inputs.properties.publicNetworkAccess",
            "inputs.allowBlobPublicAccess",
            "inputs.adminUserEnabled",
            "inputs.anonymousPullEnabled",
            "inputs.apiServerAccessProfile.*",
            "inputs.prohibitPublicIpOnVnic",
            "inputs.endpointConfig.isPublicIpEnabled",
            "inputs.accessType",
            "inputs.routes*",
            "inputs.ruleCollections*",
        ),
    ),
    Rule(
        "no-cross-border-replication",
        "No replication or log destination outside the country.",
        _no_cross_border,
        _is_cloud,
        reads=(
            "inputs.sku.name",
            "inputs.storageAccountId",
            "inputs.eventHubAuthorizationRuleId",
            "inputs.marketplacePartnerId",
            "inputs.destinationRegionName",
            "inputs.replicaRegion",
        ),
    ),
    Rule(
        "key-vault-replica-in-country",
        "Every key vault is in a region whose Key Vault copy (Azure replicates vaults to the paired region) stays "
        "in the country.",
        _key_vault_replica,
        _is_cloud,
        reads=("inputs.location",),
    ),
    Rule(
        "features-reach-their-service",
        "Cluster features that report to a Microsoft service (Defender, the Azure Policy add-on) have an egress "
        "path: outbound routing and allow rules of the firewall policy for each of their destinations.",
        _features_reach_their_service,
        _is_cloud,
        reads=(
            "inputs.securityProfile.defender.*",
            "inputs.addonProfiles*",
            "inputs.networkProfile.outboundType",
            "inputs.ruleCollections*",
        ),
    ),
    Rule(
        "stateful-protected",
        "Stateful resources (cloud and Kubernetes) are protected in prod; keys, vaults and resource groups are "
        "retained on delete.",
        _protected,
        lambda r: r.custom,
        reads=("protect",),
    ),
    Rule(
        "audit-logs-in-country",
        "Audit logs in-country with the required retention.",
        _audit_logs,
        _is_cloud,
        reads=("inputs.retentionInDays",),
    ),
)
CLOUD_RULES += AZURE_PLATFORM_RULES
"""Azure's platform constraints and creation order (``azure_ordering``): what a mock cannot show."""
CLOUD_RULES += AZURE_CONTROL_RULES
"""Azure controls built beyond the country file (``azure_controls``): locked WORM, eligible-only break-glass,
the Activity Log in-country, the registry's in-country replica."""
