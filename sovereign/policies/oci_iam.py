"""OCI rules a mock cannot show: where IAM writes must go, and the order IAM must be created in.

- IAM writes (compartments, dynamic groups, policies, quotas, tags) are accepted only in the tenancy's home
  region: "403-NotAllowed, Please go to your home region ... to execute CREATE, UPDATE and DELETE operations"
  (oracle/terraform-provider-oci#1596). The region a resource is written in is its provider's ``region``.
- A statement that names a compartment or a dynamic group *by name* carries no dependency the engine can see
  (an OCID that comes from another resource's output does, through the input): OCI rejects a policy or quota
  naming what it cannot find yet.
- A customer-key consumer is checked against its key policy when it is created: buckets fail with
  ``404-NotAuthorizedOrFoundKmsKey`` (oracle/terraform-provider-oci#1514); OKE needs the key delegated to its
  node pool and cluster principals (Oracle, "Policy Configuration for Cluster Creation and Deployment",
  contengpolicyconfig.htm). IAM is eventually consistent, so it waits for the policy *and* a propagation wait
  after it (terraform-oci-oke ``modules/iam/await.tf``).

Rules walk the dependencies the engine records (``ResourceView.dependencies``), transitively, and hold whatever
the resources are named. They are about what OCI accepts, not where data lives: ``sovereignty=False``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from sovereign.clouds.oci.settings import OciCountry
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule, reachable_dependencies

__all__ = ["OCI_IAM_RULES"]

COMPARTMENT = "oci:Identity/compartment:Compartment"
DYNAMIC_GROUP = "oci:Identity/dynamicGroup:DynamicGroup"
POLICY = "oci:Identity/policy:Policy"
QUOTA = "oci:Limits/quota:Quota"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"
CLUSTER = "oci:ContainerEngine/cluster:Cluster"
VOLUME = "oci:Core/volume:Volume"
BOOT_VOLUME = "oci:Core/bootVolume:BootVolume"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
SLEEP = "time:index/sleep:Sleep"
_IAM_PREFIXES = ("oci:Identity/", "oci:Limits/")
_NAMED_COMPARTMENT = re.compile(r"\bin\s+compartment\s+(?!id\b)([A-Za-z0-9._:-]+)", re.IGNORECASE)
_NAMED_DYNAMIC_GROUP = re.compile(r"\bdynamic-group\s+(?!id\b)([A-Za-z0-9._-]+)", re.IGNORECASE)


class _Plan:
    def __init__(self, resources: Sequence[ResourceView]) -> None:
        self.by_urn = {r.urn: r for r in resources}
        self._closure: dict[str, frozenset[str]] = {}

    def provider_of(self, r: ResourceView) -> ResourceView | None:
        """The provider resource: ``ResourceView.provider`` is '<provider URN>::<provider id>'."""
        return self.by_urn.get(r.provider.rsplit("::", 1)[0]) if r.provider else None

    def waits_for(self, r: ResourceView) -> frozenset[str]:
        """Every URN ``r`` waits for: its dependencies, theirs, and those of its provider (a resource is
        created only once its provider is configured, and the Kubernetes provider waits for the cluster)."""
        if r.urn not in self._closure:
            start = [r, *([p] if (p := self.provider_of(r)) else [])]
            self._closure[r.urn] = reachable_dependencies(
                [urn for x in start for urn in x.dependencies], self.by_urn
            )
        return self._closure[r.urn]


def _statements(r: ResourceView) -> list[str]:
    values = r.get("statements") or []
    return (
        [" ".join(str(s).split()) for s in values if isinstance(s, str)] if isinstance(values, list) else []
    )


def _home_region(ctx: PolicyContext) -> str | None:
    config = ctx.config
    if not isinstance(config, OciCountry):
        return None
    return config.oci.home_region or config.regions.primary


def _iam_in_home_region(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    home = _home_region(ctx)
    if home is None:
        return
    plan = _Plan(resources)
    for r in resources:
        if not r.type.startswith(_IAM_PREFIXES):
            continue
        provider = plan.provider_of(r)
        region = provider.get("region") if provider is not None else None
        if region == home:
            continue
        where = (
            f"through provider {provider.name} in region {region!r}"
            if provider is not None
            else "through no explicit provider"
        )
        yield Finding(
            f"IAM write {r.name} goes {where}, but OCI accepts IAM writes only in the tenancy's home region "
            f"{home!r} (oci.home_region, or the primary region): pass the home-region provider "
            "(identity_provider)",
            r.urn,
        )


def _named_targets(r: ResourceView) -> list[tuple[str, str]]:
    """(type, name) of what ``r``'s statements name by name rather than by OCID."""
    found: list[tuple[str, str]] = []
    for statement in _statements(r):
        found += [(COMPARTMENT, m.rsplit(":", 1)[-1]) for m in _NAMED_COMPARTMENT.findall(statement)]
        if r.type == POLICY:
            found += [(DYNAMIC_GROUP, m) for m in _NAMED_DYNAMIC_GROUP.findall(statement)]
    return found


