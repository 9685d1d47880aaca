"""Accept and reject cases for every sovereignty invariant (one accept test covers every shipped stack)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from sovereign.config.loader import validate_files
from tests.config.helpers import AS_OF, CONFIG_DIR, DELETE, edit, merged, messages, violations

SHIPPED = ["de", "gb", "no", "in", "kr", "br", "fr", "jp", "au", "ae"]


def test_every_shipped_country_environment_is_valid() -> None:
    configs, problems = validate_files(config_dir=CONFIG_DIR, as_of=AS_OF)
    assert problems == []
    assert {c.country for c in configs} == set(SHIPPED)
    clouds = {c.country: c.cloud.value for c in configs}
    assert {k for k, v in clouds.items() if v == "azure"} == {"de", "gb", "no", "in", "kr", "br"}
    assert {k for k, v in clouds.items() if v == "oci"} == {"fr", "jp", "au", "ae"}


def _one(found: list[str], *needles: str) -> str:
    hits = [m for m in found if all(n in m for n in needles)]
    assert hits, f"no violation mentioning {needles}; got {found}"
    return hits[0]


# 1. residency -------------------------------------------------------------------------------------------------


def test_rejects_primary_region_in_another_country() -> None:
    msg = _one(messages(edit(merged("de"), {"regions.primary": "francecentral"})), "regions.primary", "'fr'")
    assert "germanywestcentral" in msg  # the allowed list names the in-country regions


def test_rejects_unknown_region() -> None:
    _one(
        messages(edit(merged("de"), {"regions.secondary": "germanysouth"})),
        "unknown azure region 'germanysouth'",
    )


def test_rejects_secondary_region_outside_country_or_equal_to_primary() -> None:
    _one(messages(edit(merged("no"), {"regions.secondary": "swedencentral"})), "regions.secondary", "'se'")
    msg = _one(messages(edit(merged("no"), {"regions.secondary": "norwayeast"})), "primary region again")
    assert "norwaywest" in msg


def test_rejects_removed_settings() -> None:
    for path, value in (
        ("audit_logging.region", "norwayeast"),
        ("network.pod_cidr", "100.106.0.0/16"),
        ("network.egress", {"mode": "none"}),
        ("network.api_server_private", True),
        ("key_custody.tier", "key_vault_premium"),
        ("audit_logging.platform_key_justification", "x" * 50),
        ("cluster.gpu_pools.0.taints", []),
    ):
        with pytest.raises(ValidationError, match="Extra inputs"):
            violations(edit(merged("no"), {path: value}))
    with pytest.raises(ValidationError, match="Extra inputs"):
        violations(edit(merged("fr"), {"cluster.gpu_pools.0.enable_autoscaling": False}))


def test_rejects_oci_region_of_another_realm() -> None:
    data = edit(merged("fr"), {"regions.primary": "eu-frankfurt-2", "regions.secondary": DELETE})
    found = messages(data)
    _one(found, "eu-frankfurt-2", "'de'")  # also outside France
    data = edit(merged("fr"), {"oci.realm": "oc19"})
    _one(messages(data), "realm 'oc1'", "not the configured 'oc19'")


def test_accepts_in_country_secondary_region() -> None:
    assert violations(edit(merged("jp"), {"regions.secondary": "ap-osaka-1"})) == []


# 2. replication -----------------------------------------------------------------------------------------------


def test_rejects_geo_redundancy_when_pair_crosses_the_border() -> None:
    msg = _one(
        messages(edit(merged("br"), {"storage.stores.0.redundancy": "geo"})), "storage.stores[0].redundancy"
    )
    assert "southcentralus" in msg and "'us'" in msg and "outside 'br'" in msg


def test_accepts_geo_redundancy_when_pair_is_in_country() -> None:
    assert violations(edit(merged("de"), {"storage.stores.0.redundancy": "geo_zone"})) == []


def test_rejects_geo_redundancy_on_oci_and_on_unpaired_regions() -> None:
    _one(messages(edit(merged("fr"), {"storage.stores.0.redundancy": "geo"})), "cross-region replication")
    data = edit(merged("de"), {"storage.stores.0.redundancy": "geo"})
    data["regions"] = {"primary": "germanywestcentral"}
    assert violations(data) == []  # control: paired region in country


# 3. customer-managed keys -------------------------------------------------------------------------------------


def test_rejects_rotation_longer_than_a_year() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 365"):
        violations(edit(merged("de"), {"key_custody.rotation_days": 400}))


def test_rejects_custody_tier_of_the_other_cloud() -> None:
    with pytest.raises(ValidationError, match=r"azure\.key_custody\.tier"):
        violations(edit(merged("de"), {"azure.key_custody.tier": "virtual_private_vault"}))
    with pytest.raises(ValidationError, match="Extra inputs"):
        violations(edit(merged("fr"), {"key_custody.key_type": "AES"}))


def test_rejects_log_platform_keys_without_justification() -> None:
    data = edit(merged("de"), {"azure.logs_platform_key_justification": "too expensive"})
    _one(messages(data), "azure.logs_platform_key_justification", "at least 40")
    with pytest.raises(ValidationError, match="Extra inputs"):
        violations(edit(merged("fr"), {"azure": {"logs_platform_key_justification": "x" * 50}}))


def test_accepts_justified_log_platform_key_opt_out() -> None:
    reason = (
        "Log volume is 5 GB/day; a dedicated cluster needs 100 GB/day. Reviewed by the DPO, ticket SEC-118."
    )
    assert violations(edit(merged("de"), {"azure.logs_platform_key_justification": reason})) == []


def test_rejects_what_the_azure_stack_cannot_build() -> None:
    _one(messages(edit(merged("de"), {"azure.key_custody.tier": "managed_hsm"})), "security-domain ceremony")
    with pytest.raises(ValidationError, match="3072 or 4096"):
        violations(edit(merged("de"), {"azure.key_custody.key_size_bits": 2048}))
    _one(messages(edit(merged("de"), {"audit_logging.retention_days": 1000})), "exceeds a Log Analytics")
    dest = [{"fqdn": "updates.example.org", "ports": [443], "justification": "OS updates for nodes"}]
    allow = {"mode": "allow_list", "allowed_destinations": dest}
    _one(messages(edit(merged("no"), {"azure.egress": allow})), "firewall_ip")
    _one(messages(edit(merged("no"), {"azure.egress": allow})), "firewall_policy_id", "enforced nowhere")
    full = {**allow, "firewall_ip": "10.42.30.4", "firewall_policy_id": POLICY}
    assert violations(edit(merged("no"), {"azure.egress": full})) == []
    _one(
        messages(edit(merged("no"), {"azure.egress": {"mode": "none", "firewall_ip": "10.42.30.4"}})),
        "mode 'none'",
    )


# 4. confidential computing and model tiers --------------------------------------------------------------------


def test_rejects_confidential_gpu_tier_on_non_confidential_gpus() -> None:
    data = edit(merged("de"), {"cluster.gpu_pools.0.vm_size": "Standard_NC40ads_H100_v5"})
    _one(messages(data), "cluster.gpu_pools[0].vm_size", "not a confidential GPU")


def test_rejects_confidential_vm_tier_on_plain_system_pool() -> None:
    data = edit(
        merged("fr"),
        {
            "cluster.system_pool.vm_size": "VM.Standard.E5.Flex",
            "cluster.confidential_tier": "confidential_vm",
        },
    )
    _one(messages(data), "system_pool.vm_size", "not confidential-capable")


def test_rejects_high_tier_model_without_confidential_gpus() -> None:
    data = edit(merged("de"), {"cluster.confidential_tier": "confidential_vm"})
    _one(messages(data), "tier 'high'", "confidential GPUs")


def test_rejects_unknown_machine_sizes() -> None:
    _one(messages(edit(merged("jp"), {"cluster.gpu_pools.0.vm_size": "BM.GPU.B300.8"})), "not a oci GPU size")
    _one(
        messages(edit(merged("gb"), {"cluster.system_pool.vm_size": "Standard_NC40ads_H100_v5"})), "CPU size"
    )


# 5. networks --------------------------------------------------------------------------------------------------


def test_rejects_subnet_outside_address_space() -> None:
    _one(messages(edit(merged("kr"), {"network.subnets.nodes": "10.99.0.0/20"})), "subnets.nodes", "outside")


def test_rejects_overlapping_ranges() -> None:
    _one(messages(edit(merged("kr"), {"azure.pod_cidr": "10.44.0.0/16"})), "azure.pod_cidr", "overlaps")
    _one(
        messages(edit(merged("kr"), {"network.subnets.api_server": "10.44.0.0/28"})), "api_server", "overlaps"
    )


def test_rejects_invalid_cidr_and_public_api_server() -> None:
    with pytest.raises(ValidationError, match="host bits"):
        violations(edit(merged("kr"), {"network.subnets.nodes": "10.44.0.1/20"}))
    with pytest.raises(ValidationError, match="api_server_private"):
        violations(edit(merged("kr"), {"network.api_server_private": False}))  # always private: no setting


POLICY = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/hub/providers/Microsoft.Network/"
    "firewallPolicies/egress"
)


def test_rejects_egress_destinations_without_allow_list_mode() -> None:
    dest = [{"fqdn": "packages.example.org", "ports": [443], "justification": "OS updates for nodes"}]
    _one(
        messages(edit(merged("no"), {"azure.egress": {"mode": "none", "allowed_destinations": dest}})),
        "mode 'none'",
    )
    assert (
        violations(
            edit(
                merged("no"),
                {
                    "azure.egress": {
                        "mode": "allow_list",
                        "allowed_destinations": dest,
                        "firewall_ip": "10.42.30.4",
                        "firewall_policy_id": POLICY,
                    }
                },
            )
        )
        == []
    )
    _one(messages(edit(merged("no"), {"azure.egress": {"mode": "allow_list"}})), "no destinations")


# 6. models, supply chain, capacity ----------------------------------------------------------------------------


def test_rejects_model_missing_from_register() -> None:
    _one(
        # gpt-oss-120b, the example here before, is in the register now.
        messages(edit(merged("kr"), {"assistant.deployments.0.model": "deepseek-r1-671b"})),
        "not in the risk register",
    )


def test_rejects_expired_assessment() -> None:
    _one(
        messages(merged("kr"), as_of=dt.date(2028, 1, 1)), "valid 2026-06-01 to 2027-11-30, not on 2028-01-01"
    )
    _one(messages(merged("kr"), as_of=dt.date(2026, 1, 1)), "not on 2026-01-01")  # before the assessment


def test_rejects_model_not_approved_for_country() -> None:
    data = edit(merged("kr"), {"assistant.deployments.0.model": "sarvam-m"})
    _one(messages(data), "'sarvam-m' is not approved for 'kr'")


def test_rejects_images_outside_the_country_registry() -> None:
    foreign = "docker.io/vllm/vllm-openai@sha256:" + "a" * 64
    _one(
        messages(edit(merged("de"), {"assistant.deployments.0.image": foreign})),
        "outside the country's registry",
    )
    other = merged("de")["assistant"]["chat"]["image"].replace("desovereignregistry", "frsovereignregistry")
    _one(messages(edit(merged("de"), {"assistant.chat.image": other})), "assistant.chat.image")


def test_rejects_images_not_pinned_by_digest() -> None:
    with pytest.raises(ValidationError, match="pinned by digest"):
        violations(
            edit(
                merged("de"), {"assistant.deployments.0.image": "desovereignregistry.azurecr.io/vllm:latest"}
            )
        )


def test_rejects_weights_digest_other_than_approved() -> None:
    weights = merged("de")["assistant"]["deployments"][0]["weights"].split("@")[0] + "@sha256:" + "b" * 64
    _one(
        messages(edit(merged("de"), {"assistant.deployments.0.weights": weights})),
        "are not the assessed ones",
    )


def test_rejects_gpu_demand_beyond_pool_capacity() -> None:
    msg = _one(
        messages(edit(merged("de"), {"assistant.deployments.0.replicas_max": 8})), "exceeds the pools' 8"
    )
    assert "tenant quotas 3" in msg
    _one(
        messages(edit(merged("kr"), {"assistant.deployments.0.gpus_per_replica": 2})),
        "largest GPU node has 1",
    )


# 7. access ----------------------------------------------------------------------------------------------------


def test_rejects_azure_group_without_object_id() -> None:
    with pytest.raises(ValidationError, match=r"azure.access.admin_groups.0.object_id"):
        violations(edit(merged("gb"), {"access.admin_groups.0.object_id": DELETE}))
    with pytest.raises(ValidationError, match="Extra inputs"):
        violations(
            edit(merged("fr"), {"access.admin_groups.0.object_id": "5b0c7e2a-8f3d-4c1e-9a6b-2d4f8e1c3a70"})
        )


def test_rejects_break_glass_group_that_is_an_admin_group() -> None:
    data = merged("gb")
    data["access"]["break_glass_groups"] = [dict(data["access"]["admin_groups"][0])]
    _one(messages(data), "also an admin group")


def test_rejects_fewer_than_two_distinct_approvers() -> None:
    data = edit(merged("gb"), {"access.operator_access_approvers": ["a@gov.example", "A@gov.example"]})
    _one(messages(data), "fewer than two distinct approvers")
    with pytest.raises(ValidationError, match="at least 2"):
        violations(edit(merged("gb"), {"access.operator_access_approvers": ["a@gov.example"]}))


# 8. audit -----------------------------------------------------------------------------------------------------


def test_rejects_short_audit_retention() -> None:
    _one(messages(edit(merged("au"), {"audit_logging.retention_days": 90})), "90 days", "at least 365")


def test_rejects_an_immutability_switch_and_a_short_audit_store() -> None:
    """Audit-log stores are immutable by construction: there is no setting to turn it off."""
    with pytest.raises(ValidationError, match="immutable"):
        violations(edit(merged("au"), {"storage.stores.1.immutable": False}))
    _one(
        messages(edit(merged("au"), {"storage.stores.1.retention_days": 30})),
        "retention_days",
        "at least 365",
    )


def test_reports_every_violation_in_one_pass() -> None:
    data = edit(
        merged("br"),
        {
            "storage.stores.0.redundancy": "geo",
            "audit_logging.retention_days": 90,
            "storage.stores.1.retention_days": 30,
        },
    )
    assert len(violations(data)) == 3


# AKS Kubernetes versions (sovereign/catalogue/aks_versions.py: the AKS release calendar) ---------------------

DAY_AFTER_134_EOL = dt.date(2026, 12, 2)  # explicit dates: these tests do not rot as the calendar moves on


def _version(code: str, version: str, as_of: dt.date) -> list[str]:
    found = messages(edit(merged(code), {"cluster.kubernetes_version": version}), as_of)
    return [m for m in found if m.startswith("cluster.kubernetes_version:")]


def test_accepts_aks_version_in_support_on_the_date() -> None:
    assert violations(edit(merged("de"), {"cluster.kubernetes_version": "1.35"}), DAY_AFTER_134_EOL) == []
    assert _version("de", "1.34", dt.date(2026, 11, 30)) == []  # its end-of-life day is still supported


def test_rejects_aks_version_past_end_of_support() -> None:
    found = _version("de", "1.34", DAY_AFTER_134_EOL)
    assert len(found) == 1, found  # one problem, not one per check
    assert "AKS support for '1.34' ended on 2026-11-30" in found[0]
    assert "allowed on 2026-12-02: 1.35, 1.36, 1.37" in found[0]
    assert "set '1.35'" in found[0]  # the oldest supported: where AKS takes an out-of-support cluster


@pytest.mark.parametrize("version", ["1.28", "1.40"])
def test_rejects_aks_version_missing_from_the_catalogue(version: str) -> None:
    found = _version("kr", version, DAY_AFTER_134_EOL)
    assert len(found) == 1, found
    assert f"'{version}' is not an AKS version in the catalogue" in found[0]
    assert "allowed on 2026-12-02: 1.35, 1.36, 1.37" in found[0]
    assert "sovereign/catalogue/aks_versions.py" in found[0]


def test_rejects_aks_version_before_its_ga_month_ends() -> None:
    found = _version("br", "1.37", dt.date(2026, 10, 15))
    assert len(found) == 1, found
    assert "'1.37' is not generally available in every AKS region before 2026-10-31" in found[0]
    assert "allowed on 2026-10-15: 1.34, 1.35, 1.36" in found[0]


def test_rejects_every_aks_version_once_the_catalogue_is_out_of_date() -> None:
    found = _version("de", "1.37", dt.date(2029, 1, 1))
    assert len(found) == 1 and "the catalogue is out of date" in found[0], found


def test_oci_versions_are_not_checked_against_aks_dates() -> None:
    # OKE's support dates are not AKS's (tests/config/test_machines_versions.py checks OKE's own).
    assert _version("fr", "1.34", DAY_AFTER_134_EOL) == []


# OCI constraints ----------------------------------------------------------------------------------------------


def test_rejects_what_oci_cannot_honour() -> None:
    _one(messages(edit(merged("fr"), {"key_custody.rotation_days": 30})), "at most every 60 days")
    # A lock date sooner than OCI's 14 days after creation (the stack's own default never is).
    _one(
        messages(edit(merged("fr"), {"storage.stores.1.retention_lock_date": "2026-11-30"})),
        "retention_lock_date",
    )
    data = edit(merged("fr"), {"oci.parent_compartment_id": "ocid1.compartment.oc1..aaaaaaaaparent"})
    _one(messages(data), "go together")
    assert violations(edit(data, {"oci.parent_compartment_path": "platform:ai"})) == []


def test_rejects_oci_home_region_abroad() -> None:
    _one(messages(edit(merged("fr"), {"oci.home_region": "us-ashburn-1"})), "oci.home_region", "'us'")
    assert violations(edit(merged("fr"), {"oci.home_region": "eu-marseille-1"})) == []
