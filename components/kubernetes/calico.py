"""Calico in policy-only mode: what makes NetworkPolicies do anything on OKE.

OKE's CNI plugins do not enforce NetworkPolicies ("neither of them support Kubernetes NetworkPolicy
resources"); Oracle documents Calico's policy-only manifest installed "alongside the OCI VCN-Native Pod Networking
CNI plugin" (docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengsettingupcalico.htm). This component
installs the chart that manifest is generated from (``sovereign.catalogue.calico``) from the country's registry
as a ``helm.v3.Release`` in ``kube-system`` (where the manifest puts it), with:

- the policy-only values of ``charts/values/calico-policy-only.yaml`` (Kubernetes datastore, ``network: none``,
  ``ipam: host-local``), Typha off (Oracle removes its variable; Typha is a fan-out cache for large clusters);
- every image from the in-country mirror, pinned by digest by the post-renderer (the chart renders only tags);
- the variables Oracle adds for VCN-native: ``FELIX_INTERFACEPREFIX=oci`` (the OCI CNI's pod interfaces),
  ``NO_DEFAULT_POOLS=true`` (OKE, not Calico, assigns pod IPs), ``FELIX_CHAININSERTMODE=Append`` and
  ``FELIX_IPTABLESMANGLEALLOWACTION=Return`` (leave OKE's own rules first), ``FELIX_IPTABLESBACKEND=NFT``
  (Oracle: for Oracle Linux 8 images; Oracle Linux 9 ships only the nftables backend of iptables, as RHEL 9);
- the edits Oracle makes to the DaemonSet that values cannot express, by the post-renderer
  ``components.kubernetes.calico_postrender``.

Workloads whose NetworkPolicies need enforcing depend on the release (``stacks/assistant.py``).
Non-goals: Calico networking or IPAM, Calico Enterprise (Oracle: "Only the use of open source Calico is
supported"), Calico's own policy kinds, the Tigera operator (its Installation has no OCI CNI type).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.calico_postrender import COMMAND as POSTRENDER_COMMAND
from components.kubernetes.hardening import require_registry_prefix
from sovereign.catalogue import calico as catalogue
from sovereign.catalogue.mirror import UpstreamImage

__all__ = ["OKE_VCN_NATIVE_ENV", "Calico", "CalicoArgs", "calico_values"]

OKE_VCN_NATIVE_ENV: tuple[tuple[str, str], ...] = (
    ("FELIX_INTERFACEPREFIX", "oci"),
    ("NO_DEFAULT_POOLS", "true"),
    ("FELIX_CHAININSERTMODE", "Append"),
    ("FELIX_IPTABLESMANGLEALLOWACTION", "Return"),
    ("FELIX_IPTABLESBACKEND", "NFT"),
)
"""Oracle's added ``calico-node`` variables for VCN-native pod networking, in Oracle's order."""


@dataclass(frozen=True)
class CalicoArgs:
    registry_prefix: str
    """The country's registry; the chart and every image come from it."""
    namespace_name: str = "kube-system"
    """Where Oracle's manifest installs Calico; its RBAC names this namespace."""
    extra_env: Sequence[tuple[str, str]] = ()
    """More ``calico-node`` variables, after Oracle's."""

    def __post_init__(self) -> None:
        require_registry_prefix(self.registry_prefix)
        names = [n for n, _ in (*OKE_VCN_NATIVE_ENV, *self.extra_env)]
        if len(names) != len(set(names)):
            raise ValueError(f"extra_env: repeats a variable Oracle's configuration sets ({names})")


def calico_values(args: CalicoArgs) -> dict[str, Any]:
    """Chart values (keys of projectcalico/calico ``charts/calico/values.yaml`` at the release)."""

    def image(ref: UpstreamImage) -> dict[str, str]:
        # The chart joins <registry>/<image>:<version>: the registry is the image's mirror folder.
        return {"registry": ref.mirror_repository(args.registry_prefix).rsplit("/", 1)[0], "image": ref.name}

    return {
        "version": catalogue.RELEASE,
        "datastore": "kubernetes",
        "network": "none",
        "ipam": "host-local",
        "typha": {"enabled": False},
        "includeCRDs": True,
        "node": {
            **image(catalogue.NODE),
            "env": [{"name": n, "value": v} for n, v in (*OKE_VCN_NATIVE_ENV, *args.extra_env)],
        },
        "cni": image(catalogue.CNI),
        "kubeControllers": image(catalogue.KUBE_CONTROLLERS),
    }


class Calico(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    """The Helm release; workloads whose NetworkPolicies must hold depend on it."""

    def __init__(self, name: str, args: CalicoArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sovereign:kubernetes:Calico", name, None, opts)
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name="calico",
            chart=catalogue.chart_url(args.registry_prefix),
            version=catalogue.CHART_VERSION,
            namespace=args.namespace_name,
            values=calico_values(args),
            postrender=POSTRENDER_COMMAND,
            # A failed install is rolled back rather than leaving half of the node agents on the nodes.
            atomic=True,
            timeout=900,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
