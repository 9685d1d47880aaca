"""Validation refuses, first and with a file line, everything a component guard would refuse for a country.

One ``test_rejects_*`` per guard in ``components/`` that a schema-valid country could trigger; the guard it
mirrors is named in each docstring. The components keep their guards (they are also used without a config).
"""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from sovereign.config.limits import (
    MIN_PLATFORM_KEY_JUSTIFICATION_CHARS,
    TENSOR_PARALLEL_SIZES,
)
from tests.config.helpers import DELETE, edit, merged, messages, violations

ROOT = Path(__file__).resolve().parents[2]


def _one(found: list[str], *needles: str) -> str:
    hits = [m for m in found if all(n in m for n in needles)]
    assert hits, f"no violation mentioning {needles}; got {found}"
    return hits[0]


def _refused(code: str, changes: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        violations(edit(merged(code), changes))


# Azure: components/azure/network.py, cluster_profiles.py, node_pool.py, storage.py ------------------------------


def test_rejects_public_ranges_in_an_azure_network() -> None:
    """SovereignNetworkArgs: address space and subnets are private ranges."""
    data = edit(
        merged("no"), {"network.subnets.nodes": "11.42.0.0/20", "network.address_space": ["11.42.0.0/16"]}
    )
    _one(messages(data), "network.subnets.nodes", "not a private IPv4 range")
    _one(messages(data), "network.address_space[0]", "not a private IPv4 range")


def test_rejects_an_api_server_subnet_smaller_than_28() -> None:
    """SovereignNetworkArgs: API Server VNet Integration needs /28 or larger."""
    _one(messages(edit(merged("no"), {"network.subnets.api_server": "10.42.16.0/29"})), "api_server", "/28")


def test_rejects_pod_cidr_overlapping_service_cidr() -> None:
    """check_cluster_cidrs: pod and service ranges are disjoint."""
    msg = _one(
        messages(edit(merged("no"), {"azure.pod_cidr": "172.16.0.0/16"})), "azure.pod_cidr", "overlaps"
    )
    assert "network.service_cidr" in msg


def test_rejects_a_service_range_without_room_for_dns() -> None:
    """check_cluster_cidrs: the DNS service address lies inside the service range."""
    _one(
        messages(edit(merged("no"), {"network.service_cidr": "172.16.0.0/29"})), "no room for the cluster DNS"
    )


def test_rejects_a_public_egress_firewall() -> None:
    """_check_egress (Azure network): the firewall IP is private."""
    dest = [{"fqdn": "updates.example.org", "ports": [443], "justification": "OS updates for nodes"}]
    egress = {"mode": "allow_list", "allowed_destinations": dest, "firewall_ip": "8.8.8.8"}
    _one(messages(edit(merged("no"), {"azure.egress": egress})), "azure.egress.firewall_ip", "is public")


def test_rejects_aks_pool_names_aks_refuses() -> None:
    """NodePoolSpec (Azure): 1-12 lower-case letters and digits."""
    _one(messages(edit(merged("no"), {"cluster.gpu_pools.0.name": "a100-pool"})), "AKS pool names")
    _one(messages(edit(merged("no"), {"cluster.gpu_pools.0.name": "a100verylongname"})), "AKS pool names")


def test_rejects_a_gpu_pool_named_like_the_system_pool() -> None:
    """check_pools / SovereignClusterArgs (OCI): node pool names are unique, 'system' included."""
    _one(messages(edit(merged("no"), {"cluster.gpu_pools.0.name": "system"})), "system pool's name")
    _one(messages(edit(merged("fr"), {"cluster.gpu_pools.0.name": "system"})), "system pool's name")


def test_rejects_soft_delete_longer_than_azure_allows() -> None:
    """EncryptedStorageArgs (Azure): soft_delete_days 1 to 365."""
    _one(messages(edit(merged("no"), {"storage.stores.0.retention_days": 400})), "soft delete", "1-365")


def test_rejects_unversioned_azure_audit_store() -> None:
    """Version-level immutability needs blob versioning."""
    _one(messages(edit(merged("no"), {"storage.stores.1.enable_versioning": False})), "blob versioning")


def test_rejects_a_short_platform_key_justification() -> None:
    """AuditLoggingArgs (Azure): the justification length is one constant, 40."""
    assert MIN_PLATFORM_KEY_JUSTIFICATION_CHARS == 40
    reason = "x" * 39 + "   "
    _one(messages(edit(merged("no"), {"azure.logs_platform_key_justification": reason})), "at least 40")


def test_rejects_key_sizes_and_tiers_the_azure_stack_refuses() -> None:
    """CustodyKeyArgs: 3072 or 4096 bits; KeyCustodyArgs: Azure tiers only."""
    _refused("no", {"azure.key_custody.key_size_bits": 2048}, "3072 or 4096")
    _refused("no", {"azure.key_custody.tier": "default_vault"}, "azure.key_custody.tier")


# OCI: components/oci/addressing.py, node_pool.py, storage.py, statements.py ------------------------------------


def test_rejects_an_oci_vcn_outside_16_to_24() -> None:
    """plan_subnets: the VCN is a /16 to /24."""
    _one(messages(edit(merged("fr"), {"network.address_space": ["10.0.0.0/12"]})), "a /12 VCN")


def test_rejects_oke_pool_names_oke_refuses() -> None:
    """NodePoolSpec (OCI): at most 30 characters."""
    _one(messages(edit(merged("fr"), {"cluster.gpu_pools.0.name": "h" * 31})), "OKE pool names")


def test_rejects_a_fixed_system_shape_on_oci() -> None:
    """NodePoolSpec (OCI): ocpus and memory_gib only on '.Flex' shapes (the stack always sizes the system pool)."""
    _one(messages(edit(merged("fr"), {"cluster.system_pool.vm_size": "VM.GPU.A10.1"})), "fixed shape")


def test_rejects_versioned_oci_audit_bucket() -> None:
    """OCI forbids retention rules on versioned buckets."""
    _one(messages(edit(merged("fr"), {"storage.stores.1.enable_versioning": True})), "versioned buckets")


def test_rejects_retention_on_other_oci_buckets() -> None:
    """BucketSpec: retention is only for audit_logs."""
    _one(messages(edit(merged("fr"), {"storage.stores.0.retention_days": 30})), "audit_logs stores only")
    lock = {"storage.stores.0.retention_lock_date": "2027-01-15"}
    _one(messages(edit(merged("fr"), lock)), "retention_lock_date", "audit_logs stores only")


def test_rejects_oci_group_names_policy_statements_refuse() -> None:
    """_group_subject / _literal: group names without quotes or spaces."""
    _refused("fr", {"access.admin_groups.0.name": "fr admins'"}, "admin_groups.0.name")


def test_rejects_oci_compartment_paths_quota_statements_refuse() -> None:
    """quota statements: compartment path of names joined by ':'."""
    data = {
        "oci.parent_compartment_id": "ocid1.compartment.oc1..aaaaaaaaparent",
        "oci.parent_compartment_path": "platform/ai",
    }
    _refused("fr", data, "parent_compartment_path")


# Kubernetes: components/kubernetes/inference.py, chat.py, chat_exposure.py, netpol.py, platform.py ---------------


def test_rejects_gpus_per_replica_outside_tensor_parallel_sizes() -> None:
    """InferenceServiceArgs: gpus_per_replica in (1, 2, 4, 8)."""
    field = typing.get_args(
        __import__("sovereign.config.base", fromlist=["x"])
        .AssistantDeployment.model_fields["gpus_per_replica"]
        .annotation
    )
    assert field == TENSOR_PARALLEL_SIZES
    _refused("kr", {"assistant.deployments.0.gpus_per_replica": 3}, "1, 2, 4 or 8")


def test_rejects_more_than_64_replicas() -> None:
    """InferenceServiceArgs: replicas at most 64."""
    _refused("kr", {"assistant.deployments.0.replicas_max": 65}, "less than or equal to 64")


def test_rejects_duplicate_deployment_names() -> None:
    """AssistantPlatformArgs: deployment names are unique."""
    data = merged("kr")
    data["assistant"]["deployments"].append(dict(data["assistant"]["deployments"][0]))
    _one(messages(data), "duplicate deployment name")


def test_rejects_a_blank_system_prompt() -> None:
    """Localization: the system prompt is not blank."""
    _one(messages(edit(merged("kr"), {"assistant.deployments.0.system_prompt": " " * 30})), "blank")


def test_rejects_broad_identity_provider_ranges() -> None:
    """require_narrow_cidrs: identity-provider egress /16 or narrower."""
    data = edit(merged("kr"), {"assistant.chat.identity_provider_cidrs": ["10.0.0.0/8"]})
    _one(messages(data), "identity_provider_cidrs[0]", "/16 or longer")
    assert violations(edit(merged("kr"), {"assistant.chat.identity_provider_cidrs": ["10.9.0.0/16"]})) == []


def _exposure(**changes: str) -> dict:
    base = {
        "hostname": "chat.kr.gov.example",
        "ingress_class_name": "nginx-internal",
        "ingress_controller_namespace": "ingress-nginx",
        "tls_secret_name": "chat-tls",
        "justification": "Citizens use the assistant from home; reviewed by the DPO (ticket SEC-7).",
    }
    # One exposure at a time (chat_is_reachable): the public one replaces the shipped internal one.
    return {"assistant.chat.internal_exposure": DELETE, "assistant.chat.public_exposure": {**base, **changes}}


def test_rejects_padded_public_exposure_justification() -> None:
    """check_exposure: at least 20 characters of justification, blanks not counted."""
    assert violations(edit(merged("kr"), _exposure())) == []
    _one(messages(edit(merged("kr"), _exposure(justification="short" + " " * 30))), "justification")


def test_rejects_exposure_names_kubernetes_refuses() -> None:
    """check_exposure: fully qualified host name; controller namespace is a DNS label."""
    _refused("kr", _exposure(hostname="-chat.kr.gov.example"), "hostname")
    _refused("kr", _exposure(ingress_controller_namespace="Ingress_NGINX"), "ingress_controller_namespace")


def test_rejects_oidc_settings_the_chat_refuses() -> None:
    """ChatFrontendArgs: https issuer without query; a non-blank client id."""
    _refused("kr", {"assistant.chat.oidc_issuer_url": "https://login.example/realms?x=1"}, "oidc_issuer_url")
    _refused("kr", {"assistant.chat.oidc_client_id": "   "}, "oidc_client_id")


def test_rejects_more_than_one_address_space() -> None:
    """The network components build one address space (the first); a second would be ignored."""
    _refused("no", {"network.address_space": ["10.42.0.0/16", "10.142.0.0/16"]}, "at most 1 item")


# The seam itself ------------------------------------------------------------------------------------------------


def test_the_union_is_built_from_the_cloud_table() -> None:
    from sovereign.clouds import CLOUD_PACKAGES, country_models
    from sovereign.config.schema import COUNTRY_CONFIG, AzureCountry, OciCountry

    assert country_models() == (AzureCountry, OciCountry)
    assert len(country_models()) == len(CLOUD_PACKAGES)
    assert type(COUNTRY_CONFIG.validate_python(merged("fr"))) is OciCountry


def test_importing_the_config_loads_no_provider_sdk() -> None:
    code = (
        "import sys\n"
        "import sovereign.config, sovereign.config.derived, sovereign.config.invariants\n"
        "from sovereign.clouds import cloud_module\n"
        "for cloud in ('azure', 'oci'):\n"
        "    for name in ('settings', 'invariants', 'facts'):\n"
        "        cloud_module(cloud, name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pulumi', 'pulumi_azure_native', 'pulumi_oci', 'pulumi_kubernetes')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
