"""VaultReplica in the real OciPlatform: the country's vault replicated to its in-country secondary region, after
the Vault service's region-fenced policy has propagated; refused across realms or onto the vault's own region."""

from __future__ import annotations

import pulumi
import pytest

from components.oci.key_replica import VaultReplicaArgs
from components.oci.statements import vault_replication_statements
from sovereign.engine.recorder import Recording
from tests.components.oci.helpers import at, offline_id, platform_args, record_platform

REPLICA = "oci:Kms/vaultVerification:VaultVerification"
POLICY = "oci:Identity/policy:Policy"
SLEEP = "time:index/sleep:Sleep"


@pytest.fixture(scope="module")
def replicated() -> Recording:
    return record_platform(platform_args(replica_region="eu-marseille-1"))


def test_vault_replicated_to_the_secondary_after_the_service_policy(replicated: Recording) -> None:
    replica = replicated.one(REPLICA)
    replicated.one("oci:Kms/vault:Vault", "fr-keys-vault")
    assert replica.get("replicaRegion") == "eu-marseille-1", at(replica)
    assert replica.get("vaultId") == offline_id("vault", "fr-keys-vault"), at(replica)
    wait = replicated.one(SLEEP, "fr-key-replica-propagation")
    policy = replicated.one(POLICY, "fr-key-replica-service")
    assert wait.urn in replica.dependencies, at(replica)
    assert policy.urn in wait.dependencies, at(wait)
    assert replica.protect is True, at(replica)


def test_the_service_may_manage_vaults_only_in_the_two_regions(replicated: Recording) -> None:
    policy = replicated.one(POLICY, "fr-key-replica-service")
    assert policy.get("statements") == [
        f"Allow service keymanagementservice to manage vaults in compartment id {policy.get('compartmentId')} "
        "where any {request.region = 'CDG', request.region = 'MRS'}"
    ], at(policy)


def test_without_a_secondary_no_replica() -> None:
    types = {r.type for r in record_platform(platform_args()).registrations}
    assert REPLICA not in types


@pytest.mark.parametrize(
    ("replica_region", "message"),
    [
        ("eu-paris-1", "is the vault's own region"),
        ("eu-frankfurt-2", "OCI replicates vaults within one realm only"),  # oc19, the EU Sovereign Cloud
        ("paris", "unknown OCI region"),
    ],
)
def test_rejects_a_replica_region_oci_cannot_serve(replica_region: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VaultReplicaArgs(
            vault_id=pulumi.Output.from_input("ocid1.vault.oc1..v"),
            compartment_id="ocid1.compartment.oc1..c",
            region="eu-paris-1",
            replica_region=replica_region,
        )


def test_rejects_replication_statements_onto_the_same_region() -> None:
    with pytest.raises(ValueError, match="the vault's own region"):
        vault_replication_statements(
            compartment_id="ocid1.compartment.oc1..c", region="eu-paris-1", replica_region="eu-paris-1"
        )
