"""Rendering plan documents to manifests, on small hand-written documents (no planning)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML reads YAML 1.1 like kubectl (sigs.k8s.io/yaml) and most scanners
from ruamel.yaml import YAML

from sovereign.plan.manifests import GENERATED_MARKER, ManifestError, manifests_of, write_manifests

STACK = "xx-prod"


def resource(token: str, name: str, inputs: dict[str, Any], *, custom: bool = True) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:{STACK}::sovereign-ai::{token}::{name}",
        "type": token,
        "name": name,
        "custom": custom,
        "inputs": inputs,
    }


def document(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"stack": STACK, "resources": list(resources)}


def deployment(name: str = "web", **spec: Any) -> dict[str, Any]:
    return resource(
        "kubernetes:apps/v1:Deployment",
        f"{STACK}-{name}",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "assistant", "labels": {"sovereign.ai/country": "no"}},
            "spec": {"replicas": 2.0, **spec},
        },
    )


def reload(text: str) -> tuple[Any, Any]:
    """The text as a YAML 1.1 reader (PyYAML) and a YAML 1.2 reader (ruamel) get it back."""
    return yaml.safe_load(text), YAML(typ="safe", pure=True).load(text)


def test_whole_numbers_are_written_as_integers_as_declared() -> None:
    """protobuf sends 2 as 2.0; a strict schema refuses 2.0 where Kubernetes wants an integer."""
    [manifest] = manifests_of(document(deployment(progressDeadlineSeconds=600.0, ratio=0.5)))
    assert manifest.object["spec"] == {"replicas": 2, "progressDeadlineSeconds": 600, "ratio": 0.5}
    assert isinstance(manifest.object["spec"]["replicas"], int), manifest.urn
    assert "replicas: 2\n" in manifest.text and "ratio: 0.5\n" in manifest.text
    for loaded in reload(manifest.text):
        assert loaded["spec"] == manifest.object["spec"]


@pytest.mark.parametrize(
    "value", ["no", "yes", "on", "Off", "y", "1.34", "1:20", "2026-11-22", "~", "", "0755"]
)
def test_strings_a_yaml_1_1_reader_would_misread_are_quoted(value: str) -> None:
    """Norway's country label 'no' must reach kubectl as the string "no", not the boolean false."""
    token = resource(
        "kubernetes:core/v1:Namespace",
        "ns",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"x": value}}},
    )
    [manifest] = manifests_of(document(token))
    for loaded in reload(manifest.text):
        assert loaded["metadata"]["labels"]["x"] == value, manifest.text
    assert "name: a\n" in manifest.text  # plain strings stay plain


def test_multi_line_strings_are_literal_blocks_that_round_trip() -> None:
    script = (
        "set -eu\n  indented line with trailing spaces  \nexec vllm serve 'Grüß Gott: «ok»' --port 8000\n"
    )
    prompt = "no trailing newline\nzweite Zeile"
    [manifest] = manifests_of(document(deployment(script=script, prompt=prompt)))
    assert "script: |\n" in manifest.text
    for loaded in reload(manifest.text):
        assert loaded["spec"]["script"] == script and loaded["spec"]["prompt"] == prompt


def test_a_secret_map_is_written_empty_with_a_comment_and_other_secrets_stay_masked() -> None:
    secret = resource(
        "kubernetes:core/v1:Secret",
        f"{STACK}-credentials",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "credentials", "namespace": "assistant"},
            "type": "Opaque",
            "stringData": "[secret]",
        },
    )
    env = [{"name": "TOKEN", "value": "[secret]"}]
    manifests = {m.kind: m for m in manifests_of(document(secret, deployment(env=env)))}
    assert manifests["Secret"].masked == ("stringData",)
    assert manifests["Secret"].object["stringData"] == {}
    assert "stringData: {}  # [secret]: the values come from stack config" in manifests["Secret"].text
    assert manifests["Deployment"].object["spec"]["env"] == env and manifests["Deployment"].masked == ()


