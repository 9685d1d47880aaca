"""Every place an Azure country's data or metadata goes (``sovereign.config.data_paths``), with its region.

What is listed, and what keeps each in the country:

- The AKS control plane and etcd, the node disks, the Key Vault, the stores, the log workspace (and its
  dedicated cluster), the registry: all created in the primary region by the one in-country provider (rule
  ``residency``; Azure Policy allowed locations on the platform's resource group, components/azure/policy.py).
- Key Vault's own copy: Azure replicates a vault "to a secondary region ... within the same geography" (the
  region's pair; ``sovereign.rules.residency.key_vault_replica_of``), refused where that pair is abroad
  (invariant ``keys_stay_in_country``).
- Geo-redundant stores: copied to the primary's pair, allowed only where the pair is in the country (invariant
  ``no_cross_border_replication``, rule ``no-cross-border-replication``).
- The registry's replica in the secondary region, when that region is in the country (components/azure/
  registry.py; rule ``registry-replica-in-country``).
- Audit logs: the AKS diagnostic categories (kube-audit-admin, guard, ...) and the subscription's Activity Log
  (role assignments, break-glass activations, Customer Lockbox requests and approvals) into the workspace in the
  primary region (rules ``audit-logs-in-country``, ``activity-log-in-country``).
- Images and model weights: pulled by the nodes from the registry through its private endpoint.
- Microsoft Defender for Containers (``azure.defender``): its events go to the workspace, but its "security
  alerts and recommendations ... are stored in the Defender for Cloud backend" (MicrosoftDocs/azure-docs
  articles/defender-for-cloud/plan-defender-for-servers-data-workspace.md, "Storage locations"), a place
  Microsoft does not name by region: listed with an unknown country, so validation refuses Defender.
- The egress firewall (``azure.egress`` allow_list): the country's own hub firewall at ``firewall_ip``.

Not listed, and why (README "Data paths"): the Entra ID tenant (users, groups, sign-in logs; its data location
follows the country chosen when the tenant was created, which the country file does not state), the Activity
Log's own 90-day store (Azure-managed, per subscription; the export above is what the country keeps), and the
allow-list's destinations (what they receive is the reason they are allowed; checked by the egress rules).
"""

from __future__ import annotations

from collections.abc import Iterator

from sovereign.catalogue import region_country
from sovereign.clouds.azure.settings import AzureCountry
from sovereign.config.data_paths import DataPath, PathSource
from sovereign.config.errors import PathParts
from sovereign.config.schema import CountryConfig
from sovereign.rules.residency import geo_pair_of, key_vault_replica_of
from sovereign.types import Cloud, EgressMode

__all__ = ["SOURCES"]

_PRIMARY: PathParts = ("regions", "primary")
_KEEP_PRIMARY = "choose an in-country primary region ('regions.primary')"


def _in(
    name: str,
    destination: str,
    region: str,
    control: str,
    setting: PathParts = _PRIMARY,
    fix: str = _KEEP_PRIMARY,
) -> DataPath:
    return DataPath(name, destination, region, region_country(Cloud.AZURE, region), control, setting, fix)


def platform(config: CountryConfig) -> Iterator[DataPath]:
    """What the stack creates in the primary region."""
    if not isinstance(config, AzureCountry):
        return
    primary = config.regions.primary
    where = "created in regions.primary by the stack's one provider; rule residency"
    yield _in(
        "Kubernetes control plane and etcd (secrets under the country's etcd key)",
        "AKS managed cluster",
        primary,
        f"components/azure/cluster.py: {where}",
    )
    yield _in(
        "node OS and data disks (serving images, model weights, volumes)",
        "managed disks under the country's disk encryption set",
        primary,
        f"components/azure/disk_encryption.py: {where}",
    )
    yield _in(
        "customer-managed keys", "Key Vault Premium", primary, f"components/azure/key_custody.py: {where}"
    )
    yield _in(
        "container images and model weights",
        f"Container Registry {config.registry.name}",
        primary,
        f"components/azure/registry.py: {where}",
        ("registry", "name"),
    )
    yield _in(
        "image and weight pulls by the nodes",
        f"{config.registry.name}.azurecr.io via its private endpoint",
        primary,
        "rule images-from-country-registry: every image from the country's registry",
        ("registry", "name"),
    )


