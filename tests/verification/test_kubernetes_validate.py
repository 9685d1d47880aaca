"""Every manifest of every shipped stack: exactly the declared object, no secret, and valid for the stack's
Kubernetes version by the upstream OpenAPI schemas (kubernetes-validate, strict: unknown fields are errors)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml  # YAML 1.1, as kubectl and the scanners read the files

from sovereign.plan.manifests import Manifest, helm_releases_of
from sovereign.plan.stackfiles import OFFLINE_SECRET
from tests.components.kubernetes.keda_schema import validate_scaled_object


def _whole_numbers(value: Any) -> Any:
    return json.loads(
        json.dumps(value), parse_float=lambda s: int(float(s)) if float(s).is_integer() else float(s)
    )


HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def _kubernetes_resources(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in document["resources"] if r["custom"] and r["type"].startswith("kubernetes:")]


def test_every_kubernetes_object_of_every_stack_becomes_one_manifest(
    plans: dict[str, dict[str, Any]], stack_manifests: dict[str, list[Manifest]]
) -> None:
    with_assistant = 0
    for name, document in plans.items():
        declared = {r["urn"] for r in _kubernetes_resources(document)}
        releases = {r["urn"] for r in _kubernetes_resources(document) if r["type"] == HELM_RELEASE}
        manifests = stack_manifests[name]
        # Helm releases (the GPU Operator on Azure GPU clusters) are named as not rendered, never written.
        assert sorted(m.urn for m in manifests) == sorted(declared - releases), name
        assert len(helm_releases_of(document)) == len(releases), name
        if any(r["type"] == "sovereign:kubernetes:AssistantPlatform" for r in document["resources"]):
            with_assistant += 1
            kinds = [m.kind for m in manifests]
            # What the assistant brings: encrypted storage class, its namespace first, vLLM + chat.
            assert kinds.count("StorageClass") == 1 and kinds.count("Deployment") >= 2, (name, kinds)
            assert manifests[0].kind == "Namespace", name
    assert with_assistant == len(plans)  # every shipped country serves its assistant


def test_manifests_hold_exactly_the_declared_inputs(
    plans: dict[str, dict[str, Any]], stack_manifests: dict[str, list[Manifest]]
) -> None:
    """What a scanner reads from the file is the recorded wire input, with floats back to whole numbers and
    only the secret maps emptied; nothing added, nothing dropped."""
    checked = 0
    for name, document in plans.items():
        inputs = {r["urn"]: r["inputs"] for r in _kubernetes_resources(document)}
        for manifest in stack_manifests[name]:
            expected = _whole_numbers(inputs[manifest.urn])
            for field in manifest.masked:
                assert expected[field] == "[secret]", manifest.urn
                expected[field] = {}
            assert yaml.safe_load(manifest.text) == expected, manifest.urn
            checked += 1
    assert checked > 100


def test_no_secret_value_reaches_a_manifest(stack_manifests: dict[str, list[Manifest]]) -> None:
    """The stacks' secrets plan with a known placeholder value: it must appear in no file."""
    secrets = 0
    for name, manifests in stack_manifests.items():
        assert all(OFFLINE_SECRET not in m.text for m in manifests), name
        for secret in (m for m in manifests if m.kind == "Secret"):
            assert secret.masked == ("stringData",) and secret.object["stringData"] == {}, secret.urn
            secrets += 1
    assert secrets >= len(stack_manifests)  # the chat front end's credentials, at least, in every stack


def test_every_manifest_is_valid_for_its_stack_kubernetes_version_strictly(
    stack_manifests: dict[str, list[Manifest]], kubernetes_versions: dict[str, str]
) -> None:
    problems = []
    for name, manifests in stack_manifests.items():
        version = kubernetes_versions[name]
        for manifest in manifests:
            if manifest.api_version == "keda.sh/v1alpha1":
                # A custom resource: no upstream Kubernetes schema; KEDA's CRD fields, strictly.
                try:
                    validate_scaled_object(yaml.safe_load(manifest.text))
                except jsonschema.ValidationError as exc:
                    problems.append(f"{name} {manifest.filename}: {exc.json_path}: {exc.message}")
                continue
            try:
                used = kubernetes_validate.validate(yaml.safe_load(manifest.text), version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                problems.append(f"{name} {manifest.filename}: {'.'.join(map(str, exc.path))}: {exc.message}")
                continue
            # kubernetes-validate silently falls back to an older schema set; require the stack's own.
            assert used == version, f"{manifest.urn}: validated against {used}, the stack runs {version}"
    assert problems == []


def _chat_deployment(stack_manifests: dict[str, list[Manifest]]) -> dict[str, Any]:
    [chat] = [
        m
        for m in stack_manifests["gb-prod"]
        if m.kind == "Deployment" and m.object["metadata"]["name"] == "chat"
    ]
    return copy.deepcopy(chat.object)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o["spec"]["template"]["spec"]["containers"][0].update(runAsRoot=True), "runAsRoot"),
        (lambda o: o["spec"].update(replicas="1"), "'1' is not of type 'integer'"),
        (lambda o: o["spec"].update(replicas=1.5), "1.5 is not of type 'integer'"),
        (lambda o: o["metadata"].update(label={"a": "b"}), "label"),
    ],
)
def test_the_validation_would_catch_an_unknown_field_or_a_wrong_type(
    stack_manifests: dict[str, list[Manifest]], mutate: Any, message: str
) -> None:
    """Proof that the check above can fail: a real manifest with one mistake is refused."""
    broken = _chat_deployment(stack_manifests)
    mutate(broken)
    with pytest.raises(kubernetes_validate.ValidationError, match=message):
        kubernetes_validate.validate(broken, "1.34", strict=True)
