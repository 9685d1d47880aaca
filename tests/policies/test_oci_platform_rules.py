"""The OCI platform rules (sovereign/policies/oci_platform_rules.py) on the real platform's recording: each passes
on what OciPlatform declares, and fails on the defect the review found (O5, O6, O10, O14, O16), rebuilt from that
recording, so a rule that cannot fail would fail here. O11 (internal network load balancers) is at the end."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from sovereign.policies import ALL_RULES, ResourceView, evaluate, view_of_registration
from sovereign.policies.oci_platform_rules import NODE_POOL, OCI_PLATFORM_RULES, STORAGE_CLASS
from tests.components.oci.helpers import platform_args, record_platform
from tests.policies.test_rules import ctx, view

BUCKET = "oci:ObjectStorage/bucket:Bucket"


@pytest.fixture(scope="module")
def plan() -> list[ResourceView]:
    network = platform_args().network
    args = platform_args(network=dataclasses.replace(network, api_client_cidrs=["10.0.200.0/24"]))
    views = [view_of_registration(r) for r in record_platform(args).registrations]
    storage_class = view(
        STORAGE_CLASS,
        {"provisioner": "blockvolume.csi.oraclecloud.com", "parameters": {"attachment-type": "iscsi"}},
        name="sovereign-encrypted",
    )
    return [*views, storage_class]


def failures(resources: list[ResourceView], policy: str) -> list[str]:
    [rule] = [r for r in OCI_PLATFORM_RULES if r.id == policy]
    return [c["message"] for c in evaluate([rule], ctx("fr"), resources) if c["status"] == "fail"]


def edit(
    resources: list[ResourceView], match: Callable[[ResourceView], bool], props: dict[str, Any]
) -> list[ResourceView]:
    found = [r for r in resources if match(r)]
    assert found, "the defect must be built from a resource the platform declares"
    return [dataclasses.replace(r, props={**r.props, **props}) if match(r) else r for r in resources]


def without(resources: list[ResourceView], match: Callable[[ResourceView], bool]) -> list[ResourceView]:
    kept = [r for r in resources if not match(r)]
    assert len(kept) < len(resources), "the defect must remove a resource the platform declares"
    return kept


def named(suffix: str) -> Callable[[ResourceView], bool]:
    return lambda r: r.name.endswith(suffix)


def test_every_rule_registered_and_not_a_sovereignty_rule_but_exposure() -> None:
    assert all(rule in ALL_RULES for rule in OCI_PLATFORM_RULES)
    assert {r.id for r in OCI_PLATFORM_RULES if r.sovereignty} == {
        "oke-nsg-cidrs-private",
        "oke-lb-no-security-list-edits",
    }


@pytest.mark.parametrize("rule", [r.id for r in OCI_PLATFORM_RULES])
def test_the_platform_passes(plan: list[ResourceView], rule: str) -> None:
    assert failures(plan, rule) == []


def test_api_unreachable_without_client_cidrs(plan: list[ResourceView]) -> None:
    """O5: the shipped network passed no api_client_cidrs; 6443 was open to the cluster's own NSGs only."""
    [msg] = failures(without(plan, named("-api-in-client0-6443")), "oke-api-reachable")
    assert "cannot connect" in msg


def test_public_api_client_refused(plan: list[ResourceView]) -> None:
    defect = edit(plan, named("-api-in-client0-6443"), {"source": "0.0.0.0/0"})
    [msg] = failures(defect, "oke-nsg-cidrs-private")
    assert "0.0.0.0/0" in msg


@pytest.mark.parametrize(
    ("removed", "missing"),
    [
        ("-workers-in-workers-all", "ingress workers"),
        ("-workers-out-workers-all", "egress workers"),
        ("-workers-in-pods-all", "ingress pods"),
    ],
)
def test_workers_without_oke_rules_fail(plan: list[ResourceView], removed: str, missing: str) -> None:
    """O10: the worker NSG lacked worker<->worker and pods->worker rules."""
    found = failures(without(plan, named(removed)), "oke-workers-networked")
    assert found and all(missing in m for m in found), found


def test_transit_encryption_on_bare_metal_fails(plan: list[ResourceView]) -> None:
    """O14: in-transit encryption was set on every pool, the BM.GPU.H100.8 one included."""
    gpu = [r for r in plan if r.type == NODE_POOL and str(r.get("nodeShape")).startswith("BM.")]
    assert gpu
    defect = edit(
        plan,
        lambda r: r in gpu,
        {"nodeConfigDetails": {**gpu[0].props["nodeConfigDetails"], "isPvEncryptionInTransitEnabled": True}},
    )
    [msg] = failures(defect, "oke-bare-metal-attaches-iscsi")
    assert "BM.GPU.H100.8" in msg
    paravirtualized = edit(
        plan, lambda r: r.type == STORAGE_CLASS, {"parameters": {"attachment-type": "paravirtualized"}}
    )
    [msg] = failures(paravirtualized, "oke-bare-metal-attaches-iscsi")
    assert "iscsi" in msg


