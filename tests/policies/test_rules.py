"""Every sovereignty rule fails on a deliberately broken resource (passing on real stacks: tests/plan)."""

from __future__ import annotations

from typing import Any

import pytest

from sovereign.config.loader import load_country, load_register
from sovereign.policies import ALL_RULES, PolicyContext, ResourceView, evaluate
from tests.config.helpers import AS_OF, CONFIG_DIR

PROVIDER = "urn:pulumi:de-prod::sovereign-ai::pulumi:providers:azure-native::de::id"


def ctx(code: str = "de") -> PolicyContext:
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    return PolicyContext.of(load_country(code, "prod", config_dir=CONFIG_DIR, as_of=AS_OF), register, AS_OF)


def view(type_: str, props: dict[str, Any], **kw: Any) -> ResourceView:
    name = kw.pop("name", "r")
    return ResourceView(
        urn=f"urn:pulumi:de-prod::sovereign-ai::{type_}::{name}",
        type=type_,
        name=name,
        props=props,
        provider=kw.pop("provider", PROVIDER),
        **kw,
    )


def failures(resources: list[ResourceView], policy: str, context: PolicyContext | None = None) -> list[str]:
    checks = evaluate([r for r in ALL_RULES if r.id == policy], context or ctx(), resources)
    return [c["message"] for c in checks if c["status"] == "fail"]


SAFE_POD = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "app",
            "image": "desovereignregistry.azurecr.io/app@sha256:" + "a" * 64,
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            },
        }
    ],
}


def deployment(pod: dict[str, Any], annotations: dict[str, str] | None = None) -> ResourceView:
    template = {"metadata": {"annotations": annotations or {}}, "spec": pod}
    return view("kubernetes:apps/v1:Deployment", {"spec": {"template": template}}, name="dep")


def test_rule_ids_are_unique_and_described() -> None:
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids)) and all(r.description for r in ALL_RULES)


def test_residency() -> None:
    assert (
        failures(
            [view("azure-native:storage:StorageAccount", {"location": "germanywestcentral"})], "residency"
        )
        == []
    )
    [msg] = failures([view("azure-native:storage:StorageAccount", {"location": "westeurope"})], "residency")
    assert "'westeurope' is outside the country" in msg
    [msg] = failures([view("pulumi:providers:azure-native", {"location": "eastus"})], "residency")
    assert "provider region 'eastus'" in msg
    assert failures([view("azure-native:privatedns:PrivateZone", {"location": "global"})], "residency") == []


def test_explicit_in_country_provider() -> None:
    assert failures(
        [view("azure-native:storage:StorageAccount", {}, provider=None)], "explicit-in-country-provider"
    )
    default = "urn:pulumi:de-prod::sovereign-ai::pulumi:providers:azure-native::default_3_29_0::id"
    assert failures(
        [view("azure-native:storage:StorageAccount", {}, provider=default)], "explicit-in-country-provider"
    )


def test_customer_managed_encryption() -> None:
    good = {"encryption": {"keySource": "Microsoft.Keyvault", "requireInfrastructureEncryption": True}}
    assert failures([view("azure-native:storage:StorageAccount", good)], "customer-managed-encryption") == []
    assert failures(
        [view("azure-native:storage:StorageAccount", {"encryption": {"keySource": "Microsoft.Storage"}})],
        "customer-managed-encryption",
    )
    assert failures([view("azure-native:containerservice:ManagedCluster", {})], "customer-managed-encryption")
    assert failures([view("oci:ObjectStorage/bucket:Bucket", {})], "customer-managed-encryption", ctx("fr"))
    pool = {
        "nodeShape": "VM.Standard.E4.Flex",  # only VM shapes can encrypt in transit (bare metal: iSCSI)
        "nodeConfigDetails": {"kmsKeyId": "ocid1.key", "isPvEncryptionInTransitEnabled": False},
    }
    [msg] = failures(
        [view("oci:ContainerEngine/nodePool:NodePool", pool)], "customer-managed-encryption", ctx("fr")
    )
    assert "in-transit" in msg


