"""Shared builders for the OCI component tests: the real ``OciPlatform``, built from a spec, and real siblings.

``platform_program`` builds the L3 ``OciPlatform`` exactly as the stack does (from typed specs), so the
cross-component tests see the component's own wiring. Tests of one L2 component build it on real sibling objects
(``with_network``, ``with_keys``): a ``SovereignNetwork`` and a ``KeyCustody``, never hand-written OCIDs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pulumi

from components.oci import (
    BucketSpec,
    KeyCustody,
    KeyCustodyArgs,
    NodeBootstrapSpec,
    NodePoolSpec,
    OciPlatform,
    OciPlatformArgs,
    SovereignNetwork,
    SovereignNetworkArgs,
)
from sovereign.engine.recorder import Recording, run_program
from sovereign.types import StorePurpose

TENANCY = "ocid1.tenancy.oc1..aaaatenancy"
REGION = "eu-frankfurt-1"
TAGS = {"owner": "de-platform-team"}
COMPARTMENT = "ocid1.compartment.oc1..offlinedecompartment"
"""The compartment id the offline engine gives the country compartment of the network 'de'."""
LOCK = dt.date(2027, 1, 15)
PROVIDER_SHA256 = "sha256:" + "ab" * 32
"""Digest of the staged OCIR credential provider binary in the test platform."""


def at(reg: Any) -> str:
    """Assertion message naming the registration: every assertion carries its URN."""
    return f"at {getattr(reg, 'urn', reg)}"


def offline_id(kind: str, name: str) -> str:
    """The OCID the offline engine gives a resource: ``offline_id("subnet", "de-api")``."""
    return f"ocid1.{kind}.oc1..offline{name.replace('-', '')}"


def as_program(build: Callable[[], object]) -> Callable[[], None]:
    """A Pulumi program (returning None) that builds one component."""

    def run() -> None:
        build()

    return run


def network_args(region: str = REGION, **overrides: Any) -> SovereignNetworkArgs:
    values: dict[str, Any] = {
        "parent_compartment_id": TENANCY,
        "compartment_name": "sovereign-de-prod",
        "region": region,
        "vcn_cidr": "10.20.0.0/16",
        "freeform_tags": TAGS,
    }
    values.update(overrides)
    return SovereignNetworkArgs(**values)


def with_network(build: Callable[[SovereignNetwork], object], *, region: str = REGION) -> Recording:
    """Record one component built on the real network 'de' (compartment ``COMPARTMENT``)."""

    def program() -> None:
        build(SovereignNetwork("de", network_args(region)))

    return run_program(program)


def build_keys(net: SovereignNetwork, region: str = REGION, **overrides: Any) -> KeyCustody:
    values: dict[str, Any] = {
        "network": net,
        "tenancy_id": TENANCY,
        "region": region,
        "freeform_tags": TAGS,
    }
    values.update(overrides)
    return KeyCustody("de-keys", KeyCustodyArgs(**values))


def with_keys(build: Callable[[SovereignNetwork, KeyCustody], object], *, region: str = REGION) -> Recording:
    """Record one component built on the real network 'de' and key custody 'de-keys'."""

    def program() -> None:
        net = SovereignNetwork("de", network_args(region))
        build(net, build_keys(net, region))

    return run_program(program)


def platform_args(**overrides: Any) -> OciPlatformArgs:
    """One country's platform spec ('fr' in Paris): the shape ``stacks/oci_platform.py`` builds."""
    region = "eu-paris-1"
    values: dict[str, Any] = {
        "tenancy_id": TENANCY,
        "tenancy_namespace": "frsovereignns",
        "region": region,
        "network": SovereignNetworkArgs(
            parent_compartment_id=TENANCY,
            compartment_name="sovereign-fr-prod",
            region=region,
            vcn_cidr="10.50.0.0/16",
            subnet_cidrs={
                "workers": "10.50.0.0/20",
                "api": "10.50.16.0/28",
                "load_balancers": "10.50.18.0/24",
                "pods": "10.50.64.0/18",
            },
            freeform_tags=TAGS,
        ),
        "kubernetes_version": "v1.34.1",
        "node_pools": [
            NodePoolSpec(name="system", shape="VM.Standard.E4.Flex", node_count=3, ocpus=4, memory_gib=64),
            NodePoolSpec(name="h100", shape="BM.GPU.H100.8", node_count=1),
        ],
        "services_cidr": "10.96.0.0/16",
        "key_rotation_days": 90,
        "stores": [
            BucketSpec(name="weights", purpose=StorePurpose.MODEL_WEIGHTS),
            BucketSpec(
                name="audit",
                purpose=StorePurpose.AUDIT_LOGS,
                versioning=False,
                retention_days=2555,
                retention_lock_date=LOCK,
            ),
        ],
        "repositories": ["frsovereignregistry/mirror/vllm/vllm-openai"],
        "compartment_path": "sovereign-fr-prod",
        "allowed_regions": [region, "eu-marseille-1"],
        "admin_groups": ["fr-platform-admins"],
        "log_retention_days": 180,
        "freeform_tags": TAGS,
        "node_bootstrap": NodeBootstrapSpec(
            bucket="fr-node-bootstrap",
            credential_provider_sha256=PROVIDER_SHA256,
            as_of=dt.date(2026, 11, 22),
        ),
    }
    values.update(overrides)
    return OciPlatformArgs(**values)


def platform_program(args: OciPlatformArgs | None = None) -> Callable[[], None]:
    """The whole OCI platform of one country: ``OciPlatform('fr', args)``, plus the kubeconfig export."""

    def program() -> None:
        platform = OciPlatform("fr", args or platform_args())
        pulumi.export("kubeconfig", platform.cluster.kubeconfig)

    return program


def record_platform(args: OciPlatformArgs | None = None) -> Recording:
    return run_program(platform_program(args))
