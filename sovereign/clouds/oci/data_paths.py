"""Every place an OCI country's data or metadata goes (``sovereign.config.data_paths``), with its region.

What is listed, and what keeps each in the country:

- IAM metadata and identities (compartment, policies, dynamic groups, quotas; the identity domain's users, groups
  and group membership, break-glass membership included) live in the tenancy's home region: OCI accepts IAM writes
  only there (oracle/terraform-provider-oci#1596). A tenancy whose home region lies abroad sends them abroad, and OCI
  cannot move a home region, so such a tenancy is refused, not worked around.
- Audit events: OCI Audit records the API calls of each region in that region ("automatically records calls to all
  supported Oracle Cloud Infrastructure public application programming interface (API) endpoints", Oracle, "Overview
  of Audit"); the Service Connector copies the compartment's ``_Audit`` to the locked audit bucket in the primary.
- Flow logs: the log group in the primary region (OCI Logging is regional).
- Keys: the vault in the primary; with a secondary region, its replica there (``components.oci.key_replica``).
- Buckets: the primary only, never replicated (invariant ``buckets_stay_in_region``, rule
  ``no-cross-border-replication``).
- Images and model weights: pulled from the primary's registry host ('<key>.ocir.io'); OCIR has no cross-region
  replication (pulumi_oci 5.5.0 ``artifacts`` declares none), so nothing is copied elsewhere by the platform.
- Node bootstrap: the OCIR credential provider fetched at boot from the node-bootstrap bucket of the primary.
- Oracle services: reached through the VCN's service gateway, which serves "All <region> Services In Oracle Services
  Network" of the VCN's own region; there is no NAT or internet gateway.

Not listed because the toolkit does not deploy them: Cloud Guard (tenancy-level, enabled with a reporting region by
the landing zone: that region must be in the country, a check for whoever owns the tenancy), Logging Analytics,
OCI Operator Access Control (it covers Exadata Cloud@Customer, Exadata infrastructure, Autonomous VM clusters and
Compute Cloud@Customer only: oci-go-sdk v65.123.2 ``operatoraccesscontrol/resource_types.go``, none of them used here).
"""

from __future__ import annotations

from collections.abc import Iterator

from sovereign.catalogue import region_country
from sovereign.clouds.oci.facts import oci_registry_host
from sovereign.clouds.oci.settings import OciCountry
from sovereign.config.data_paths import DataPath, PathSource
from sovereign.config.errors import PathParts
from sovereign.config.schema import CountryConfig
from sovereign.types import Cloud, StorePurpose

__all__ = ["SOURCES"]


def _in(name: str, destination: str, region: str, control: str, setting: PathParts, fix: str) -> DataPath:
    return DataPath(name, destination, region, region_country(Cloud.OCI, region), control, setting, fix)


_PRIMARY: PathParts = ("regions", "primary")
_KEEP_PRIMARY = "choose an in-country primary region ('regions.primary')"


def identity(config: CountryConfig) -> Iterator[DataPath]:
    """IAM metadata and the identity domain: the tenancy's home region."""
    if not isinstance(config, OciCountry):
        return
    home = config.oci.home_region or config.regions.primary
    setting: PathParts = ("oci", "home_region") if config.oci.home_region else _PRIMARY
    fix = (
        "deploy the country in a tenancy whose home region is in the country (OCI cannot change a tenancy's home "
        "region), and set 'oci.home_region' to it"
    )
    yield _in(
        "IAM metadata: compartment, policies, dynamic groups, quotas",
        "OCI Identity of the tenancy (home region)",
        home,
        "stacks/oci_platform.py: every IAM write through the home-region provider, checked against the "
        "tenancy's region subscriptions; rule oci-iam-in-home-region",
        setting,
        fix,
    )
    yield _in(
        "identities and group membership (admin, break-glass, tenant groups)",
        "the tenancy's identity domain (home region)",
        home,
        "access.*.ocid: existing groups of the identity domain, named by OCID",
        setting,
        fix,
    )


def logs(config: CountryConfig) -> Iterator[DataPath]:
    """Audit events, their export, and flow logs."""
    if not isinstance(config, OciCountry):
        return
    primary = config.regions.primary
    for region, setting in ((primary, _PRIMARY), (config.regions.secondary, ("regions", "secondary"))):
        if region:
            yield _in(
                f"audit events of API calls in {region}",
                f"OCI Audit in {region}",
                region,
                "OCI Audit is regional: it records each region's calls in that region",
                setting,
                "use only in-country regions",
            )
    audit = next((s for s in config.storage.stores if s.purpose == StorePurpose.AUDIT_LOGS), None)
    if audit is not None:
        yield _in(
            "audit events of the country compartment, exported",
            f"locked audit bucket of store '{audit.name}' (Service Connector)",
            primary,
            "components.oci.audit_logging: connector and bucket in the stack's region; rule "
            "oci-audit-retention-locked",
            _PRIMARY,
            _KEEP_PRIMARY,
        )
    yield _in(
        "VCN flow logs",
        "OCI Logging log group of the country compartment",
        primary,
        "components.oci.audit_logging: log group in the stack's region; rule audit-logs-in-country",
        _PRIMARY,
        _KEEP_PRIMARY,
    )


def keys_and_data(config: CountryConfig) -> Iterator[DataPath]:
    """The vault, its replica, the buckets, the registry and the node bootstrap."""
    if not isinstance(config, OciCountry):
        return
    primary = config.regions.primary
    yield _in(
        "master encryption keys",
        "virtual private vault of the country compartment",
        primary,
        "components.oci.key_custody: vault in the stack's region; kms quotas zero outside the allowed regions",
        _PRIMARY,
        _KEEP_PRIMARY,
    )
    if config.regions.secondary:
        yield _in(
            "master encryption keys, replicated for disaster recovery",
            "vault replica (same key OCIDs, cryptographic operations only)",
            config.regions.secondary,
            "components.oci.key_replica: replica in 'regions.secondary'; rule oci-key-replica-in-country",
            ("regions", "secondary"),
            "choose an in-country secondary region, or remove 'regions.secondary'",
        )
    for i, store in enumerate(config.storage.stores):
        yield _in(
            f"objects of store '{store.name}' ({store.purpose.value})",
            "Object Storage bucket, no replication policy",
            primary,
            "invariant buckets_stay_in_region; rule no-cross-border-replication",
            ("storage", "stores", i, "redundancy"),
            "use 'zone' or 'local' redundancy",
        )
    yield _in(
        "container images and model weights pulled by nodes",
        f"OCI Registry {oci_registry_host(primary)}",
        primary,
        "image references validated against the primary's registry host; rule oke-registry-pulls",
        _PRIMARY,
        _KEEP_PRIMARY,
    )
    yield _in(
        "OCIR credential provider fetched by nodes at boot",
        f"Object Storage bucket '{config.oci.node_bootstrap.bucket}' (read-only pre-authenticated request)",
        primary,
        "components.oci.node_bootstrap: the request names the bucket in the stack's region",
        ("oci", "node_bootstrap", "bucket"),
        "stage the credential provider in a bucket of the primary region",
    )
    yield _in(
        "node and pod traffic to Oracle services",
        "service gateway: the region's Oracle Services Network",
        primary,
        "components.oci.network: service gateway of the VCN's region, no NAT or internet gateway",
        _PRIMARY,
        _KEEP_PRIMARY,
    )


SOURCES: list[PathSource] = [identity, logs, keys_and_data]
"""OCI's data-path sources (read by ``sovereign.config.data_paths.data_paths``)."""
