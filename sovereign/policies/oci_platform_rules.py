"""OCI rules a mock cannot show: what OKE and OCI refuse or silently break, read from the plan.

Each rule names the source of the constraint it encodes. All are about what the platform accepts (the API
endpoint's reachability, worker networking, volume attachments, node start-up, locked retention rules), so
they carry ``sovereignty=False``; ``oke-nsg-cidrs-private`` and ``oke-lb-no-security-list-edits`` are about
exposure and stay sovereignty rules.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from sovereign.policies.kubernetes_rules import is_workload, pod_spec
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule
from sovereign.types import Cloud

__all__ = ["OCI_PLATFORM_RULES"]

CLUSTER = "oci:ContainerEngine/cluster:Cluster"
NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"
NSG = "oci:Core/networkSecurityGroup:NetworkSecurityGroup"
NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
OCI_CSI = "blockvolume.csi.oraclecloud.com"
API_PORT = 6443
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


REPOSITORY = "oci:Artifacts/containerRepository:ContainerRepository"
RELEASE = "kubernetes:helm.sh/v3:Release"


def _oci(r: ResourceView) -> bool:
    return r.type.startswith("oci:") or r.type == STORAGE_CLASS


def _of_type(resources: list[ResourceView], type_: str) -> list[ResourceView]:
    return [r for r in resources if r.type == type_]


def _known(ids: Any) -> list[str]:
    """The resolved OCIDs among ``ids``: in a real first preview the NSG ids are unknown, and a rule that matched
    unknowns would report what it cannot see (the offline plan and later previews resolve them)."""
    return [i for i in ids or [] if isinstance(i, str) and i.startswith("ocid1.")]


def _covers(rule: ResourceView, port: int) -> bool:
    if str(rule.get("protocol")) == "all":
        return True
    if str(rule.get("protocol")) != "6":
        return False
    low, high = (
        rule.get("tcpOptions.destinationPortRange.min"),
        rule.get("tcpOptions.destinationPortRange.max"),
    )
    return low is None or (float(low) <= port <= float(high if high is not None else low))


def _api_reachable(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """OKE's private endpoint answers only what its NSGs admit; the stack's own Kubernetes provider connects from
    outside the cluster, so some CIDR must reach 6443 (OKE "Network Resource Configuration",
    contengnetworkconfig.htm: the endpoint subnet's ingress rule for "Kubernetes worker to Kubernetes API
    endpoint communication" and for clients on 6443)."""
    rules = _of_type(resources, NSG_RULE)
    for cluster in _of_type(resources, CLUSTER):
        nsg_ids = set(_known(cluster.get("endpointConfig.nsgIds")))
        reachable = any(
            r.get("networkSecurityGroupId") in nsg_ids
            and r.get("direction") == "INGRESS"
            and r.get("sourceType") == "CIDR_BLOCK"
            and _covers(r, API_PORT)
            for r in rules
        )
        if nsg_ids and not reachable:
            yield Finding(
                "no CIDR may reach the private Kubernetes API on 6443: only the cluster's own nodes and pods "
                "can, so the deployment's Kubernetes provider cannot connect (set oci.api_client_cidrs)",
                cluster.urn,
            )


def _private(cidr: str) -> bool:
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return any(net.version == p.version and net.subnet_of(p) for p in _PRIVATE)  # pyright: ignore[reportArgumentType]


def _nsg_cidrs_private(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for r in _of_type(resources, NSG_RULE):
        ingress = r.get("direction") == "INGRESS"
        kind, peer = (
            (r.get("sourceType"), r.get("source"))
            if ingress
            else (r.get("destinationType"), r.get("destination"))
        )
        if kind == "CIDR_BLOCK" and isinstance(peer, str) and not _private(peer):
            way = "from" if ingress else "to"
            yield Finding(f"network security rule {way} the non-private range {peer}", r.urn)


def _nsg_peers(rules: list[ResourceView], nsg_id: Any) -> set[tuple[str, Any]]:
    """(direction, peer NSG id) of every all-protocol rule on ``nsg_id`` whose peer is an NSG."""
    found = set()
    for r in rules:
        if r.get("networkSecurityGroupId") != nsg_id or str(r.get("protocol")) != "all":
            continue
        ingress = r.get("direction") == "INGRESS"
        kind = r.get("sourceType") if ingress else r.get("destinationType")
        if kind == "NETWORK_SECURITY_GROUP":
            found.add(
                ("INGRESS" if ingress else "EGRESS", r.get("source") if ingress else r.get("destination"))
            )
    return found


def _workers_networked(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """VCN-native pod networking needs workers to talk to each other and to be reached by pods (OKE
    contengnetworkconfig.htm worker rules; terraform-oci-oke modules/network/nsg-workers.tf "Allow ALL ingress
    to workers from other workers", "Allow ALL egress from workers to other workers", "Allow ALL ingress to
    workers from pods")."""
    rules = _of_type(resources, NSG_RULE)
    for pool in _of_type(resources, NODE_POOL):
        details = pool.get("nodeConfigDetails") or {}
        workers = _known(details.get("nsgIds"))
        pods = _known((details.get("nodePoolPodNetworkOptionDetails") or {}).get("podNsgIds"))
        for worker in workers:
            peers = _nsg_peers(rules, worker)
            needed = {("INGRESS", worker), ("EGRESS", worker), *(("INGRESS", p) for p in pods)}
            missing = sorted(f"{d.lower()} {'workers' if p == worker else 'pods'}" for d, p in needed - peers)
            if missing:
                yield Finding(
                    f"the worker NSG lacks all-protocol rules OKE needs for VCN-native pods: {', '.join(missing)}",
                    pool.urn,
                )


def _bare_metal(shape: Any) -> bool:
    return str(shape or "").startswith("BM.")


def _no_transit_encryption_on_bare_metal(
    ctx: PolicyContext, resources: list[ResourceView]
) -> Iterator[Finding]:
    """Bare-metal shapes attach volumes over iSCSI only, so paravirtualized attachment and its in-transit
    encryption fail there (terraform-oci-oke modules/workers/locals.tf: "Bare metal instances must use iSCSI
    block volume attachments, not paravirtualized"; pv_transit_encryption only for '^VM' shapes)."""
    pools = _of_type(resources, NODE_POOL)
    for pool in pools:
        if _bare_metal(pool.get("nodeShape")) and pool.get(
            "nodeConfigDetails.isPvEncryptionInTransitEnabled"
        ):
            yield Finding(
                f"in-transit encryption on the bare-metal shape {pool.get('nodeShape')} (paravirtualized "
                "attachments only exist on VM shapes)",
                pool.urn,
            )
    if any(_bare_metal(p.get("nodeShape")) for p in pools):
        for sc in _of_type(resources, STORAGE_CLASS):
            if sc.get("provisioner") == OCI_CSI and sc.get("parameters.attachment-type") == "paravirtualized":
                yield Finding(
                    "storage class attaches paravirtualized, which bare-metal nodes of this cluster cannot "
                    "(use attachment-type: iscsi)",
                    sc.urn,
                )


def _user_data(pool: ResourceView) -> str:
    raw = pool.get("nodeMetadata.user_data")
    if not isinstance(raw, str):
        return ""
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return raw


def _nodes_start(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """A custom cloud-init replaces OKE's default one, so it must still fetch and run oke-init.sh (OKE "Using
    Custom Cloud-init Initialization Scripts", contengusingcustomcloudinitscripts.htm), and a boot volume larger
    than the image only serves once the root filesystem is grown (oci-growfs, docs.oracle.com/en-us/iaas/
    oracle-linux/oci/oci-utilities-reference.htm)."""
    for pool in _of_type(resources, NODE_POOL):
        script = _user_data(pool)
        if "oke-init.sh" not in script:
            yield Finding(
                "node cloud-init does not run OKE's oke-init.sh: nodes never join the cluster", pool.urn
            )
        if "oci-growfs" not in script:
            size = pool.get("nodeSourceDetails.bootVolumeSizeInGbs")
            yield Finding(
                f"boot volume ({size} GB) is never grown to its size (no oci-growfs in cloud-init)", pool.urn
            )


_CREDENTIAL_FLAG = "--image-credential-provider-config="
_PAR_URL = re.compile(r"https://objectstorage\.([a-z0-9-]+)\.[a-z0-9.]+/p/\S+")
_READ_REPOS = re.compile(r"^Allow dynamic-group (\S+) to read repos in compartment", re.IGNORECASE)
DYNAMIC_GROUP = "oci:Identity/dynamicGroup:DynamicGroup"
POLICY = "oci:Identity/policy:Policy"


def _registry_pulls(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """The country's repositories are private, and OKE's kubelet has no OCIR credentials of its own: it needs an
    image pull secret or Oracle's kubelet credential provider (docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/
    contengpullingimagesfromocir.htm; oracle-devrel/oke-credential-provider-for-ocir README). Without either,
    every image of the platform fails with ImagePullBackOff. So each node pool installs the provider (from an
    in-country bucket, checked by digest, named to the kubelet), and the worker nodes' dynamic group may read
    the repositories (the provider's instance-principal token carries only what IAM grants)."""
    pools = _of_type(resources, NODE_POOL)
    if not pools:
        return
    region = ctx.config.regions.primary
    for pool in pools:
        script = _user_data(pool)
        if _CREDENTIAL_FLAG not in script:
            yield Finding(
                "nodes have no way to authenticate to the country's private registry (no kubelet image "
                "credential provider in cloud-init, no pull secrets): every private image would fail to pull",
                pool.urn,
            )
            continue
        url = _PAR_URL.search(script)
        if url is None or url.group(1) != region:
            yield Finding(
                f"the credential provider is not fetched from Object Storage in the primary region {region} "
                f"(got {url.group(0) if url else 'no pre-authenticated request URL'}): nodes must not download "
                "what runs as root from outside the country",
                pool.urn,
            )
        if "sha256sum -c" not in script:
            yield Finding(
                "the credential provider binary is installed without a digest check (sha256sum -c)", pool.urn
            )
    readers = {
        m.group(1)
        for policy in _of_type(resources, POLICY)
        for statement in policy.get("statements") or []
        if isinstance(statement, str) and (m := _READ_REPOS.match(statement))
    }
    worker_groups = {
        str(g.get("name"))
        for g in _of_type(resources, DYNAMIC_GROUP)
        if "instance.compartment.id" in str(g.get("matchingRule") or "")
    }
    if not readers & worker_groups:
        yield Finding(
            "no policy lets the worker nodes' dynamic group read the repositories (Allow dynamic-group <workers> "
            "to read repos in compartment ...): the credential provider's token would be refused",
            None,
        )


def _retention_rule_names_stable(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """The provider matches retention rules by display name: a new name deletes the old rule, which OCI refuses
    once locked (terraform-provider-oci objectstorage_bucket_resource.go, categorizeRetentionRules). A name that
    carries the duration changes whenever retention is raised."""
    for bucket in _of_type(resources, BUCKET):
        for rule in bucket.get("retentionRules") or []:
            amount = str((rule.get("duration") or {}).get("timeAmount") or "")
            name = str(rule.get("displayName") or "")
            if amount and amount in name:
                yield Finding(
                    f"retention rule '{name}' names its duration: raising retention renames it, and the "
                    "provider would delete the locked rule",
                    bucket.urn,
                )


SERVICE = "kubernetes:core/v1:Service"
LB_TYPE = "oci.oraclecloud.com/load-balancer-type"
RULE_MODE = "oci.oraclecloud.com/security-rule-management-mode"
LB_LIST_MODE = "service.beta.kubernetes.io/oci-load-balancer-security-list-management-mode"
NLB_LIST_MODE = "oci-network-load-balancer.oraclecloud.com/security-list-management-mode"


def _edits_security_lists(annotations: dict[str, Any]) -> str | None:
    """Why OKE's cloud controller would edit subnet security lists for this LoadBalancer Service, or None if it
    would not; the value is the mode read as oracle/oci-cloud-controller-manager does
    (pkg/cloudprovider/providers/oci/load_balancer_spec.go, getRuleManagementMode, getSecurityListManagementMode;
    load_balancer_security_lists.go, newSecurityListManager: "None" and "NSG" are the no-op managers):

    - ``oci.oraclecloud.com/security-rule-management-mode`` wins when set: "NSG" (any case) manages NSG rules
      only, exactly "None" manages nothing, "SL-All"/"SL-Frontend" edit security lists, anything else is refused;
    - otherwise the legacy annotation of the load balancer's type: ``service.beta.kubernetes.io/oci-load-balancer-
      security-list-management-mode`` for OCI load balancers, where absent or unknown means "All", and
      ``oci-network-load-balancer.oraclecloud.com/security-list-management-mode`` for network load balancers.

    The rule asks for an explicit "None" or "NSG" even where the controller's default is already "None" (network
    load balancers): defaults are what oracle/oci-cloud-controller-manager#536 proposes to change.
    """
    if RULE_MODE in annotations:
        mode = str(annotations[RULE_MODE])
        if mode.lower() == "nsg" or mode == "None":
            return None
        return f"{RULE_MODE}: {mode!r}"
    nlb = str(annotations.get(LB_TYPE, "")).lower() == "nlb"
    legacy = NLB_LIST_MODE if nlb else LB_LIST_MODE
    mode = annotations.get(legacy)
    if mode == "None":
        return None
    return f"{legacy}: {mode!r}" if mode is not None else f"no {RULE_MODE} (nor {legacy})"


def _lb_leaves_security_lists(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """The network component takes over every subnet's default security list and keeps it empty (only NSGs grant
    traffic). A LoadBalancer Service whose controller manages security lists adds ingress rules there (the
    legacy default for OCI load balancers is "All": load balancer, health-check and worker rules), which the
    next ``pulumi up`` removes again, breaking the load balancer, and which open the subnet meanwhile."""
    if ctx.config.cloud != Cloud.OCI:
        return
    for svc in resources:
        if (svc.get("spec.type") or "ClusterIP") != "LoadBalancer":
            continue
        reason = _edits_security_lists(svc.get("metadata.annotations") or {})
        if reason is not None:
            yield Finding(
                f"LoadBalancer Service lets OKE's cloud controller edit the subnets' security lists ({reason}): "
                f"set '{RULE_MODE}: \"NSG\"' (rules on the load balancer's NSGs) or '\"None\"'",
                svc.urn,
            )


def _image_refs(values: Any) -> Iterator[str]:
    """Image references in Helm values, in the three shapes the mirrored charts take: ``{registry, image}``
    (Calico), ``{registry, repository}`` (KEDA) and a full ``repository`` (Prometheus)."""
    if isinstance(values, dict):
        registry, name = values.get("registry"), values.get("image") or values.get("repository")
        if isinstance(registry, str) and isinstance(name, str):
            yield f"{registry}/{name}"
        elif isinstance(values.get("repository"), str):
            yield values["repository"]
        for v in values.values():
            yield from _image_refs(v)
    elif isinstance(values, list):
        for v in values:
            yield from _image_refs(v)


def _pulled_repositories_planned(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    """Every image and chart an OKE stack pulls from the country's registry names a repository the plan creates
    (in the country compartment, under its key and read policy). A missing one fails the pull, or a push creates
    it in the tenancy's root compartment (``sovereign.catalogue.mirror.release_repositories``)."""
    if ctx.config.cloud != Cloud.OCI or not ctx.registry_prefix:
        return
    base = (
        ctx.registry_prefix.rsplit("/", 1)[0] + "/"
    )  # '<host>/<namespace>/': repositories are named after it
    planned = {r.get("displayName") for r in resources if r.type == REPOSITORY}

    def missing(ref: str) -> str | None:
        ref = ref.removeprefix("oci://")
        if not ref.startswith(base):
            return None
        path = ref[len(base) :].split("@", 1)[0]
        head, _, last = path.rpartition("/")
        path = f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]
        return None if path in planned else path

    for r in resources:
        refs: list[Any] = []
        if r.type == RELEASE:
            refs = [str(r.get("chart") or ""), *_image_refs(r.get("values"))]
        for key in ("initContainers", "containers"):
            refs += [c.get("image") for c in (pod_spec(r) or {}).get(key) or [] if isinstance(c, dict)]
        refs += [
            (v.get("image") or {}).get("reference")
            for v in (pod_spec(r) or {}).get("volumes") or []
            if isinstance(v, dict) and isinstance(v.get("image"), dict)
        ]
        for path in sorted({m for ref in refs if isinstance(ref, str) and (m := missing(ref))}):
            yield Finding(
                f"'{r.name}' pulls '{path}' from the country's registry, but the plan creates no repository of "
                "that name: add it to the stack's repositories (a push to a missing path lands in the tenancy's "
                "root compartment, outside the country's read policy and key)",
                r.urn,
            )


OCI_PLATFORM_RULES: tuple[Rule, ...] = (
    Rule(
        "oke-api-reachable",
        "The private Kubernetes API endpoint admits at least one client CIDR on 6443 (the deploying runners).",
        _api_reachable,
        _oci,
        sovereignty=False,
        reads=(
            "inputs.endpointConfig.nsgIds",
            "inputs.networkSecurityGroupId",
            "inputs.source*",
            "inputs.direction",
        ),
    ),
    Rule(
        "oke-nsg-cidrs-private",
        "Network security rules admit and reach private ranges only.",
        _nsg_cidrs_private,
        _oci,
        reads=("inputs.source*", "inputs.destination*", "inputs.direction"),
    ),
    Rule(
        "oke-workers-networked",
        "The worker NSG lets workers reach each other and pods reach workers (VCN-native pod networking).",
        _workers_networked,
        _oci,
        sovereignty=False,
        reads=(
            "inputs.nodeConfigDetails.*",
            "inputs.networkSecurityGroupId",
            "inputs.source*",
            "inputs.protocol",
        ),
    ),
    Rule(
        "oke-bare-metal-attaches-iscsi",
        "No in-transit encryption or paravirtualized volume attachment where nodes are bare metal.",
        _no_transit_encryption_on_bare_metal,
        _oci,
        sovereignty=False,
        reads=(
            "inputs.nodeShape",
            "inputs.nodeConfigDetails.isPvEncryptionInTransitEnabled",
            "inputs.parameters.*",
        ),
    ),
    Rule(
        "oke-nodes-start",
        "Node cloud-init runs OKE's oke-init.sh and grows the root filesystem to the boot volume.",
        _nodes_start,
        _oci,
        sovereignty=False,
        reads=("inputs.nodeMetadata.*", "inputs.nodeSourceDetails.*"),
    ),
    Rule(
        "oke-registry-pulls",
        "Every OKE node can pull the country's private images: the kubelet credential provider is installed "
        "from in-country storage with a digest check, and the workers' dynamic group may read the repositories.",
        _registry_pulls,
        _oci,
        sovereignty=False,
        reads=("inputs.nodeMetadata.*", "inputs.statements", "inputs.matchingRule", "inputs.name"),
    ),
    Rule(
        "oci-retention-rule-names-stable",
        "A bucket's retention rule name does not carry its duration (locked rules cannot be renamed).",
        _retention_rule_names_stable,
        _oci,
        sovereignty=False,
        reads=("inputs.retentionRules*",),
    ),
    Rule(
        "oke-lb-no-security-list-edits",
        "Every LoadBalancer Service on OKE sets a security-rule management mode that leaves the subnets' "
        "security lists alone ('NSG' or 'None').",
        _lb_leaves_security_lists,
        lambda r: r.type == SERVICE,
        reads=("inputs.spec.type", "inputs.metadata.annotations.*"),
    ),
    Rule(
        "oci-pulled-repositories-planned",
        "Every image and chart an OKE stack pulls from the country's registry (workloads, Helm charts and their "
        "image values) is a repository the plan creates in the country's compartment.",
        _pulled_repositories_planned,
        lambda r: r.type in (REPOSITORY, RELEASE) or is_workload(r),
        sovereignty=False,
        reads=(
            "inputs.displayName",
            "inputs.chart",
            "inputs.values.*",
            "inputs.spec.*containers.image",
            "inputs.spec.*volumes.image.reference",
        ),
    ),
)