def test_nodes_without_growfs_or_oke_init_fail(plan: list[ResourceView]) -> None:
    """O16: the system pool had no cloud-init at all, GPU pools one without oci-growfs."""
    old_gpu_script = (
        '#!/bin/bash\nbash /var/run/oke-init.sh --kubelet-extra-args "--register-with-taints=x"\n'
    )
    defect = edit(
        plan,
        lambda r: r.type == NODE_POOL,
        {"nodeMetadata": {"user_data": base64.b64encode(old_gpu_script.encode()).decode()}},
    )
    found = failures(defect, "oke-nodes-start")
    assert found and all("oci-growfs" in m for m in found), found
    no_init = edit(plan, lambda r: r.type == NODE_POOL, {"nodeMetadata": None})
    assert any("oke-init.sh" in m for m in failures(no_init, "oke-nodes-start"))


def test_retention_rule_named_by_duration_fails(plan: list[ResourceView]) -> None:
    """O6: the rule was named 'audit-locked-2555d'."""
    audit = [r for r in plan if r.type == BUCKET and r.get("retentionRules")]
    assert audit
    rules = [{**audit[0].props["retentionRules"][0], "displayName": "audit-locked-2555d"}]
    [msg] = failures(
        edit(plan, lambda r: r in audit, {"retentionRules": rules}), "oci-retention-rule-names-stable"
    )
    assert "audit-locked-2555d" in msg


# O11: internal load balancers -----------------------------------------------------------------------------------


def _lb(annotations: dict[str, str]) -> ResourceView:
    return view(
        "kubernetes:core/v1:Service",
        {"metadata": {"annotations": annotations}, "spec": {"type": "LoadBalancer"}},
    )


def _public(annotations: dict[str, str]) -> bool:
    checks = evaluate(
        [r for r in ALL_RULES if r.id == "no-public-kubernetes-endpoints"], ctx("fr"), [_lb(annotations)]
    )
    return any(c["status"] == "fail" for c in checks)