def test_no_public_endpoints() -> None:
    assert failures([view("azure-native:network:PublicIPAddress", {})], "no-public-endpoints")
    assert failures(
        [view("azure-native:keyvault:Vault", {"properties": {"publicNetworkAccess": "Enabled"}})],
        "no-public-endpoints",
    )
    aks = {"apiServerAccessProfile": {"enablePrivateCluster": False}}
    assert failures([view("azure-native:containerservice:ManagedCluster", aks)], "no-public-endpoints")
    oke = {"endpointConfig": {"isPublicIpEnabled": True}}
    assert failures([view("oci:ContainerEngine/cluster:Cluster", oke)], "no-public-endpoints", ctx("fr"))
    assert failures([view("oci:Core/internetGateway:InternetGateway", {})], "no-public-endpoints", ctx("fr"))
    ok = {"properties": {"publicNetworkAccess": "Disabled"}}
    assert failures([view("azure-native:keyvault:Vault", ok)], "no-public-endpoints") == []


def test_no_cross_border_replication() -> None:
    geo = {"sku": {"name": "Standard_GZRS"}}
    assert (
        failures([view("azure-native:storage:StorageAccount", geo)], "no-cross-border-replication") == []
    )  # de pair
    [msg] = failures(
        [view("azure-native:storage:StorageAccount", geo)], "no-cross-border-replication", ctx("br")
    )
    assert "southcentralus" in msg and "'us'" in msg
    # OCI copies to another region through these two types (pulumi-oci 3.x); an in-country target passes.
    replica = "oci:Kms/vaultVerification:VaultVerification"
    bucket = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"
    [msg] = failures(
        [view(replica, {"replicaRegion": "eu-frankfurt-1"})], "no-cross-border-replication", ctx("fr")
    )
    assert "'eu-frankfurt-1', which lies in 'de'" in msg
    [msg] = failures(
        [view(bucket, {"destinationRegionName": "eu-zurich-1"})], "no-cross-border-replication", ctx("fr")
    )
    assert "which lies in 'ch'" in msg
    assert failures(
        [view(bucket, {"destinationRegionName": "xx-nowhere-1"})], "no-cross-border-replication", ctx("fr")
    )
    assert (
        failures(
            [view(replica, {"replicaRegion": "eu-marseille-1"})], "no-cross-border-replication", ctx("fr")
        )
        == []
    )
    diag = {"workspaceId": "/x", "storageAccountId": "/elsewhere"}
    assert failures([view("azure-native:insights:DiagnosticSetting", diag)], "no-cross-border-replication")


def test_stateful_protected_in_prod() -> None:
    [msg] = failures([view("azure-native:keyvault:Vault", {}, protect=False)], "stateful-protected")
    assert "not protected" in msg
    assert failures(
        [view("azure-native:keyvault:Key", {}, protect=True, retain_on_delete=False)], "stateful-protected"
    )
    assert (
        failures(
            [view("azure-native:keyvault:Key", {}, protect=True, retain_on_delete=True)], "stateful-protected"
        )
        == []
    )


def test_audit_logs_in_country() -> None:
    assert failures([], "audit-logs-in-country") == ["no in-country audit log workspace declared"]
    short = {"retentionInDays": 30.0, "location": "germanywestcentral"}
    assert failures([view("azure-native:operationalinsights:Workspace", short)], "audit-logs-in-country")


def test_hardened_pods() -> None:
    assert failures([deployment(SAFE_POD)], "hardened-pods") == []
    root = {
        **SAFE_POD,
        "securityContext": {"runAsNonRoot": False, "seccompProfile": {"type": "RuntimeDefault"}},
    }
    [msg] = failures([deployment(root)], "hardened-pods")
    assert "runAsNonRoot" in msg
    assert failures([deployment({**SAFE_POD, "hostNetwork": True})], "hardened-pods") == [
        "hostNetwork is enabled"
    ]


