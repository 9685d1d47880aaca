"""What a real OKE deployment needs from the nodes, the network and the audit bucket (review findings O5, O6,
O10, O14, O16, O18), on the recorded OciPlatform and its components."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pulumi
import pulumi_oci as oci
import pytest

from components.oci import storage as storage_module
from components.oci.key_custody import KeyCustody
from components.oci.network import SovereignNetwork
from components.oci.node_images import supports_pv_transit_encryption
from components.oci.node_pool import NodePoolSpec
from components.oci.nsg_rules import oke_rules
from components.oci.storage import (
    BucketSpec,
    EncryptedStorage,
    EncryptedStorageArgs,
    default_lock_date,
    retention_rule_name,
)
from sovereign.clouds.oci.facts import MIN_LOCK_DELAY_DAYS
from sovereign.engine.recorder import Recording, run_program
from sovereign.types import StorePurpose
from tests.components.oci.helpers import (
    LOCK,
    REGION,
    at,
    network_args,
    offline_id,
    platform_args,
    record_platform,
    with_keys,
    with_network,
)

POOL = "oci:ContainerEngine/nodePool:NodePool"
RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"


@pytest.fixture(scope="module")
def platform() -> Recording:
    return record_platform(
        platform_args(
            node_pools=[
                NodePoolSpec(
                    name="system", shape="VM.Standard.E4.Flex", node_count=3, ocpus=4, memory_gib=64
                ),
                NodePoolSpec(name="h100", shape="BM.GPU.H100.8", node_count=1, boot_volume_size_gib=500),
                NodePoolSpec(name="a10", shape="VM.GPU.A10.1", node_count=1),
            ]
        )
    )


def _script(pool: Any) -> str:
    return base64.b64decode(pool.get("nodeMetadata.user_data")).decode()


def test_transit_encryption_only_on_vm_shapes(platform: Recording) -> None:
    """O14: bare-metal shapes attach over iSCSI only (terraform-oci-oke modules/workers/locals.tf)."""
    shapes = {
        p.get("nodeShape"): p.get("nodeConfigDetails.isPvEncryptionInTransitEnabled")
        for p in platform.of_type(POOL)
    }
    assert shapes == {"VM.Standard.E4.Flex": True, "BM.GPU.H100.8": False, "VM.GPU.A10.1": True}
    assert [supports_pv_transit_encryption(s) for s in ("VM.GPU.A10.1", "BM.GPU4.8", "BM.GPU.L40S.4")] == [
        True,
        False,
        False,
    ]


def test_every_node_grows_its_root_fs_then_runs_oke_init(platform: Recording) -> None:
    """O16: custom cloud-init must still run OKE's oke-init.sh; oci-growfs first, so images land on the grown disk."""
    for pool in platform.of_type(POOL):
        script = _script(pool)
        assert script.startswith("#!/bin/bash\n"), at(pool)
        assert "/opc/v2/instance/metadata/oke_init_script" in script, at(pool)
        assert script.index("/usr/libexec/oci-growfs -y") < script.index("bash /var/run/oke-init.sh"), at(
            pool
        )
    gpu = platform.one(POOL, "fr-h100-pool")
    assert "--register-with-taints=" in _script(gpu), at(gpu)
    assert gpu.get("nodeSourceDetails.bootVolumeSizeInGbs") == "500", at(gpu)


def test_boot_volume_size_bounded_by_oci() -> None:
    with pytest.raises(ValueError, match="at most 32768"):
        NodePoolSpec(name="gpu", shape="VM.GPU.A10.1", node_count=1, boot_volume_size_gib=40000)


def _rule(rec: Recording, key: str) -> Any:
    return rec.one(RULE, f"de-nsgs-{key}")


