"""Calico on OKE: the chart from the country's registry, Oracle's variables, and Oracle's DaemonSet edits.

The DaemonSet below is the ``calico-node`` DaemonSet of projectcalico/calico ``manifests/calico-policy-only.yaml``
at v3.32.1, reduced to the parts Oracle's "Installing Calico alongside the OCI VCN-Native Pod Networking CNI
plugin" edits (contengsettingupcalico.htm) and the parts it keeps.
"""

from __future__ import annotations

import pytest

from components.kubernetes.calico import OKE_VCN_NATIVE_ENV, Calico, CalicoArgs, calico_values
from components.kubernetes.calico_postrender import adapt, adapt_stream, pin_digest
from sovereign.catalogue import calico as catalogue
from sovereign.engine.recorder import run_program

REGISTRY = "fra.ocir.io/frsovereignns/frsovereignregistry"

RENDERED = """\
kind: ServiceAccount
apiVersion: v1
metadata: {name: calico-node, namespace: kube-system}
---
kind: DaemonSet
apiVersion: apps/v1
metadata: {name: calico-node, namespace: kube-system}
spec:
  template:
    spec:
      hostNetwork: true
      initContainers:
        - {name: install-cni, image: reg/mirror/calico/cni:v3.32.1}
        - {name: ebpf-bootstrap, image: reg/mirror/calico/node:v3.32.1}
      containers:
        - name: calico-node
          image: reg/mirror/calico/node:v3.32.1
          envFrom:
            - configMapRef: {name: kubernetes-services-endpoint, optional: true}
          env:
            - {name: DATASTORE_TYPE, value: kubernetes}
            - name: FELIX_TYPHAK8SSERVICENAME
              valueFrom: {configMapKeyRef: {name: calico-config, key: typha_service_name}}
            - {name: FELIX_INTERFACEPREFIX, value: oci}
          volumeMounts:
            - {mountPath: /host/etc/cni/net.d, name: cni-net-dir}
            - {mountPath: /lib/modules, name: lib-modules}
            - {mountPath: /var/run/calico, name: var-run-calico}
            - {mountPath: /sys/fs/bpf, name: bpffs}
            - {mountPath: /var/log/calico/cni, name: cni-log-dir}
      volumes:
        - {name: lib-modules, hostPath: {path: /lib/modules}}
        - {name: var-run-calico, hostPath: {path: /var/run/calico}}
        - {name: sys-fs, hostPath: {path: /sys/fs/}}
        - {name: bpffs, hostPath: {path: /sys/fs/bpf}}
        - {name: nodeproc, hostPath: {path: /proc}}
        - {name: cni-bin-dir, hostPath: {path: /opt/cni/bin}}
        - {name: cni-net-dir, hostPath: {path: /etc/cni/net.d}}
        - {name: cni-log-dir, hostPath: {path: /var/log/calico/cni}}
"""


def test_the_post_renderer_makes_oracles_edits() -> None:
    from ruamel.yaml import YAML

    docs = list(YAML(typ="safe").load_all(adapt_stream(RENDERED)))
    assert [d["kind"] for d in docs] == ["ServiceAccount", "DaemonSet"]
    spec = docs[1]["spec"]["template"]["spec"]
    assert "initContainers" not in spec  # install-cni would overwrite OKE's CNI configuration
    [node] = spec["containers"]
    assert "envFrom" not in node
    assert [e["name"] for e in node["env"]] == ["DATASTORE_TYPE", "FELIX_INTERFACEPREFIX"]
    assert [m["name"] for m in node["volumeMounts"]] == ["lib-modules", "var-run-calico", "bpffs"]
    assert [v["name"] for v in spec["volumes"]] == ["lib-modules", "var-run-calico", "bpffs"]
    assert spec["hostNetwork"] is True  # everything else is left as the chart rendered it
    assert node["image"] == f"reg/mirror/calico/node:v3.32.1@{catalogue.NODE.digest}"


def test_the_post_renderer_pins_every_calico_image_by_digest_or_fails() -> None:
    """Issue 13: Calico's images mirrored and pinned by digest, though the chart renders only tags."""
    assert pin_digest("reg/mirror/calico/kube-controllers:v3.32.1") == (
        f"reg/mirror/calico/kube-controllers:v3.32.1@{catalogue.KUBE_CONTROLLERS.digest}"
    )
    assert pin_digest("reg/mirror/other/app:1") == "reg/mirror/other/app:1"
    with pytest.raises(ValueError, match="no digest is known"):
        pin_digest("reg/mirror/calico/node:v3.31.0")  # a values change to another release: refused
    assert all(
        ref.digest is not None and len(ref.digest) == 71 and ref.digest.startswith("sha256:")
        for ref in catalogue.MIRRORED_IMAGES
    )


def test_the_post_renderer_refuses_a_rendering_without_calico_node() -> None:
    with pytest.raises(ValueError, match="expected one DaemonSet 'calico-node'"):
        adapt([{"kind": "ServiceAccount", "metadata": {"name": "calico-node"}}])


def test_values_are_policy_only_from_the_mirror_with_oracles_variables() -> None:
    values = calico_values(CalicoArgs(registry_prefix=REGISTRY))
    assert (values["datastore"], values["network"], values["ipam"]) == ("kubernetes", "none", "host-local")
    assert values["typha"] == {"enabled": False}
    for key in ("node", "cni", "kubeControllers"):
        assert values[key]["registry"] == f"{REGISTRY}/mirror/calico", key
    env = {e["name"]: e["value"] for e in values["node"]["env"]}
    assert env == dict(OKE_VCN_NATIVE_ENV)
    assert env["FELIX_INTERFACEPREFIX"] == "oci" and env["NO_DEFAULT_POOLS"] == "true"


def test_extra_env_cannot_override_oracles_variables() -> None:
    with pytest.raises(ValueError, match="repeats a variable"):
        CalicoArgs(registry_prefix=REGISTRY, extra_env=(("FELIX_INTERFACEPREFIX", "eth"),))


def test_the_release_installs_the_mirrored_chart_with_the_post_renderer() -> None:
    def program() -> None:
        Calico("fr-prod-calico", CalicoArgs(registry_prefix=REGISTRY))

    recording = run_program(program)
    [release] = [r for r in recording.registrations if r.type == "kubernetes:helm.sh/v3:Release"]
    assert release.inputs["chart"] == f"oci://{REGISTRY}/helm/calico", release.urn
    assert release.inputs["version"] == "3.32.1"
    assert release.inputs["namespace"] == "kube-system"
    assert release.inputs["postrender"] == "sovereign-calico-oke-postrender"
    assert release.inputs["values"]["node"]["env"][0] == {"name": "FELIX_INTERFACEPREFIX", "value": "oci"}
