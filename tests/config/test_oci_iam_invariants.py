"""OCI admin and break-glass groups are named by OCID (REAL_PLATFORM_FINDINGS O20): OCI rejects a policy naming a
group that does not exist and the stack creates no groups; Oracle's syntax is 'group id <group_ocid>'
(https://docs.oracle.com/iaas/Content/Identity/policysyntax/subject.htm)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.config.helpers import DELETE, edit, merged, messages, violations


@pytest.mark.parametrize("kind", ["admin_groups", "break_glass_groups"])
def test_rejects_an_access_group_without_ocid(kind: str) -> None:
    found = messages(edit(merged("fr"), {f"access.{kind}.0.ocid": DELETE}))
    hits = [m for m in found if f"access.{kind}[0].ocid" in m or f"access.{kind}.0.ocid" in m]
    assert hits, found
    assert "has no OCID" in hits[0] and "ocid1.group.oc1.." in hits[0], hits[0]


def test_shipped_oci_countries_name_their_groups_by_ocid() -> None:
    for code in ("fr", "jp", "au", "ae"):
        assert violations(merged(code)) == [], code


def test_rejects_an_ocid_that_is_not_a_group() -> None:
    with pytest.raises(ValidationError, match="ocid"):
        violations(edit(merged("fr"), {"access.admin_groups.0.ocid": "ocid1.user.oc1..aaaaaaaaadmin"}))