def test_workers_reach_workers_and_pods_reach_workers() -> None:
    """O10: OKE's VCN-native worker rules (contengnetworkconfig; terraform-oci-oke nsg-workers.tf)."""
    rec = with_network(lambda net: None)
    workers = offline_id("networksecuritygroup", "de-nsgs-workers")
    pods = offline_id("networksecuritygroup", "de-nsgs-pods")
    expected = {
        "workers-in-workers-all": ("INGRESS", workers, workers),
        "workers-out-workers-all": ("EGRESS", workers, workers),
        "workers-in-pods-all": ("INGRESS", workers, pods),
        "pods-out-workers-all": ("EGRESS", pods, workers),
    }
    for key, (direction, nsg, peer) in expected.items():
        rule = _rule(rec, key)
        assert rule.get("direction") == direction, at(rule)
        assert rule.get("protocol") == "all", at(rule)
        assert rule.get("networkSecurityGroupId") == nsg, at(rule)
        assert rule.get("source" if direction == "INGRESS" else "destination") == peer, at(rule)


def test_api_client_cidrs_open_6443_and_nothing_else() -> None:
    """O5: the runners' private range reaches the API endpoint, on 6443 only."""

    def program() -> None:
        SovereignNetwork("de", network_args(REGION, api_client_cidrs=["10.0.200.0/24"]))

    rec = run_program(program)
    rule = _rule(rec, "api-in-client0-6443")
    assert rule.get("networkSecurityGroupId") == offline_id("networksecuritygroup", "de-nsgs-api"), at(rule)
    assert (rule.get("sourceType"), rule.get("source")) == ("CIDR_BLOCK", "10.0.200.0/24"), at(rule)
    assert rule.get("tcpOptions.destinationPortRange") == {"min": 6443.0, "max": 6443.0}, at(rule)
    cidr_sources = [r for r in rec.of_type(RULE) if r.get("source") == "10.0.200.0/24"]
    assert cidr_sources == [rule]
    assert not [r for r in oke_rules(vcn_cidr="10.0.0.0/16") if r.nsg == "api" and r.peer_kind == "cidr"]


class _Spy:
    """Records the options EncryptedStorage gives its buckets (the recording keeps inputs, not options)."""

    def __init__(self) -> None:
        self.opts: dict[str, pulumi.ResourceOptions] = {}


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> _Spy:
    found = _Spy()
    real = oci.objectstorage.Bucket

    def bucket(resource_name: str, **kwargs: Any) -> Any:
        found.opts[resource_name] = kwargs["opts"]
        return real(resource_name, **kwargs)

    monkeypatch.setattr(storage_module.oci.objectstorage, "Bucket", bucket)
    return found


def test_locked_rule_keeps_its_name_and_lock_date_from_creation(spy: _Spy) -> None:
    """O6/O18: OCI refuses any change to a locked rule but a longer duration, so the name and lock date are
    creation-time values (ignore_changes), and the name does not carry the duration."""
    stores = [
        BucketSpec(
            name="audit",
            purpose=StorePurpose.AUDIT_LOGS,
            versioning=False,
            retention_days=3650,
            retention_lock_date=LOCK,
        ),
        BucketSpec(name="weights", purpose=StorePurpose.MODEL_WEIGHTS),
    ]

    def build(net: SovereignNetwork, keys: KeyCustody) -> None:
        EncryptedStorage(
            "de-storage", EncryptedStorageArgs(network=net, keys=keys, region=REGION, stores=stores)
        )

    rec = with_keys(build)
    audit = rec.one("oci:ObjectStorage/bucket:Bucket", "de-storage-audit")
    [rule] = audit.get("retentionRules")
    assert rule["displayName"] == retention_rule_name("audit") == "audit-locked", at(audit)
    assert "3650" not in rule["displayName"]
    assert spy.opts["de-storage-audit"].ignore_changes == [
        "retentionRules[0].displayName",
        "retentionRules[0].timeRuleLocked",
    ]
    # The duration itself is never ignored: raising it is the one update a locked rule accepts.
    assert spy.opts["de-storage-weights"].ignore_changes is None


def test_default_lock_date_is_beyond_ocis_minimum() -> None:
    day = dt.date(2027, 6, 1)
    assert (default_lock_date(day) - day).days >= MIN_LOCK_DELAY_DAYS