def _names_after_their_targets(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    plan = _Plan(resources)
    by_name = {(t.type, t.get("name")): t for t in resources if t.type in (COMPARTMENT, DYNAMIC_GROUP)}
    for r in resources:
        if r.type not in (POLICY, QUOTA):
            continue
        for kind, name in dict.fromkeys(_named_targets(r)):
            target = by_name.get((kind, name))
            if target is not None and target.urn not in plan.waits_for(r):
                what = "compartment" if kind == COMPARTMENT else "dynamic group"
                yield Finding(
                    f"{r.name} names {what} '{name}' by name but does not depend on it ({target.name}): OCI "
                    f"rejects a statement naming a {what} it cannot find yet; add depends_on",
                    r.urn,
                )


def _key_of(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith("ocid1.") else None


def _grants(r: ResourceView, region: object) -> list[tuple[str, str, str]]:
    """(what, key OCID, pattern a statement must match) for every customer key ``r`` is created with."""
    t = r.type
    needs: list[tuple[str, str, str]] = []

    def need(what: str, key: object, pattern: str) -> None:
        if (k := _key_of(key)) is not None:
            needs.append((what, k, pattern))

    if t == BUCKET:
        service = f"objectstorage-{region}" if isinstance(region, str) else r"objectstorage-[a-z0-9-]+"
        need(
            f"service {service} use of the key", r.get("kmsKeyId"), rf"allow service {service} to use keys\b"
        )
    elif t == NODE_POOL:
        key = r.get("nodeConfigDetails.kmsKeyId")
        need("Block Volume use of the key", key, r"allow service blockstorage to use keys\b")
        need(
            "the key delegated to node pools (request.principal.type 'nodepool')",
            key,
            r"allow any-user to use key-delegates\b.*request\.principal\.type\s*=\s*'nodepool'",
        )
    elif t == CLUSTER:
        need("the cluster's use of its secrets key", r.get("kmsKeyId"), r"\bto use keys\b")
        for detail in r.get("imagePolicyConfig.keyDetails") or []:
            if isinstance(detail, dict):
                need("the cluster's use of its image-signing key", detail.get("kmsKeyId"), r"\bto use keys\b")
    elif t in (VOLUME, BOOT_VOLUME):
        need("Block Volume use of the key", r.get("kmsKeyId"), r"allow service blockstorage to use keys\b")
    elif t == STORAGE_CLASS and str(r.get("provisioner") or "") == "blockvolume.csi.oraclecloud.com":
        key = (r.get("parameters") or {}).get("kms-key-id") if isinstance(r.get("parameters"), dict) else None
        need("Block Volume use of the key", key, r"allow service blockstorage to use keys\b")
        need(
            "the key delegated to the cluster (request.principal.type 'cluster')",
            key,
            r"allow any-user to use key-delegates\b.*request\.principal\.type\s*=\s*'cluster'",
        )
    return needs


def _cmk_after_key_policy(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    plan = _Plan(resources)
    policies = [p for p in resources if p.type == POLICY]
    sleeps = [s for s in resources if s.type == SLEEP]
    for r in resources:
        provider = plan.provider_of(r)
        needs = _grants(r, provider.get("region") if provider is not None else None)
        if not needs:
            continue
        before = plan.waits_for(r)
        for what, key, pattern in needs:
            on_key = re.compile(pattern + r".*target\.key\.id\s*=\s*'" + re.escape(key) + "'", re.IGNORECASE)
            granting = [p for p in policies if any(on_key.search(s) for s in _statements(p))]
            if not granting:
                yield Finding(f"no policy grants {what} {key}", r.urn)
                continue
            waited = [p for p in granting if p.urn in before]
            if not waited:
                yield Finding(
                    f"{r.name} is created with key {key} but does not wait for policy {granting[0].name} "
                    f"granting {what}: OCI checks key access at creation",
                    r.urn,
                )
            elif not any(s.urn in before and any(p.urn in plan.waits_for(s) for p in waited) for s in sleeps):
                yield Finding(
                    f"{r.name} waits for policy {waited[0].name} but not for IAM propagation after it (a time "
                    "Sleep depending on the policy: components/oci/key_access.py)",
                    r.urn,
                )


def _oci(r: ResourceView) -> bool:
    return (r.custom and (r.type.startswith("oci:") or r.type in (STORAGE_CLASS, SLEEP))) or (
        r.type.startswith("pulumi:providers:")
    )


OCI_IAM_RULES: tuple[Rule, ...] = (
    Rule(
        "oci-iam-in-home-region",
        "Every OCI IAM write (compartment, dynamic group, policy, quota) goes through a provider in the tenancy's "
        "home region.",
        _iam_in_home_region,
        _oci,
        sovereignty=False,
        reads=("provider", "inputs.region"),
    ),
    Rule(
        "oci-named-iam-after-target",
        "A policy or quota naming a compartment or dynamic group by name depends on it.",
        _names_after_their_targets,
        _oci,
        sovereignty=False,
        reads=("inputs.statements", "inputs.name", "dependencies"),
    ),
    Rule(
        "oci-cmk-after-key-policy",
        "Every OCI customer-key consumer (bucket, node pool, cluster, volume, encrypted storage class) waits for "
        "the policy letting its service use the key and for IAM propagation after it.",
        _cmk_after_key_policy,
        _oci,
        sovereignty=False,
        reads=(
            "inputs.kmsKeyId",
            "inputs.nodeConfigDetails.kmsKeyId",
            "inputs.imagePolicyConfig.*",
            "inputs.parameters.*",
            "inputs.statements",
            "dependencies",
            "provider",
        ),
    ),
)
