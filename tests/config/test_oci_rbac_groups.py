"""OKE binds tenant groups in Kubernetes RBAC by the IAM group's OCID (Oracle, "About Access Control and Kubernetes
Engine (OKE)", contengaboutaccesscontrol.htm: a group subject is 'name: <group-ocid>'): a tenant group without its
OCID is refused, and the tenant's RoleBinding names the OCID."""

from __future__ import annotations

from sovereign.clouds.oci.facts import group_subject
from sovereign.clouds.oci.settings import OciGroup
from tests.config.helpers import DELETE, edit, merged, messages, violations

TENANT_OCID = "ocid1.group.oc1..aaaaaaaafrtenantlegaltechplaceholder"


def test_the_shipped_tenant_is_bound_by_ocid() -> None:
    assert violations(merged("fr")) == []
    group = OciGroup(name="tenant-legaltech-lyon", ocid=TENANT_OCID)
    assert group_subject(group) == TENANT_OCID


def test_rejects_a_tenant_group_without_ocid() -> None:
    # A careless edit: the tenant added with the group's display name only, as on Azure's old name-based binding.
    found = messages(edit(merged("fr"), {"tenants.0.group.ocid": DELETE}))
    hits = [m for m in found if "tenants" in m and "ocid" in m]
    assert len(hits) == 1, found
    assert "group 'tenant-legaltech-lyon' has no OCID" in hits[0]
    assert "bind nobody" in hits[0] and "ocid1.group.oc1.." in hits[0]