def replicas(config: CountryConfig) -> Iterator[DataPath]:
    """The copies Azure makes of the keys, the stores and the registry."""
    if not isinstance(config, AzureCountry):
        return
    primary = config.regions.primary
    kv = key_vault_replica_of(primary, config.country)
    if kv is not None and kv.replica is not None:
        yield DataPath(
            "Key Vault's replica of every key",
            f"Key Vault replica in {kv.replica}",
            kv.replica,
            kv.replica_country,
            "Azure's in-geography vault replication; invariant keys_stay_in_country",
            _PRIMARY,
            "choose a primary region whose Key Vault pair is in the country",
        )
    pair = geo_pair_of(Cloud.AZURE, primary, config.country)
    for i, store in enumerate(config.storage.stores):
        setting: PathParts = ("storage", "stores", i, "redundancy")
        yield _in(
            f"store '{store.name}' ({store.purpose})",
            "Storage account (primary copy)",
            primary,
            "components/azure/storage.py: created in regions.primary; rule residency",
        )
        if store.redundancy.is_geo:
            target = pair.pair.name if pair and pair.pair else None
            yield DataPath(
                f"store '{store.name}': geo-redundant copy",
                f"paired region {target}",
                target,
                region_country(Cloud.AZURE, target),
                "invariant no_cross_border_replication; rule no-cross-border-replication",
                setting,
                "use redundancy 'zone'",
            )
    secondary = config.regions.secondary
    if secondary and region_country(Cloud.AZURE, secondary) == config.country:
        yield _in(
            "container images and model weights: disaster-recovery replica",
            f"Container Registry replica in {secondary}",
            secondary,
            "components/azure/registry.py replicas; rule registry-replica-in-country",
            ("regions", "secondary"),
            "name an in-country secondary region, or remove it",
        )


def logs(config: CountryConfig) -> Iterator[DataPath]:
    """Audit logs, the Activity Log, Defender."""
    if not isinstance(config, AzureCountry):
        return
    primary = config.regions.primary
    workspace = "Log Analytics workspace (customer key through its dedicated cluster)"
    yield _in(
        "AKS audit logs (kube-audit-admin, guard) and control-plane logs",
        workspace,
        primary,
        "components/azure/cluster.py diagnostic setting; rule audit-logs-in-country",
    )
    yield _in(
        "Activity Log: role assignments, break-glass activations, Customer Lockbox requests",
        workspace,
        primary,
        "components/azure/audit_logging.py subscription diagnostic setting; rule activity-log-in-country",
    )
    if config.azure.defender:
        setting: PathParts = ("azure", "defender")
        yield _in(
            "Defender for Containers security events",
            workspace,
            primary,
            "components/azure/cluster_profiles.py: Defender's workspace is the country's",
            setting,
        )
        yield DataPath(
            "Defender security alerts and recommendations",
            "Microsoft Defender for Cloud backend",
            None,
            None,
            "none: Microsoft does not state the backend's region (MicrosoftDocs/azure-docs "
            "plan-defender-for-servers-data-workspace.md, 'Storage locations')",
            setting,
            "set azure.defender false: the alerts would be kept where the country cannot name",
        )


def egress(config: CountryConfig) -> Iterator[DataPath]:
    """The egress firewall all outbound traffic is routed to (allow_list only)."""
    if not isinstance(config, AzureCountry) or config.azure.egress.mode is not EgressMode.ALLOW_LIST:
        return
    yield DataPath(
        "outbound traffic to the allow-listed destinations",
        f"the country's egress firewall at {config.azure.egress.firewall_ip}",
        None,
        config.country,
        "azure.egress.firewall_ip: the country's own hub firewall on its private network (the route table sends "
        "0.0.0.0/0 there); its policy holds exactly allowed_destinations (components/azure/egress_allow_list.py)",
        ("azure", "egress", "firewall_ip"),
        "route egress to a firewall in the country",
    )


SOURCES: list[PathSource] = [platform, replicas, logs, egress]
