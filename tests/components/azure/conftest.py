"""Shared builders for the Azure component tests: the real ``AzurePlatform``, built from a spec.

Each test builds components inside a program passed to ``run_program`` and asserts afterwards on the recorded,
wire-named inputs. ``platform_program`` builds the L3 ``AzurePlatform`` exactly as the stack does (from typed
specs), so the cross-component tests (parenting, regions, tags, protect flags, key grants) see the component's
own wiring, not a copy of it. Tests of one L2 component build it with real sibling objects (``with_siblings``):
a ``SovereignNetwork`` and a ``KeyCustody``, never hand-written ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pytest

from components.azure.catalogue import PrivateZone, private_zone_name
from sovereign.clouds.azure.naming import key_vault_name
from sovereign.clouds.azure.offline import MOCK_SUBSCRIPTION
from sovereign.engine.recorder import Recording, run_program
from sovereign.types import ConfidentialTier, EgressMode, StorePurpose

if TYPE_CHECKING:
    from components.azure import (
        AzurePlatformArgs,
        ClusterSpec,
        KeyCustody,
        NamedStore,
        NodePoolSpec,
        SovereignNetwork,
        SovereignNetworkArgs,
    )

REGION = "germanywestcentral"
PAIR = "germanynorth"
ADMIN_GROUP = "6f1c7b6e-3f0a-4c8e-9a55-0b1f1d2e3a4b"
TENANT = "11111111-1111-1111-1111-111111111111"
TAGS = {"country": "de", "data-classification": "sovereign"}
SYSTEM_SIZE = "Standard_D4ds_v5"
GPU_SIZE = "Standard_NC40ads_H100_v5"
FIREWALL_IP = "10.0.0.4"
_ARM = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/offline/providers/"


FIREWALL_POLICY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/hub/providers/Microsoft.Network/"
    "firewallPolicies/hub-egress"
)


VAULT_NAME = key_vault_name("de-keys", MOCK_SUBSCRIPTION)
"""The Key Vault's Azure name in these tests (component 'de-keys'): explicit and deterministic."""
VAULT_URI = f"https://{VAULT_NAME}.vault.azure.net/"


def zone_id(zone: str) -> str:
    """The id of a private DNS zone, named by Azure's privatelink name: ``zone_id("key-vault")``."""
    return arm_id(
        "Microsoft.Network/privateZones", private_zone_name(PrivateZone(zone.replace("-", "_")), REGION)
    )


def subnet_id(name: str) -> str:
    """A subnet's id, nested under the test network's virtual network as in Azure: ``subnet_id("de-net-nodes")``."""
    return arm_id("Microsoft.Network/virtualNetworks", f"de-net-vnet/subnets/{name}")


def arm_id(kind: str, name: str) -> str:
    """The id the offline engine gives a resource: ``arm_id("Microsoft.Network/subnets", "de-net-nodes")``."""
    return f"{_ARM}{kind}/{name}"


def at(reg: Any) -> str:
    """Assertion message naming the registration: every assertion carries its URN."""
    return f"at {getattr(reg, 'urn', reg)}"


def network_args(
    egress: EgressMode = EgressMode.NONE, firewall_ip: str | None = None, **overrides: Any
) -> SovereignNetworkArgs:
    from components.azure import SovereignNetworkArgs

    values: dict[str, Any] = {
        "location": REGION,
        "address_space": "10.40.0.0/16",
        "nodes_subnet_cidr": "10.40.0.0/20",
        "api_server_subnet_cidr": "10.40.16.0/28",
        "private_endpoints_subnet_cidr": "10.40.17.0/24",
        "egress_mode": egress,
        "egress_firewall_ip": firewall_ip,
        "tags": TAGS,
    }
    values.update(overrides)
    return SovereignNetworkArgs(**values)


def pool(name: str, vm_size: str, **overrides: Any) -> NodePoolSpec:
    from components.azure import NodePoolSpec

    return NodePoolSpec(name=name, vm_size=vm_size, **overrides)


def gpu_pool(**overrides: Any) -> NodePoolSpec:
    """The H100 pool of the default platform: scales from zero, regional (no zones)."""
    values: dict[str, Any] = {"node_count_min": 0, "node_count_max": 4, "zones": ()}
    values.update(overrides)
    return pool("h100", values.pop("vm_size", GPU_SIZE), **values)


def cluster_spec(**overrides: Any) -> ClusterSpec:
    from components.azure import ClusterSpec

    values: dict[str, Any] = {
        "admin_group_object_ids": [ADMIN_GROUP],
        "system_pool": pool("system", SYSTEM_SIZE),
        "gpu_pools": [gpu_pool()],
        "tenant_id": TENANT,
    }
    values.update(overrides)
    return ClusterSpec(**values)


