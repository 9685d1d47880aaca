"""OCI facts the stack, the policies and the validation share: registry host, storage classes, limits.

Pure data and functions of a validated config; no provider SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sovereign.catalogue import OCI_REALMS, find_region
from sovereign.types import Cloud

if TYPE_CHECKING:
    from sovereign.clouds.oci.settings import OciCountry, OciGroup

__all__ = [
    "KEY_ALGORITHM",
    "KEY_SIZE_BITS",
    "LOCK_DELAY_DAYS",
    "MAX_LOCK_DELAY_DAYS",
    "MAX_VCN_PREFIX",
    "MIN_LOCK_DELAY_DAYS",
    "MIN_ROTATION_DAYS",
    "MIN_VCN_PREFIX",
    "POOL_NAME_PATTERN",
    "STORAGE_PROVISIONER",
    "UNKEYED_STORAGE_CLASSES",
    "VAULT_TIER",
    "group_subject",
    "oci_registry_host",
    "registry_prefix",
    "volume_attachment_type",
]

STORAGE_PROVISIONER = "blockvolume.csi.oraclecloud.com"
"""CSI provisioner of the country's encrypted storage class (OCI block volumes)."""
UNKEYED_STORAGE_CLASSES = ("oci", "oci-bv")
"""OKE built-in storage classes that would store data without the country's key; tenants may not claim them."""
VAULT_TIER = "virtual_private_vault"
"""OCI keys always live in a virtual private vault: the only vault OCI rotates keys in automatically."""
KEY_ALGORITHM = "AES"
KEY_SIZE_BITS = 256
"""OCI master encryption keys: AES-256, HSM protection mode."""
MIN_ROTATION_DAYS = 60
"""OCI rotates vault keys automatically at most every 60 days (and at least every 365)."""
MIN_VCN_PREFIX, MAX_VCN_PREFIX = 16, 24
"""The network component carves a /16 to /24 VCN into its subnets."""
MIN_LOCK_DELAY_DAYS = 14
"""Oracle "Creating an Object Storage Data Retention Rule": "A mandatory 14-day delay exists before a rule is
locked" (docs.oracle.com/en-us/iaas/Content/Object/Tasks/usingretentionrules_topic-To_create_a_retention_rule.htm)."""
LOCK_DELAY_DAYS = 30
"""Lock delay the stack uses after the validation date: the 14-day minimum plus margin until the deployment."""
MAX_LOCK_DELAY_DAYS = 90
"""Latest lock, in days after the validation date. Until the lock, anyone who manages the bucket can delete the rule
and then the audit trail; Oracle's delay exists so "you [can] thoroughly test, modify, or delete the rule or the
rule lock before the rule is permanently locked" (same page as MIN_LOCK_DELAY_DAYS), a test window of weeks, not
a year. 90 days is the stack's 30 plus two months for the deployment to slip."""
POOL_NAME_PATTERN = r"[a-z][a-z0-9-]{0,29}"
"""OKE node pool names as the node pool component accepts them: lower case, starting with a letter, <= 30."""


def volume_attachment_type(config: OciCountry) -> str:
    """Block volumes of the GPU pools (model caches) attach over iSCSI when any GPU pool is bare metal: BM shapes
    have no paravirtualized attachments (terraform-oci-oke modules/workers/locals.tf: "Bare metal instances must
    use iSCSI block volume attachments, not paravirtualized")."""
    bare_metal = any(p.vm_size.startswith("BM.") for p in config.cluster.gpu_pools)
    return "iscsi" if bare_metal else "paravirtualized"


def oci_registry_host(region_name: str) -> str:
    """The region's registry host: ``<key>.ocir.io`` in oc1, ``artifacts.<region>.oci.<realm domain>`` elsewhere."""
    region = find_region(Cloud.OCI, region_name)
    if region is None or region.key is None or region.realm is None:
        return f"unknown-region.{region_name}"  # the residency invariant reports the region itself
    if region.realm == "oc1":
        return f"{region.key.lower()}.ocir.io"
    return f"artifacts.{region.name}.oci.{OCI_REALMS[region.realm]}"


def registry_prefix(config: OciCountry) -> str:
    """The primary region's registry host, then ``/<tenancy namespace>/<registry name>``."""
    host = oci_registry_host(config.regions.primary)
    return f"{host}/{config.oci.tenancy_namespace}/{config.registry.name}"


def group_subject(group: OciGroup) -> str:
    """How the cluster's RBAC names a group: OKE reports IAM groups to Kubernetes RBAC by OCID ("You can use OCIDs
    to map Kubernetes RBAC rolebindings and clusterrolebindings to IAM users and groups"; a group subject is
    "``name: <group-ocid>``": Oracle, "About Access Control and Kubernetes Engine (OKE)",
    contengaboutaccesscontrol.htm), so a binding to the display name matches nobody. Validation requires the OCID
    (``rbac_groups_by_ocid``)."""
    return group.ocid or group.name
