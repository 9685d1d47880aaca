"""KeyAccessPolicies: who may use the country's keys, and only in the key's region.

Declares two dynamic groups in the tenancy (dynamic groups live in the root compartment) and one IAM policy in
the country compartment:

- ``<name>-clusters``: every OKE cluster in the country compartment (``resource.type = 'cluster'``), which
  needs the secrets-encryption key and the image-signing key;
- ``<name>-workers``: every instance in the country compartment (the OKE worker nodes), which needs key
  delegation for boot volumes;
- the policy: the statements of :func:`components.oci.statements.key_access_statements`, each limited to one
  key OCID and to ``request.region`` of the vault.

IAM writes are accepted only in the tenancy's home region: when the stack deploys elsewhere it passes a
home-region provider through ``KeyCustodyArgs.identity_provider``.

IAM is eventually consistent: a new policy takes effect "typically within 10 seconds" (Oracle, "Working with
Policies", https://docs.oracle.com/en-us/iaas/Content/Identity/policymgmt/managingpolicies_topic-Working_with_Policies.htm),
and a bucket created before Object Storage may use its key fails with ``404-NotAuthorizedOrFoundKmsKey``
(oracle/terraform-provider-oci#1514). Key consumers therefore wait for :attr:`KeyAccessPolicies.ready`: a
``time.Sleep`` of ``IAM_PROPAGATION`` after the policy and the dynamic groups, as terraform-oci-oke waits after
its IAM resources (``modules/iam/await.tf``: ``time_sleep`` ``create_duration = "30s"``). Its ``triggers`` re-run
the wait whenever a statement or a group changes.

Non-goals: identity-domain dynamic resource groups (non-default domains), cross-tenancy key access.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci
import pulumiverse_time as time

from components.oci.statements import key_access_statements

__all__ = ["IAM_PROPAGATION", "KeyAccessPolicies", "KeyAccessPoliciesArgs"]

IAM_PROPAGATION = "30s"
"""Wait after IAM writes before their consumers (terraform-oci-oke ``modules/iam/await.tf``)."""


@dataclass(frozen=True)
class KeyAccessPoliciesArgs:
    tenancy_id: pulumi.Input[str]
    """Tenancy OCID: dynamic groups are created in the root compartment."""
    compartment_id: pulumi.Input[str]
    """Country compartment holding the keys, the cluster and the workers."""
    region: str
    """Region of the vault; every statement is limited to it."""
    cluster_secrets_key_id: pulumi.Input[str]
    volume_key_id: pulumi.Input[str]
    object_storage_key_id: pulumi.Input[str]
    image_signing_key_id: pulumi.Input[str] | None = None
    """RSA key clusters verify image signatures with. Omitted: no statement for it."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)


class KeyAccessPolicies(pulumi.ComponentResource):
    cluster_dynamic_group_name: pulumi.Output[str]
    worker_dynamic_group_name: pulumi.Output[str]
    policy_id: pulumi.Output[str]
    ready: time.Sleep
    """Resolves ``IAM_PROPAGATION`` after the key policy and the dynamic groups: what key consumers wait for."""

    def __init__(
        self, name: str, args: KeyAccessPoliciesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:KeyAccessPolicies", name, None, opts)
        tags = dict(args.freeform_tags)
        child = pulumi.ResourceOptions(parent=self)
        compartment = pulumi.Output.from_input(args.compartment_id)

        clusters = oci.identity.DynamicGroup(
            f"{name}-clusters",
            compartment_id=args.tenancy_id,
            name=f"{name}-clusters",
            description="OKE clusters of the sovereign compartment (secrets encryption, image verification)",
            matching_rule=compartment.apply(
                lambda c: f"ALL {{resource.type = 'cluster', resource.compartment.id = '{c}'}}"
            ),
            freeform_tags=tags,
            opts=child,
        )
        workers = oci.identity.DynamicGroup(
            f"{name}-workers",
            compartment_id=args.tenancy_id,
            name=f"{name}-workers",
            description="Worker node instances of the sovereign compartment (boot volume key delegation)",
            matching_rule=compartment.apply(lambda c: f"ALL {{instance.compartment.id = '{c}'}}"),
            freeform_tags=tags,
            opts=child,
        )
        statements = pulumi.Output.all(
            compartment,
            clusters.name,
            workers.name,
            args.cluster_secrets_key_id,
            args.volume_key_id,
            args.object_storage_key_id,
            args.image_signing_key_id,
        ).apply(
            lambda v: key_access_statements(
                compartment_id=v[0],
                region=args.region,
                cluster_group=v[1],
                worker_group=v[2],
                cluster_secrets_key_id=v[3],
                volume_key_id=v[4],
                object_storage_key_id=v[5],
                image_signing_key_id=v[6],
            )
        )
        policy = oci.identity.Policy(
            f"{name}-keys",
            compartment_id=args.compartment_id,
            name=f"{name}-keys",
            description="Exactly these keys, for OKE, Block Volume and Object Storage, in the vault's region",
            statements=statements,
            freeform_tags=tags,
            opts=child,
        )

        # The time provider is inherited (the stack passes one: default providers are disabled), never the
        # identity provider this component may have been given.
        self.ready = time.Sleep(
            f"{name}-propagation",
            create_duration=IAM_PROPAGATION,
            triggers={
                "policy": policy.id,
                "statements": statements.apply("\n".join),
                "groups": pulumi.Output.all(clusters.id, workers.id).apply(",".join),
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, clusters, workers]),
        )
        self.cluster_dynamic_group_name = clusters.name
        self.worker_dynamic_group_name = workers.name
        self.policy_id = policy.id
        self.register_outputs(
            {
                "cluster_dynamic_group_name": self.cluster_dynamic_group_name,
                "worker_dynamic_group_name": self.worker_dynamic_group_name,
                "policy_id": self.policy_id,
            }
        )
