"""Every ``raise`` in ``stacks/`` and ``components/`` has a validation counterpart, or a reason it needs none.

The table ``GUARDS`` lists each function that raises, with one entry per ``raise`` in source order:

- ``V(code, edits, needle)``: a realistic edit of a shipped country file that reaches this guard; validation (the
  schema or an invariant) refuses it with a message containing ``needle``, before any Pulumi program runs;
- ``T(test)``: the same, proven by a named ``test_rejects_*`` elsewhere (``test_component_guards.py``,
  ``test_stack_sovereignty.py``);
- ``N(reason)``: no country-file or stack-file value reaches it (a constant or a value the stack derives, a
  run-time fact, the loader itself).

``test_every_raise_is_in_the_table`` reads the sources, so a new guard fails this file until it is classified.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sovereign.config.schema import COUNTRY_CONFIG
from tests.config.helpers import DELETE, edit, merged, violations

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class V:
    code: str
    edits: dict[str, Any] = field(hash=False)
    needle: str


@dataclass(frozen=True)
class T:
    test: str


@dataclass(frozen=True)
class N:
    reason: str


DERIVED = "the stack derives it from values validation has already checked"
DEFAULT = "the stack never sets it: the component's default"
RUNTIME = "a run-time fact (the cloud's answer), not an input"
# pragma: allowlist nextline secret (a description of stack secrets, not a secret)
SECRET = "a stack secret (pulumi config set --secret); the offline plan uses a placeholder"
BUILD = "build-time tooling over the vendored chart, not a stack input"

_EGRESS = {
    "mode": "allow_list",
    "firewall_ip": "10.42.100.4",
    "firewall_policy_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/hub/providers/"
    "Microsoft.Network/firewallPolicies/hub-policy",
    "allowed_destinations": [
        {"fqdn": "updates.example.org", "ports": [443], "justification": "OS updates for the nodes' images"}
    ],
}


def _egress(**changes: Any) -> dict[str, Any]:
    return {"azure.egress": {**copy.deepcopy(_EGRESS), **changes}}


_PUBLIC = {
    "assistant.chat.internal_exposure": DELETE,
    "assistant.chat.public_exposure": {
        "hostname": "chat.kr.gov.example",
        "ingress_class_name": "nginx",
        "ingress_controller_namespace": "ingress-nginx",
        "justification": "Citizens use the assistant from home; reviewed by the DPO (ticket SEC-7).",
    },
}
# An OCI country with regions in two realms: Germany has eu-frankfurt-1 (oc1) and eu-frankfurt-2 (oc19).
_TWO_REALMS = {
    "country": "de",
    "display_name": "Germany",
    "regions.primary": "eu-frankfurt-1",
    "regions.secondary": "eu-frankfurt-2",
}
_OCID_GROUP = "ocid1.group.oc1..aaaaaaaafrbreakglassplaceholder"

GUARDS: dict[str, tuple[V | T | N, ...]] = {
    # Azure --------------------------------------------------------------------------------------------------
    "components/azure/audit_logging.py::AuditLoggingArgs.__post_init__": (
        V("no", {"azure.logs_platform_key_justification": "n/a " * 12}, "justification"),
        V("no", {"audit_logging.retention_days": 1000}, "730"),
        N(DEFAULT),
    ),
    "components/azure/break_glass.py::BreakGlassAccessArgs.__post_init__": (
        V("no", {"access.break_glass_groups": []}, "break_glass_groups"),
        N(DEFAULT),
    ),
    "components/azure/catalogue.py::require_uuids": (
        V("no", {"access.admin_groups.0.object_id": "no-platform-admins"}, "object_id"),
    ),
    "components/azure/cluster.py::ClusterSpec.__post_init__": (
        V("no", {"access.admin_groups": []}, "admin_groups"),
        V("no", {"cluster.gpu_pools.0.name": "apps"}, "apps"),
        V("no", {"cluster.user_pool.vm_size": "Standard_NC24ads_A100_v4"}, "user_pool"),
        V("de", {"cluster.user_pool.vm_size": "Standard_D8ds_v5"}, "user_pool"),
        N(DEFAULT),
    ),
    "components/azure/cluster_profiles.py::security_profile": (V("no", {"azure.defender": True}, "egress"),),
    "components/azure/cluster_profiles.py::check_cluster_cidrs": (
        T("test_rejects_pod_cidr_overlapping_service_cidr"),
        T("test_rejects_a_service_range_without_room_for_dns"),
    ),
    "components/azure/cluster_profiles.py::check_pools": (
        V("no", {"cluster.system_pool.vm_size": "Standard_NC24ads_A100_v4"}, "system_pool"),
        V("no", {"cluster.system_pool.node_count_min": 0}, "system_pool.node_count_min"),
        V("no", {"cluster.gpu_pools.0.vm_size": "Standard_D8ds_v5"}, "gpu_pools[0]"),
        T("test_rejects_a_gpu_pool_named_like_the_system_pool"),
    ),
    "components/azure/cluster_profiles.py::check_confidential_tier": (
        V("de", {"cluster.system_pool.vm_size": "Standard_D8ds_v5"}, "system_pool"),
        V("de", {"cluster.gpu_pools": []}, "gpu_pools"),
        V("de", {"cluster.gpu_pools.0.vm_size": "Standard_NC24ads_A100_v4"}, "gpu_pools[0]"),
    ),
    "components/azure/custody_key.py::KeyLifetime.__post_init__": (
        T("test_rejects_key_sizes_and_tiers_the_azure_stack_refuses"),
        N("derived: expiry is max(365, rotation + 90) days (stacks/azure_platform.py)"),
        N("derived: expiry is at least rotation + 90 days, past the 30-day notice"),
        N(DEFAULT),
    ),
    "components/azure/egress_allow_list.py::parse_firewall_policy_id": (
        V("no", _egress(firewall_policy_id="hub-policy"), "firewall_policy_id"),
    ),
    "components/azure/egress_allow_list.py::AllowedDestination.__post_init__": (
        V(
            "no",
            _egress(
                allowed_destinations=[{"fqdn": "*.co.uk", "justification": "Partner APIs in the UK, any"}]
            ),
            "allowed_destinations[0]",
        ),
    ),
    "components/azure/egress_allow_list.py::EgressAllowListArgs.__post_init__": (
        V("no", _egress(allowed_destinations=[]), "allowed_destinations"),
        N(DEFAULT),
        N(DERIVED),
    ),
    "components/azure/egress_allow_list.py::_judge": (
        N(RUNTIME + ": Azure's answer about the policy's firewalls (no firewall at the next hop)"),
        N(RUNTIME + ": Azure's answer about the next-hop firewall's region"),
    ),
    "components/azure/key_custody.py::KeyCustodyArgs.__post_init__": (N("the stack's fixed key purposes"),),
    "components/azure/network.py::SovereignNetworkArgs.__post_init__": (
        V("no", {"network.subnets.nodes": "10.99.0.0/20"}, "network.subnets.nodes"),
        V("no", {"network.subnets.private_endpoints": "10.42.0.0/24"}, "overlap"),
        T("test_rejects_an_api_server_subnet_smaller_than_28"),
    ),
    "components/azure/network.py::_network": (
        V("no", {"network.subnets.nodes": "10.42.0.1/20"}, "network.subnets.nodes"),
        T("test_rejects_public_ranges_in_an_azure_network"),
    ),
    "components/azure/network.py::_check_egress": (
        V("no", _egress(firewall_ip=None), "firewall_ip"),
        V("no", _egress(firewall_ip="firewall.hub"), "firewall_ip"),
        T("test_rejects_a_public_egress_firewall"),
        V("no", {"azure.egress": {"mode": "none", "firewall_ip": "10.42.100.4"}}, "firewall_ip"),
    ),
    "components/azure/node_pool.py::NodePoolSpec.__post_init__": (
        T("test_rejects_aks_pool_names_aks_refuses"),
        V(
            "no",
            {"cluster.gpu_pools.0.node_count_min": 6, "cluster.gpu_pools.0.node_count_max": 2},
            "gpu_pools",
        ),
        N("zones: the stack passes the region's zones from the catalogue"),
        N("encryption_at_host_exemption: the stack never sets it"),
        N("encryption_at_host_exemption: the stack never sets it"),
    ),
    "components/azure/platform.py::AzurePlatformArgs.__post_init__": (
        V(
            "no",
            {"azure.egress": {"mode": "none", "allowed_destinations": _EGRESS["allowed_destinations"]}},
            "none",
        ),
        V("no", _egress(allowed_destinations=[]), "allowed_destinations"),
        V("no", {"azure.defender": True}, "egress"),
        N("derived: the replica is the secondary region, which regions_lie_in_country keeps in the country"),
        V("no", {"access.break_glass_groups.0.object_id": "__admin__"}, "break_glass_groups"),
        V("no", {"storage.stores.1.name": "__store0__"}, "duplicate"),
        N("derived: the network's location is regions.primary, always allowed"),
    ),
    "components/azure/policy.py::SovereignPoliciesArgs.__post_init__": (
        N("derived: allowed_locations always holds regions.primary"),
        N("derived: the catalogue's confidential sizes"),
        N("derived: the catalogue's confidential sizes"),
    ),
    "components/azure/private_endpoint.py::PrivateEndpointArgs.__post_init__": (
        N("the stack's own DNS zones"),
    ),
    "components/azure/rbac.py::propagation_wait": (N("the stack's own grants"),),
    "components/azure/registry.py::SovereignRegistryArgs.__post_init__": (
        V("no", {"regions.secondary": "norwayeast"}, "secondary"),
        N(DEFAULT),
    ),
    "components/azure/storage.py::StoreSpec.__post_init__": (
        N("derived: the pair is set only for geo redundancy (stacks/azure_platform.py)"),
        T("test_rejects_soft_delete_longer_than_azure_allows"),
        V("no", {"storage.stores.1.retention_days": 200_000}, "retention_days"),
        V("no", {"storage.stores.0.lock_immutability": True}, "lock_immutability"),
        T("test_rejects_unversioned_azure_audit_store"),
    ),
    "components/azure/storage.py::EncryptedStorageArgs.__post_init__": (
        V("br", {"storage.stores.0.redundancy": "geo"}, "outside 'br'"),
    ),
    # Kubernetes ---------------------------------------------------------------------------------------------
    "components/kubernetes/autoscaling.py::MetricsSource.__post_init__": (
        N("derived: the in-cluster Prometheus the stack builds"),
    ),
    "components/kubernetes/autoscaling.py::QueueDepthScaling.__post_init__": (
        V("kr", {"assistant.deployments.0.autoscale_waiting_requests": 2000}, "autoscale_waiting_requests"),
        V("kr", {"assistant.deployments.0.autoscale_kv_cache_percent": 5}, "autoscale_kv_cache_percent"),
    ),
    "components/kubernetes/break_glass.py::BreakGlassClusterAdminArgs.__post_init__": (
        V(
            "fr",
            {
                "access.break_glass_groups": [
                    {"name": "fr-break-glass", "ocid": _OCID_GROUP},
                    {"name": "fr-break-glass-2", "ocid": _OCID_GROUP},
                ]
            },
            "break_glass_groups",
        ),
        V("fr", {"access.break_glass_groups.0.ocid": "ocid1.group.oc1..with space"}, "ocid"),
    ),
    "components/kubernetes/calico.py::CalicoArgs.__post_init__": (N(DEFAULT),),
    "components/kubernetes/calico_postrender.py::pin_digest": (N(BUILD),),
    "components/kubernetes/calico_postrender.py::adapt": (N(BUILD),),
    "components/kubernetes/calico_postrender.py::main": (N(BUILD),),
    "components/kubernetes/chat.py::ChatFrontendArgs.__post_init__": (
        V("kr", {"assistant.chat.ai_notice.texts": {}}, "ai_notice.texts"),
        V("kr", {"assistant.chat.ai_notice.notice_url": "http://www.kr.gov.example/notice"}, "notice_url"),
        N("derived: one inference service per deployment; AssistantPlatformArgs needs one (below)"),
        N(SECRET),
        T("test_rejects_oidc_settings_the_chat_refuses"),
        T("test_rejects_oidc_settings_the_chat_refuses"),
        V(
            "kr",
            {
                "assistant.chat.identity_provider_cidrs": [],
                "assistant.chat.identity_provider_in_cluster": None,
            },
            "identity_provider",
        ),
        V("kr", {"assistant.chat.roles_claim": "my roles"}, "roles_claim"),
        V("kr", {"assistant.chat.admin_roles": ["admin, ops"]}, "admin_roles"),
    ),
    "components/kubernetes/chat.py::_required": (N(SECRET),),
    "components/kubernetes/chat_exposure.py::check_exposure": (
        V("kr", {"assistant.chat.internal_exposure.hostname": DELETE}, "hostname"),
        T("test_rejects_exposure_names_kubernetes_refuses"),
        V("kr", {"assistant.chat.internal_exposure.ingress_class_name": DELETE}, "ingress_class_name"),
        V("kr", _PUBLIC, "tls_secret_name"),
        T("test_rejects_padded_public_exposure_justification"),
    ),
    "components/kubernetes/chat_exposure.py::ingress_spec": (
        N("called only with a hostname (check_exposure)"),
    ),
    "components/kubernetes/gpu_operator.py::GpuOperatorArgs.__post_init__": (
        N("derived: the API server subnet, always set"),
        V("de", {"azure.gpu_driver_mirror": DELETE}, "gpu_driver_mirror"),
        N("derived: the runtime class follows the driver source (stacks/assistant.py)"),
    ),
    "components/kubernetes/hardening.py::require_dns_label": (
        V("de", {"tenants.0.name": "MedTech_Berlin"}, "tenants.0.name"),
    ),
    "components/kubernetes/hardening.py::require_positive": (
        V("de", {"tenants.0.cpu_cores": 0}, "cpu_cores"),
    ),
    "components/kubernetes/hardening.py::require_registry_prefix": (
        V("no", {"registry.name": "No Registry"}, "registry.name"),
        N("derived: the prefix is the country's own registry host, never a public one"),
    ),
    "components/kubernetes/hardening.py::require_in_registry": (
        V("kr", {"assistant.chat.image": "open-webui:latest"}, "assistant.chat.image"),
        V("kr", {"assistant.chat.image": "ghcr.io/open-webui/open-webui@sha256:" + "a" * 64}, "registry"),
    ),
    "components/kubernetes/inference.py::InferenceServiceArgs.required_api_key": (N(SECRET),),
    "components/kubernetes/inference.py::InferenceServiceArgs.__post_init__": (
        N(SECRET),
        N("derived: shared memory and memory from the machine catalogue"),
        T("test_rejects_gpus_per_replica_outside_tensor_parallel_sizes"),
        V(
            "kr",
            {"assistant.deployments.0.replicas_min": 5, "assistant.deployments.0.replicas_max": 2},
            "replicas",
        ),
        N(DEFAULT),
        V("kr", {"assistant.deployments.0.server_args": ["--trust-remote-code"]}, "server_args"),
    ),
    "components/kubernetes/keda.py::KedaArgs.__post_init__": (
        N("derived: the API server subnet, always set"),
    ),
    "components/kubernetes/localization.py::Localization.__post_init__": (
        V("kr", {"assistant.deployments.0.languages": []}, "languages"),
        V("kr", {"assistant.deployments.0.locale": "fr-FR"}, "locale"),
        V("kr", {"assistant.deployments.0.system_prompt": "x" * 100_000}, "system_prompt"),
    ),
    "components/kubernetes/localization.py::prompt_prefix": (
        N("models.yaml: system_prompt_placement is a Literal of the register schema"),
    ),
    "components/kubernetes/model_gate.py::check_model_risk": (
        V("kr", {"assistant.deployments.0.model": "sarvam-m"}, "sarvam-m"),
    ),
    "components/kubernetes/model_loading.py::require_artifact_path": (
        N("models.yaml: weights_path_in_artifact is checked by the register schema"),
    ),
    "components/kubernetes/model_loading.py::chat_template_source": (
        N("models.yaml: chat_template is checked by the register schema"),
    ),
    "components/kubernetes/monitoring.py::PrometheusArgs.__post_init__": (
        N("derived: the API server subnet"),
        N("the stack's fixed scrape targets"),
        N("the stack's fixed scrape targets"),
        N("the stack's fixed scrape targets"),
    ),
    "components/kubernetes/namespace.py::RestrictedNamespaceArgs.__post_init__": (
        N("the components' own labels"),
    ),
    "components/kubernetes/netpol.py::require_narrow_cidrs": (
        V("kr", {"assistant.chat.identity_provider_cidrs": ["10.9.0.1/16"]}, "identity_provider_cidrs"),
        T("test_rejects_broad_identity_provider_ranges"),
    ),
    "components/kubernetes/platform.py::AssistantPlatformArgs.__post_init__": (
        T("test_rejects_duplicate_deployment_names"),
        V("kr", {"assistant.deployments": []}, "deployments"),
        N(SECRET),
    ),
    "components/kubernetes/platform.py::AssistantPlatformArgs.chat_args": (
        N("called only with chat settings"),
    ),
    "components/kubernetes/scheduling.py::Taint.parse": (N("the toolkit's fixed GPU taint"),),
    "components/kubernetes/scheduling.py::NodeLabel.parse": (N("the toolkit's fixed GPU label"),),
    "components/kubernetes/storage_class.py::EncryptedStorageClassArgs.__post_init__": (N(DEFAULT),),
    "components/kubernetes/storage_class.py::_check_key_id": (N("derived: the platform's own key id"),),
    "components/kubernetes/tenant.py::TenantNamespaceArgs.__post_init__": (
        N("derived: the tenant's group from the schema (a required group)"),
        V("de", {"tenants.0.gpu_quota": -1}, "gpu_quota"),
        V("de", {"tenants.0.ephemeral_storage_gib": 0}, "ephemeral_storage_gib"),
    ),
    # OCI ----------------------------------------------------------------------------------------------------
    "components/oci/addressing.py::_network": (
        V("fr", {"network.address_space": ["10.50.0.1/16"]}, "address_space"),
        V("fr", {"network.address_space": ["fd00:50::/48"]}, "address_space"),
    ),
    "components/oci/addressing.py::plan_subnets": (
        T("test_rejects_an_oci_vcn_outside_16_to_24"),
        N("the stack's fixed subnet roles"),
        V("fr", {"network.subnets.nodes": "10.99.0.0/20"}, "network.subnets.nodes"),
        V("fr", {"network.subnets.api_server": "10.50.0.0/28"}, "overlap"),
    ),
    "components/oci/audit_logging.py::AuditLoggingArgs.__post_init__": (
        N("derived: min(180, retention // 30 * 30) with retention at least 30 (schema)"),
        N("derived: the stack's own audit store"),
    ),
    "components/oci/cluster.py::SovereignClusterArgs.__post_init__": (
        N("derived: oke_release of a validated minor"),
        N("the stack's own key custody"),
        T("test_rejects_a_gpu_pool_named_like_the_system_pool"),
        V("fr", {"network.service_cidr": "10.96.0.0/33"}, "service_cidr"),
    ),
    "components/oci/cluster_addons.py::AutoscaledPool.__post_init__": (
        N("derived: only pools with node_count_max > node_count_min are autoscaled"),
    ),
    "components/oci/cluster_addons.py::autoscaler_statements": (
        V("fr", {"oci.tenancy_id": "fr-tenancy"}, "tenancy_id"),
    ),
    "components/oci/cluster_addons.py::gpu_plugin_tolerations": (N("the toolkit's fixed GPU taint"),),
    "components/oci/cluster_addons.py::ClusterAddonsArgs.__post_init__": (
        T("test_rejects_a_gpu_pool_named_like_the_system_pool"),
    ),
    "components/oci/key_custody.py::KeyCustodyArgs.__post_init__": (
        V("fr", {"key_custody.rotation_days": 400}, "rotation_days"),
    ),
    "components/oci/key_replica.py::VaultReplicaArgs.__post_init__": (
        V("fr", {"regions.secondary": "eu-paris-1"}, "secondary"),
        V("fr", _TWO_REALMS, "realm 'oc19'"),
    ),
    "components/oci/network.py::SovereignNetworkArgs.__post_init__": (
        N("derived: 'sovereign-<cc>-<env>'"),
        N(DEFAULT),
    ),
    "components/oci/node_images.py::validate_taint": (N("the toolkit's fixed GPU taint"),),
    "components/oci/node_images.py::CredentialProviderInstall.__post_init__": (
        N("derived: the pre-authenticated request the stack creates"),
        V("fr", {"oci.node_bootstrap.credential_provider_sha256": "5d3bbfe1"}, "credential_provider_sha256"),
    ),
    "components/oci/node_images.py::select_node_image": (N(RUNTIME + ": the node images OKE publishes"),),
    "components/oci/node_pool.py::NodePoolSpec.__post_init__": (
        T("test_rejects_oke_pool_names_oke_refuses"),
        V("fr", {"cluster.gpu_pools.0.vm_size": "gpu-a10"}, "vm_size"),
        V("fr", {"cluster.gpu_pools.0.node_count_min": -1}, "node_count_min"),
        N("derived: node_count_max is passed only when above node_count_min"),
        T("test_rejects_a_fixed_system_shape_on_oci"),
        V("fr", {"cluster.gpu_pools.0.boot_volume_gib": 10}, "boot_volume_gib"),
        N(DEFAULT),
    ),
    "components/oci/node_pool.py::_placements": (N(RUNTIME + ": the region's availability domains"),),
    "components/oci/node_pool.py::shape_offered_in": (N(RUNTIME + ": the shapes the region offers"),),
    "components/oci/nsg_rules.py::oke_rules": (N("the component's own rule keys"),),
    "components/oci/platform.py::OciPlatformArgs.__post_init__": (
        V(
            "fr",
            {"storage.stores.1.purpose": "model_weights", "storage.stores.1.retention_days": DELETE},
            "audit_logs",
        ),
    ),
    "components/oci/region_fences.py::RegionFencesArgs.__post_init__": (
        N("derived: the region is regions.primary, always allowed"),
        V("fr", _TWO_REALMS, "realm 'oc19'"),
    ),
    "components/oci/regions.py::require_region": (V("fr", {"regions.primary": "eu-paris-9"}, "eu-paris-9"),),
    "components/oci/regions.py::confirm_home_region": (N(RUNTIME + ": the tenancy's region subscriptions"),),
    "components/oci/regions.py::realm_domain": (V("fr", {"oci.realm": "oc99"}, "realm"),),
    "components/oci/registry.py::ContainerRegistryArgs.__post_init__": (
        N("derived: the repositories of the assistant's validated image references"),
        V(
            "fr",
            {"assistant.chat.image": "cdg.ocir.io/frsovereignns/frsovereignregistry/Chat@sha256:" + "a" * 64},
            "assistant.chat.image",
        ),
    ),
    "components/oci/statements.py::_literal": (T("test_rejects_oci_group_names_policy_statements_refuse"),),
    "components/oci/statements.py::quota_region_condition": (N("derived: allowed regions hold the primary"),),
    "components/oci/statements.py::quota_statements": (
        T("test_rejects_oci_compartment_paths_quota_statements_refuse"),
        N("the stack's fixed quota families"),
    ),
    "components/oci/statements.py::_group_subject": (
        V("fr", {"access.admin_groups.0.ocid": "ocid1.user.oc1..aaaaaaaafradmin"}, "ocid"),
        T("test_rejects_oci_group_names_policy_statements_refuse"),
    ),
    "components/oci/statements.py::admin_statements": (
        V("fr", {"access.admin_groups": []}, "admin_groups"),
        N("derived: allowed regions hold the primary"),
    ),
    "components/oci/statements.py::repository_read_statements": (N("the stack's own dynamic groups"),),
    "components/oci/statements.py::vault_replication_statements": (
        V("fr", {"regions.secondary": "eu-paris-1"}, "secondary"),
    ),
    "components/oci/storage.py::BucketSpec.__post_init__": (
        V("fr", {"storage.stores.0.name": "Weights"}, "name"),
        N("derived: the bucket name is built from the store name"),
        V("fr", {"storage.stores.1.retention_days": DELETE}, "retention_days"),
        T("test_rejects_retention_on_other_oci_buckets"),
        T("test_rejects_versioned_oci_audit_bucket"),
        V("fr", {"storage.stores.1.retention_days": 99_999}, "retention_days"),
    ),
    "components/oci/storage.py::EncryptedStorageArgs.__post_init__": (
        V("fr", {"storage.stores.1.name": "weights"}, "weights"),
    ),
    # The stack program --------------------------------------------------------------------------------------
    "stacks/assistant.py::build_assistant": (
        V("kr", {"assistant.deployments.0.model": "exaone-5"}, "exaone-5"),
    ),
    "stacks/oci_platform.py::_providers.confirmed": (N(RUNTIME + ": the tenancy's home region"),),
    "stacks/program.py::sovereign_program": (
        N("the loader's own ConfigError: this is validation"),
        N("re-raises the loader's ConfigError for the Pulumi CLI"),
    ),
    "stacks/renames.py::_table": (
        T("test_rejects_a_rename_table_the_program_refuses"),
        T("test_rejects_a_rename_table_the_program_refuses"),
    ),
    "stacks/renames.py::keep_renamed_resources.check_every_entry_matched": (
        N("needs the plan's resource names: refused by `sovereign plan`, before any deployment"),
    ),
}


def _raises() -> dict[str, int]:
    found: dict[str, int] = {}
    files = sorted([*ROOT.glob("stacks/*.py"), *ROOT.glob("components/**/*.py")])
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, names: tuple[str, ...], rel: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    visit(child, (*names, child.name), rel)
                    continue
                if isinstance(child, ast.Raise) and child.exc is not None:
                    key = f"{rel}::{'.'.join(names) or '<module>'}"
                    found[key] = found.get(key, 0) + 1
                visit(child, names, rel)

        visit(tree, (), str(path.relative_to(ROOT)))
    return found


def test_every_raise_is_in_the_table() -> None:
    found = _raises()
    missing = {k: n for k, n in found.items() if k not in GUARDS}
    assert not missing, f"classify these guards in GUARDS (V, T or N): {missing}"
    stale = sorted(set(GUARDS) - set(found))
    assert not stale, f"GUARDS lists functions that no longer raise: {stale}"
    wrong = {k: (len(GUARDS[k]), n) for k, n in found.items() if len(GUARDS[k]) != n}
    assert not wrong, f"entries per function differ from its raises (table, source): {wrong}"


def _refusals(case: V) -> list[str]:
    data = merged(case.code)
    changes = dict(case.edits)
    # Placeholders for values that come from the same file.
    for key, value in changes.items():
        if value == "__admin__":
            changes[key] = data["access"]["admin_groups"][0]["object_id"]
        if value == "__store0__":
            changes[key] = data["storage"]["stores"][0]["name"]
    try:
        COUNTRY_CONFIG.validate_python(edit(data, changes))
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return [str(v) for v in violations(edit(data, changes))]


CASES = [
    (key, i, entry)
    for key, entries in GUARDS.items()
    for i, entry in enumerate(entries)
    if isinstance(entry, V)
]


@pytest.mark.parametrize(
    ("guard", "index", "case"), CASES, ids=[f"{k.split('::')[1]}[{i}]" for k, i, _ in CASES]
)
def test_rejects_what_the_guard_would_refuse(guard: str, index: int, case: V) -> None:
    found = _refusals(case)
    assert found, f"{guard} raise #{index + 1}: validation accepts {case.edits} for '{case.code}'"
    assert any(case.needle in m for m in found), (
        f"{guard} raise #{index + 1}: no refusal mentions {case.needle!r}: {found}"
    )


def test_the_named_tests_exist() -> None:
    import tests.config.test_component_guards as guards
    import tests.config.test_stack_sovereignty as stack

    names = {e.test for entries in GUARDS.values() for e in entries if isinstance(e, T)}
    missing = sorted(n for n in names if not (hasattr(guards, n) or hasattr(stack, n)))
    assert not missing, missing
    assert all(n.startswith("test_rejects_") for n in names)


def test_every_reason_is_stated() -> None:
    assert all(len(e.reason) >= 10 for entries in GUARDS.values() for e in entries if isinstance(e, N))