@pytest.mark.parametrize(
    ("annotations", "public"),
    [
        ({"oci.oraclecloud.com/load-balancer-type": "nlb"}, True),  # the old rule took this for internal
        (
            {
                "oci.oraclecloud.com/load-balancer-type": "nlb",
                "oci-network-load-balancer.oraclecloud.com/internal": "true",
            },
            False,
        ),
        (
            {
                "oci.oraclecloud.com/load-balancer-type": "nlb",
                "service.beta.kubernetes.io/oci-load-balancer-internal": "true",  # the LB annotation: ignored
            },
            True,
        ),
        ({"service.beta.kubernetes.io/oci-load-balancer-internal": "true"}, False),
        (
            {
                "oci.oraclecloud.com/load-balancer-type": "lb",
                "service.beta.kubernetes.io/oci-load-balancer-internal": "true",
            },
            False,
        ),
        ({"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}, False),
        ({}, True),
    ],
)
def test_internal_load_balancer_annotations(annotations: dict[str, str], public: bool) -> None:
    assert _public(annotations) is public


def _with_script(plan: list[ResourceView], script: str) -> list[ResourceView]:
    encoded = base64.b64encode(script.encode()).decode()
    return edit(plan, lambda r: r.type == NODE_POOL, {"nodeMetadata": {"user_data": encoded}})


def _pool_script(plan: list[ResourceView]) -> str:
    pool = next(r for r in plan if r.type == NODE_POOL)
    return base64.b64decode(str(pool.get("nodeMetadata.user_data"))).decode()


def test_nodes_that_cannot_pull_private_images_fail(plan: list[ResourceView]) -> None:
    """O15: the pools' cloud-init installed neither the kubelet credential provider nor any pull secret."""
    script = _pool_script(plan)
    assert "--image-credential-provider-config=" in script and "sha256sum -c" in script
    old = (
        "#!/bin/bash\nif [ -x /usr/libexec/oci-growfs ]; then /usr/libexec/oci-growfs -y; fi\n"
        'bash /var/run/oke-init.sh --kubelet-extra-args "--register-with-taints=x"\n'
    )
    found = failures(_with_script(plan, old), "oke-registry-pulls")
    assert found and all("no way to authenticate" in m for m in found), found


def test_credential_provider_from_abroad_or_unchecked_fails(plan: list[ResourceView]) -> None:
    script = _pool_script(plan)
    abroad = script.replace("objectstorage.eu-paris-1.", "objectstorage.us-ashburn-1.")
    assert abroad != script
    assert any(
        "primary region eu-paris-1" in m for m in failures(_with_script(plan, abroad), "oke-registry-pulls")
    )
    unchecked = script.replace("sha256sum -c", "true")
    assert any("digest check" in m for m in failures(_with_script(plan, unchecked), "oke-registry-pulls"))


def test_workers_without_repository_read_fail(plan: list[ResourceView]) -> None:
    """The provider's instance-principal token carries only what IAM grants the workers' dynamic group."""
    policies = [r for r in plan if r.type == "oci:Identity/policy:Policy"]
    readers = [r for r in policies if any("to read repos" in s for s in r.get("statements") or [])]
    assert readers
    stripped = edit(
        plan,
        lambda r: r in readers,
        {"statements": ["Allow group x to read buckets in compartment id ocid1.compartment.oc1..x"]},
    )
    [msg] = failures(stripped, "oke-registry-pulls")
    assert "read repos" in msg


# OKE's cloud controller and the emptied default security list ------------------------------------------------


def _lb_findings(annotations: dict[str, str], country: str = "fr") -> list[str]:
    [rule] = [r for r in OCI_PLATFORM_RULES if r.id == "oke-lb-no-security-list-edits"]
    checks = evaluate([rule], ctx(country), [_lb(annotations)])
    return [c["message"] for c in checks if c["status"] == "fail"]


_NLB = {
    "oci.oraclecloud.com/load-balancer-type": "nlb",
    "oci-network-load-balancer.oraclecloud.com/internal": "true",
}


@pytest.mark.parametrize(
    ("annotations", "edits"),
    [
        # The defect: an internal OCI load balancer with no mode; the controller's default for type lb is "All".
        ({"service.beta.kubernetes.io/oci-load-balancer-internal": "true"}, True),
        ({"oci.oraclecloud.com/security-rule-management-mode": "NSG"}, False),
        ({"oci.oraclecloud.com/security-rule-management-mode": "nsg"}, False),  # NSG is compared case-blind
        ({"oci.oraclecloud.com/security-rule-management-mode": "None"}, False),
        ({"oci.oraclecloud.com/security-rule-management-mode": "none"}, True),  # not a known mode: refused
        ({"oci.oraclecloud.com/security-rule-management-mode": "SL-All"}, True),
        ({"oci.oraclecloud.com/security-rule-management-mode": "SL-Frontend"}, True),
        # The new annotation wins over the legacy one.
        (
            {
                "oci.oraclecloud.com/security-rule-management-mode": "SL-Frontend",
                "service.beta.kubernetes.io/oci-load-balancer-security-list-management-mode": "None",
            },
            True,
        ),
        ({"service.beta.kubernetes.io/oci-load-balancer-security-list-management-mode": "None"}, False),
        ({"service.beta.kubernetes.io/oci-load-balancer-security-list-management-mode": "Frontend"}, True),
        # The load balancer's legacy annotation does not apply to a network load balancer, and vice versa.
        (
            {**_NLB, "service.beta.kubernetes.io/oci-load-balancer-security-list-management-mode": "None"},
            True,
        ),
        ({**_NLB, "oci-network-load-balancer.oraclecloud.com/security-list-management-mode": "None"}, False),
        ({"oci-network-load-balancer.oraclecloud.com/security-list-management-mode": "None"}, True),
        ({**_NLB, "oci-network-load-balancer.oraclecloud.com/security-list-management-mode": "All"}, True),
        (_NLB, True),  # "None" by the controller's default, but not said: defaults may change
    ],
)
def test_load_balancer_must_leave_security_lists_alone(annotations: dict[str, str], edits: bool) -> None:
    found = _lb_findings(annotations)
    assert bool(found) is edits, found
    assert all("security-rule-management-mode" in m for m in found), found


def test_security_list_rule_is_for_oke_only_and_ignores_other_services() -> None:
    assert _lb_findings({}, country="de") == []  # AKS: no OCI cloud controller
    cluster_ip = view(
        "kubernetes:core/v1:Service", {"metadata": {"annotations": {}}, "spec": {"type": "ClusterIP"}}
    )
    [rule] = [r for r in OCI_PLATFORM_RULES if r.id == "oke-lb-no-security-list-edits"]
    assert all(c["status"] == "pass" for c in evaluate([rule], ctx("fr"), [cluster_ip]))