def test_default_deny_network_policies() -> None:
    ns = view("kubernetes:core/v1:Namespace", {"metadata": {"name": "assistant"}}, name="ns")
    [msg] = failures([ns], "default-deny-network-policies")
    assert "'assistant' has no default-deny" in msg
    deny = view(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        {
            "metadata": {"namespace": "assistant"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        name="deny",
    )
    assert failures([ns, deny], "default-deny-network-policies") == []


@pytest.mark.parametrize(
    "image",
    ["docker.io/vllm/vllm-openai@sha256:" + "a" * 64, "desovereignregistry.azurecr.io/vllm:latest"],
)
def test_images_from_country_registry(image: str) -> None:
    pod = {**SAFE_POD, "containers": [{**SAFE_POD["containers"][0], "image": image}]}
    assert failures([deployment(pod)], "images-from-country-registry")


def test_approved_models() -> None:
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    record = register.find("llama-3.3-70b-instruct")
    assert record is not None
    weights = f"desovereignregistry.azurecr.io/models/x@{record.weights_digest}"
    pod = {**SAFE_POD, "initContainers": [{**SAFE_POD["containers"][0], "name": "weights", "image": weights}]}
    labels = {"sovereign.ai/model-id": record.id}
    assert failures([deployment(pod, labels)], "approved-models") == []
    assert failures([deployment(SAFE_POD, labels)], "approved-models")  # weights not the approved artifact
    assert failures([deployment(pod, {"sovereign.ai/model-id": "sarvam-m"})], "approved-models")  # not for de
    late = PolicyContext.of(ctx().config, register, record.assessment.expires_on.replace(year=2030))
    assert failures([deployment(pod, labels)], "approved-models", late)


def test_no_public_kubernetes_endpoints() -> None:
    lb = view("kubernetes:core/v1:Service", {"spec": {"type": "LoadBalancer"}})
    assert failures([lb], "no-public-kubernetes-endpoints")
    internal = view(
        "kubernetes:core/v1:Service",
        {
            "metadata": {"annotations": {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}},
            "spec": {"type": "LoadBalancer"},
        },
    )
    assert failures([internal], "no-public-kubernetes-endpoints") == []


def test_rejects_gpu_workload_that_names_no_model() -> None:
    """approved-models fails closed: a workload requesting GPUs without the model annotation is a finding."""
    gpu = {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}}
    pod = {**SAFE_POD, "containers": [{**SAFE_POD["containers"][0], "resources": gpu}]}
    [msg] = failures([deployment(pod)], "approved-models")
    assert "names no model" in msg and "sovereign.ai/model-id" in msg
    assert failures([deployment(SAFE_POD)], "approved-models") == []  # a CPU workload names no model: fine


def test_stateful_protected_covers_kubernetes_state() -> None:
    for kind in ("kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim"):
        [msg] = failures([view(kind, {}, protect=False)], "stateful-protected")
        assert "not protected" in msg, kind


def test_every_stateful_type_names_what_is_lost() -> None:
    from sovereign.policies import RETAINED_TYPES, STATEFUL_TYPES

    assert set(STATEFUL_TYPES) >= RETAINED_TYPES
    assert all(len(reason) > 10 for reason in STATEFUL_TYPES.values())


def test_rejects_a_firewall_route_without_the_allow_list_rules() -> None:
    route = {"routes": [{"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}]}
    [msg] = failures([view("azure-native:network:RouteTable", route)], "no-public-endpoints")
    assert "enforced nowhere" in msg
    rules = view("azure-native:network:FirewallPolicyRuleCollectionGroup", {"ruleCollections": []}, name="g")
    assert failures([view("azure-native:network:RouteTable", route), rules], "no-public-endpoints") == []
    drop = {"routes": [{"addressPrefix": "0.0.0.0/0", "nextHopType": "None"}]}
    assert failures([view("azure-native:network:RouteTable", drop)], "no-public-endpoints") == []