def test_top_level_fields_come_in_kubectl_order_and_map_keys_sorted() -> None:
    [manifest] = manifests_of(document(deployment()))
    lines = manifest.text.splitlines()
    assert lines[0].startswith(GENERATED_MARKER) and lines[1] == f"# Pulumi resource: {manifest.urn}"
    assert [line.split(":")[0] for line in lines[2:] if not line.startswith(" ")] == [
        "apiVersion",
        "kind",
        "metadata",
        "spec",
    ]
    assert (
        manifest.text.index("  labels:")
        < manifest.text.index("  name: web")
        < manifest.text.index("  namespace:")
    )


def test_only_kubernetes_objects_are_written() -> None:
    others = [
        resource("azure-native:containerservice:ManagedCluster", "aks", {"location": "norwayeast"}),
        resource("pulumi:providers:kubernetes", "k8s", {"kubeconfig": "[secret]"}),
        resource("sovereign:kubernetes:InferenceService", "assistant", {}, custom=False),
    ]
    assert [m.filename for m in manifests_of(document(*others, deployment()))] == [
        "20-deployment.assistant.web.yaml"
    ]


@pytest.mark.parametrize(
    "token",
    ["kubernetes:helm.sh/v4:Chart", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:core/v1:NamespacePatch"],
)
def test_refuses_resources_it_cannot_write_whole_instead_of_leaving_them_out(token: str) -> None:
    opaque = resource(token, "opaque", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    with pytest.raises(ManifestError, match=f"{STACK}: cannot write these Kubernetes resources.*{token}"):
        manifests_of(document(opaque, deployment()))


def test_file_names_follow_apply_order_and_fall_back_to_the_resource_name() -> None:
    namespace = resource(
        "kubernetes:core/v1:Namespace",
        "ns",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
    )
    unnamed = resource(
        "kubernetes:core/v1:ConfigMap",
        f"{STACK}-settings",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "a"}, "data": {"k": "v"}},
    )
    names = [m.filename for m in manifests_of(document(deployment(), unnamed, namespace))]
    assert names == [
        "00-namespace.a.yaml",
        f"07-configmap.a.{STACK}-settings.yaml",
        "20-deployment.assistant.web.yaml",
    ]


def test_two_objects_with_one_file_name_are_an_error() -> None:
    with pytest.raises(ManifestError, match=r"would both be 20-deployment\.assistant\.web\.yaml"):
        manifests_of(document(deployment(), {**deployment(), "urn": "urn:pulumi:other", "name": "other"}))


def test_writing_replaces_an_earlier_run_and_keeps_other_files(tmp_path: Path) -> None:
    namespace = resource(
        "kubernetes:core/v1:Namespace",
        "ns",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
    )
    write_manifests(manifests_of(document(namespace, deployment("old"))), tmp_path)
    (tmp_path / "kustomization.yaml").write_text("resources: []\n", encoding="utf-8")
    written = write_manifests(manifests_of(document(namespace, deployment("new"))), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "00-namespace.a.yaml",
        "20-deployment.assistant.new.yaml",
        "kustomization.yaml",
    ]
    assert [p.name for p in written] == ["00-namespace.a.yaml", "20-deployment.assistant.new.yaml"]


def test_a_helm_release_is_listed_as_not_rendered_never_silently_dropped() -> None:
    from sovereign.plan.manifests import helm_releases_of

    release = resource(
        "kubernetes:helm.sh/v3:Release",
        "gpu",
        {"name": "gpu-operator", "chart": "oci://reg.azurecr.io/helm/gpu-operator", "version": "v26.7.0"},
    )
    plan = document(release, deployment())
    assert [m.filename for m in manifests_of(plan)] == ["20-deployment.assistant.web.yaml"]
    assert helm_releases_of(plan) == ["gpu-operator (oci://reg.azurecr.io/helm/gpu-operator v26.7.0)"]
