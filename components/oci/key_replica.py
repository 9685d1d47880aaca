"""VaultReplica: the country's vault and keys replicated to its in-country secondary region (key DR).

Declares, when the country has a secondary region:

- an IAM policy letting the Vault service manage the compartment's vaults in the two regions
  (:func:`components.oci.statements.vault_replication_statements`), then ``IAM_PROPAGATION`` of waiting;
- an ``oci.kms.VaultVerification`` (terraform ``oci_kms_vault_replication``): "A vault replica is a mirror of
  that vault in a different region in the same realm. The vault replica and all the resources have same OCID
  with corresponding original ones. This only supports virtual private vault for now" (pulumi_oci 5.5.0
  ``kms/vault_verification.py``; terraform-provider-oci 8.28.0 ``website/docs/r/kms_vault_replication.html.markdown``).

What the replica gives: "The service supports using the vault replica for cryptographic operations. You can't
perform management operations directly on the vault replica"; every key and key version created in the source is
synchronised to it; "Keys never leave the HSM in plain text. The start and delete replication operations are logged
in OCI Audit logs" (Oracle, "Replicating Vaults and Keys", docs.oracle.com/en-us/iaas/Content/KeyManagement/Tasks/
replicatingvaults.htm). So data restored in the secondary region (volume backups, buckets copied there) can be
decrypted with the same key OCIDs without the primary region.

Before the first deployment (README, OCI deployment): "By default, private vaults have a limit of zero, so, you
must request a service limit increase in the destination region" (same page). The region fences allow vaults in the
secondary (its ``kms`` quota is not zeroed): it is one of the allowed regions.

Non-goals: a replica outside the country (the residency invariant refuses a secondary abroad, and the plan rule
``oci-key-replica-in-country`` refuses any replica region outside it), more than one replica (OCI allows one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci
import pulumiverse_time as time

from components.oci.key_access import IAM_PROPAGATION
from components.oci.regions import realm_of, require_region
from components.oci.statements import vault_replication_statements

__all__ = ["VaultReplica", "VaultReplicaArgs"]


@dataclass(frozen=True)
class VaultReplicaArgs:
    vault_id: pulumi.Input[str]
    """The country's virtual private vault (``KeyCustody.vault_id``)."""
    compartment_id: pulumi.Input[str]
    """The country compartment holding the vault."""
    region: str
    """The vault's region (the primary)."""
    replica_region: str
    """The in-country secondary region the vault is replicated to: same realm, another region."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region provider for the Vault service's policy (IAM accepts writes only there)."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    protect_stateful: bool = True
    """Protect the replica from `pulumi destroy` (prod): deleting it ends the keys' copy in the secondary."""

    def __post_init__(self) -> None:
        require_region(self.region)
        require_region(self.replica_region, "replica_region")
        if self.replica_region == self.region:
            raise ValueError(f"replica_region: {self.replica_region!r} is the vault's own region")
        if realm_of(self.replica_region) != realm_of(self.region):
            raise ValueError(
                f"replica_region: {self.replica_region!r} is in realm {realm_of(self.replica_region)!r}, the vault "
                f"in {realm_of(self.region)!r} (OCI replicates vaults within one realm only)"
            )


class VaultReplica(pulumi.ComponentResource):
    replica_region: str

    def __init__(self, name: str, args: VaultReplicaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:oci:VaultReplica", name, None, opts)
        policy = oci.identity.Policy(
            f"{name}-service",
            compartment_id=args.compartment_id,
            name=f"{name}-service",
            description=f"The Vault service keeps the country's vault replica in {args.replica_region}",
            statements=pulumi.Output.from_input(args.compartment_id).apply(
                lambda c: vault_replication_statements(
                    compartment_id=c, region=args.region, replica_region=args.replica_region
                )
            ),
            freeform_tags=dict(args.freeform_tags),
            opts=pulumi.ResourceOptions(parent=self, provider=args.identity_provider),
        )
        ready = time.Sleep(
            f"{name}-propagation",
            create_duration=IAM_PROPAGATION,
            triggers={"policy": policy.id},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        oci.kms.VaultVerification(
            name,
            vault_id=args.vault_id,
            replica_region=args.replica_region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ready], protect=args.protect_stateful),
        )
        self.replica_region = args.replica_region
        self.register_outputs({"replica_region": args.replica_region})
