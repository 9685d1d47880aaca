"""Getting the weights into the inference pod: the modelcar image read in place, pulled once per node.

Sources of what these tests hold the manifests to are in ``components/kubernetes/model_loading.py``.
"""

import re

import pytest

from components.kubernetes import InferenceService
from tests.components.kubernetes.helpers import (
    DEPLOYMENT,
    WEIGHTS,
    container,
    containers,
    inference_args,
    pod_spec,
    record,
)


@pytest.fixture(scope="module")
def deployment():
    return record(lambda: InferenceService("de-assistant", inference_args())).one(
        DEPLOYMENT, "de-assistant-deployment"
    )


def test_modelcar_is_a_native_sidecar_that_links_the_weights_in_its_image(deployment) -> None:
    spec = pod_spec(deployment)
    assert [c["name"] for c in spec["initContainers"]] == ["modelcar", "chat-template"], deployment.urn
    modelcar = spec["initContainers"][0]
    assert modelcar["image"] == WEIGHTS, deployment.urn
    # restartPolicy Always makes it a sidecar: it keeps the image's root open while vLLM reads it.
    assert modelcar["restartPolicy"] == "Always", deployment.urn
    assert modelcar["command"] == [
        "sh", "-c", "ln -sfn /proc/$$$$/root/models /model-cache/model && exec sleep infinity"
    ], deployment.urn  # fmt: skip
    # The template renderer starts only once the probe sees files through the link.
    assert modelcar["startupProbe"]["exec"]["command"] == [
        "sh", "-c", 'test -n "$$(ls -A /model-cache/model/)"'
    ], deployment.urn  # fmt: skip
    assert modelcar["volumeMounts"] == [
        {"name": "model-cache", "mountPath": "/model-cache", "readOnly": False}
    ]
    assert spec["shareProcessNamespace"] is True, deployment.urn


def _kubernetes_expands(command: str) -> str:
    """What the kubelet passes on for a command word: "$$" is reduced to "$" (Container.command, core/v1)."""
    return re.sub(r"\$\$", "$", command)


def test_the_shell_sees_its_own_pid_after_kubernetes_expansion(deployment) -> None:
    # A bare "$$" would reach sh as "$": the link would point at /proc/$/root, which does not exist.
    script = _kubernetes_expands(container(deployment, "modelcar")["command"][2])
    assert script.startswith("ln -sfn /proc/$$/root/models /model-cache/model "), deployment.urn
    probe = _kubernetes_expands(container(deployment, "modelcar")["startupProbe"]["exec"]["command"][2])
    assert probe == 'test -n "$(ls -A /model-cache/model/)"', deployment.urn


def test_weights_are_read_in_place_not_copied_into_a_claim(deployment) -> None:
    spec = pod_spec(deployment)
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert not [v for v in spec["volumes"] if "ephemeral" in v or "persistentVolumeClaim" in v], (
        deployment.urn
    )
    # The cache volume holds one symbolic link.
    assert volumes["model-cache"] == {"name": "model-cache", "emptyDir": {"sizeLimit": "1Mi"}}, deployment.urn
    for c in containers(deployment):
        assert not any(word.startswith(("cp ", "rsync")) or " cp " in word for word in c.get("command", []))
    mounts = {m["name"]: m for m in container(deployment, "vllm")["volumeMounts"]}
    assert mounts["model-cache"] == {"name": "model-cache", "mountPath": "/model-cache", "readOnly": True}
    template = {m["name"]: m for m in container(deployment, "chat-template")["volumeMounts"]}
    assert template["model-cache"]["readOnly"] is True, deployment.urn
    assert volumes["dshm"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "16384Mi"}, deployment.urn
    assert mounts["dshm"]["mountPath"] == "/dev/shm", deployment.urn


def test_digest_pinned_images_are_pulled_once_per_node(deployment) -> None:
    policies = {c["name"]: c["imagePullPolicy"] for c in containers(deployment)}
    assert policies == {"modelcar": "IfNotPresent", "chat-template": "IfNotPresent", "vllm": "IfNotPresent"}


@pytest.mark.parametrize("path", ["models", "/models; rm -rf /", "/a/../etc", "/my models", "/$(id)", ""])
def test_refuses_a_weights_path_that_is_not_a_plain_absolute_path(path: str) -> None:
    with pytest.raises(ValueError, match="weights_path_in_artifact must be an absolute path"):
        inference_args(weights_path_in_artifact=path)


def test_links_a_weights_path_other_than_models() -> None:
    recording = record(lambda: InferenceService("de", inference_args(weights_path_in_artifact="/opt/w/")))
    modelcar = container(recording.one(DEPLOYMENT, "de-deployment"), "modelcar")
    assert modelcar["command"][2].startswith("ln -sfn /proc/$$$$/root/opt/w /model-cache/model &&")