def confidential_cluster(tier: ConfidentialTier) -> ClusterSpec:
    """Confidential system pool; for the GPU tier, the confidential H100 size as well."""
    gpu_size = "Standard_NCC40ads_H100_v5" if tier is ConfidentialTier.CONFIDENTIAL_GPU else GPU_SIZE
    return cluster_spec(
        confidential_tier=tier,
        system_pool=pool("system", "Standard_DC4as_v5"),
        gpu_pools=[gpu_pool(vm_size=gpu_size)],
    )


def default_stores() -> list[NamedStore]:
    from components.azure import NamedStore, StoreSpec

    return [
        NamedStore("model-weights", StoreSpec(purpose=StorePurpose.MODEL_WEIGHTS)),
        NamedStore("audit-logs", StoreSpec(purpose=StorePurpose.AUDIT_LOGS, audit_retention_days=2555)),
    ]


def platform_args(
    *,
    egress: EgressMode = EgressMode.NONE,
    cluster: ClusterSpec | None = None,
    stores: Sequence[NamedStore] | None = None,
    protect: bool = True,
    **overrides: Any,
) -> AzurePlatformArgs:
    """One country's platform spec: the shape ``stacks/azure_platform.py`` builds from a country file."""
    from components.azure import AllowedDestination, AzurePlatformArgs, KeyLifetime

    allow_list = egress is EgressMode.ALLOW_LIST
    values: dict[str, Any] = {
        "network": network_args(egress, FIREWALL_IP if allow_list else None),
        "egress_firewall_policy_id": FIREWALL_POLICY_ID if allow_list else None,
        "egress_destinations": [
            AllowedDestination("login.microsoftonline.com", (443,), "Entra ID sign-in for the cluster")
        ]
        if allow_list
        else [],
        "key_lifetime": KeyLifetime(rotate_after_days=90, expiry_days=365),
        "cluster": cluster or cluster_spec(),
        "registry_name": "desovereignacr",
        "allowed_regions": [REGION, PAIR],
        "stores": default_stores() if stores is None else stores,
        "protect_stateful": protect,
        "tags": TAGS,
    }
    values.update(overrides)
    return AzurePlatformArgs(**values)


def platform_program(args: AzurePlatformArgs | None = None) -> Callable[[], None]:
    """The whole Azure platform of one country: ``AzurePlatform('de', args)``, plus the cluster's exports."""

    def program() -> None:
        from components.azure import AzurePlatform

        platform = AzurePlatform("de", args or platform_args())
        cluster = platform.cluster
        pulumi.export("kubeconfig", cluster.kubeconfig)
        pulumi.export("kubeconfig_plain", pulumi.Output.unsecret(cluster.kubeconfig))
        pulumi.export("oidc_issuer_url", cluster.oidc_issuer_url)
        pulumi.export("login_server", platform.registry.login_server)

    return program


@pytest.fixture(autouse=True)
def offline_hub() -> None:
    """The hub firewall Azure would report for the platform's egress allow-list: at ``FIREWALL_IP``, in the
    platform's region (``sovereign.clouds.azure.offline``; a plan sets it from the country file)."""
    from sovereign.clouds.azure.offline import set_offline_hub

    set_offline_hub(FIREWALL_IP, REGION)


def record_platform(args: AzurePlatformArgs | None = None) -> Recording:
    return run_program(platform_program(args))


def with_siblings(
    build: Callable[[SovereignNetwork, KeyCustody], object], *, network: SovereignNetworkArgs | None = None
) -> Recording:
    """Record one L2 component built on real siblings: the network ``de-net`` and the key custody ``de-keys``
    (tenant fixed, 4096-bit keys rotated after 90 days), as the platform composes them."""
    from components.azure import KeyCustody, KeyCustodyArgs, KeyLifetime, SovereignNetwork

    def program() -> None:
        net = SovereignNetwork("de-net", network or network_args())
        keys = KeyCustody(
            "de-keys",
            KeyCustodyArgs(
                network=net,
                lifetime=KeyLifetime(rotate_after_days=90, expiry_days=365, key_size_bits=4096),
                tenant_id=TENANT,
                tags=TAGS,
            ),
        )
        build(net, keys)

    return run_program(program)


@pytest.fixture(scope="module")
def platform() -> Recording:
    """The default platform (egress none, no confidential tier, prod protection), recorded once per module."""
    return record_platform()


@pytest.fixture
def make_network_args() -> Callable[..., Any]:
    """SovereignNetworkArgs with valid defaults; keyword overrides replace single fields."""
    return network_args
