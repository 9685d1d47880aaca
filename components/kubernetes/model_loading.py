"""Getting the model into the pod: the weights image mounted in place (modelcar) and the localized chat template.

Pure builders (no resources), used by ``inference_pod.py``. Weights never come from the internet: the model
is an OCI image in the country's registry, pinned by digest, whose ``/models`` holds the weights. Nothing is
copied: the image runs as a native sidecar (an init container with ``restartPolicy: Always``) that links its
own root into a tiny shared emptyDir (``/model-cache/model -> /proc/<pid>/root/models``), and the pod shares
one process namespace, so the chat-template container and vLLM read the files straight from the image's
unpacked snapshot on the node. The container runtime keeps that image per node, so a second replica on the
node (a scale-out, a config roll) mounts it without pulling; only a fresh node pulls, once. This is KServe's
modelcar (kserve/kserve ``pkg/utils/storage.go``, ``modelcarCommand`` / ``ConfigureModelcarToContainer``, at
aaac4e2, 2026-08-21), with a native sidecar instead of KServe's prefetch init container plus regular sidecar,
so the template container runs after the link exists.

Why not Kubernetes image volumes (``volumes[].image``, KEP-4639), the cleaner mechanism: they are beta and on
by default only from Kubernetes 1.35 ("FEATURE STATE: Kubernetes v1.35 [beta] (enabled by default)",
kubernetes.io/docs/tasks/configure-pod-container/image-volumes) and need containerd 2.1 or later
(containerd v2.1.0 release notes: "Add OCI/Image Volume Source support (#10579)") or CRI-O 1.31+. AKS ships
containerd 2.0.0-14.azl3 on Azure Linux 3 for 1.34 and 1.35 and containerd 1.7.29 on Ubuntu 22.04
(MicrosoftDocs/azure-aks-docs ``articles/aks/supported-kubernetes-versions.md`` at fb060ab, "OS components");
only its 1.36 row has containerd 2.2.4 (Azure Linux 3) / 2.3.1 (Ubuntu 24.04). The OCI countries run 1.34,
where the ImageVolume gate is beta and off by default. Move to image volumes once every country runs 1.36+
on AKS and 1.35+ on OKE: that drops the sidecar and the shared process namespace.

What the modelcar needs, and has here: every container runs as the same non-root UID/GID with ALL
capabilities dropped, because dereferencing ``/proc/<pid>/root`` "is governed by a ptrace access mode
PTRACE_MODE_READ_FSCREDS check" (man proc_pid_root(5)): same UID and GID, no capability the reader lacks.
The files in ``/models`` must be readable by that UID (as they had to be for the old copy). Pod Security
"restricted" forbids host namespaces (hostPID, hostIPC, hostNetwork), not ``shareProcessNamespace``; the cost
is the one Kubernetes documents: "Container filesystems are visible to other containers in the pod through the
/proc/$pid/root link" and processes and their environment are visible to each other
(kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace). The pod's containers are the
weights, the template renderer and vLLM, none holding a secret. Non-goals: pulling from object storage (the
registry is the one supply path), a per-cluster RWX cache (a copy again, and one more store to encrypt).
"""

import re
from typing import TYPE_CHECKING

import pulumi_kubernetes as k8s

from components.kubernetes.hardening import container_security_context, guaranteed_resources
from components.kubernetes.localization import INLINE_TEMPLATE_FILE, PROMPT_PREFIX_FILE, is_inline_template
from components.kubernetes.scripts import read_script

if TYPE_CHECKING:
    from components.kubernetes.inference import InferenceServiceArgs

__all__ = [
    "CHAT_TEMPLATE_PATH",
    "CONFIG_DIR",
    "MODEL_CACHE_DIR",
    "MODEL_DIR",
    "MODEL_LINK_VOLUME_MIB",
    "RENDER_TEMPLATE_SCRIPT",
    "TEMPLATE_DIR",
    "TEMPLATE_VOLUME_MIB",
    "chat_template_container",
    "chat_template_source",
    "modelcar_container",
    "mount",
    "require_artifact_path",
]

MODEL_CACHE_DIR = "/model-cache"
"""The shared emptyDir holding only the link to the weights (no weights are written anywhere)."""
MODEL_DIR = f"{MODEL_CACHE_DIR}/model"
MODEL_LINK_VOLUME_MIB = 1
CONFIG_DIR = "/etc/sovereign/assistant"
TEMPLATE_DIR = "/run/sovereign"
TEMPLATE_VOLUME_MIB = 16
CHAT_TEMPLATE_PATH = f"{TEMPLATE_DIR}/chat-template.jinja"
_ARTIFACT_PATH = re.compile(r"/[A-Za-z0-9._/-]*")

RENDER_TEMPLATE_SCRIPT = read_script("render_chat_template.py")
"""The chat-template init container's Python (``scripts/render_chat_template.py``), run with ``python3 -c``."""


def require_artifact_path(path: str) -> str:
    """The weights directory inside the image: absolute, no '..', only characters safe in ``sh -c``."""
    if not _ARTIFACT_PATH.fullmatch(path) or ".." in path.split("/"):
        raise ValueError(
            f"weights_path_in_artifact must be an absolute path of letters, digits, '.', '_', '-' and '/', "
            f"without '..' (got {path!r}), such as '/models'"
        )
    return path.rstrip("/") or "/"


def chat_template_source(chat_template: str | None) -> str:
    """Where the init container finds the model's template; empty: look in the weights."""
    if chat_template is None:
        return ""
    if is_inline_template(chat_template):
        return f"{CONFIG_DIR}/{INLINE_TEMPLATE_FILE}"
    if (
        not chat_template.strip()
        or ".." in chat_template.split("/")
        or any(c.isspace() for c in chat_template)
    ):
        raise ValueError(
            f"chat_template must be Jinja text, an absolute path in the serving image or a path inside the "
            f"weights, without '..' or spaces (got {chat_template!r})"
        )
    return chat_template if chat_template.startswith("/") else f"{MODEL_DIR}/{chat_template}"


def _modelcar_script(args: "InferenceServiceArgs") -> str:
    # Kubernetes reduces "$$" in a command to "$" (Container.command: "Double $$ are reduced to a single $,
    # which allows for escaping the $(VAR_NAME) syntax"), so "$$$$" reaches sh as "$$", its own PID in the
    # shared namespace; KServe writes it the same way. -n replaces a link left by a restarted sidecar instead
    # of following it into the read-only image. exec keeps that PID for the sleep that holds the root open.
    target = require_artifact_path(args.weights_path_in_artifact)
    return f"ln -sfn /proc/$$$$/root{target} {MODEL_DIR} && exec sleep infinity"


def mount(name: str, path: str, *, read_only: bool = False) -> k8s.core.v1.VolumeMountArgs:
    return k8s.core.v1.VolumeMountArgs(name=name, mount_path=path, read_only=read_only)


def modelcar_container(args: "InferenceServiceArgs") -> k8s.core.v1.ContainerArgs:
    """The weights image as a native sidecar: the next init container starts only once its startup probe
    sees the weights through the link ("the next init container starts immediately after this init container
    is started, or after any startupProbe has successfully completed": Container.restartPolicy, Kubernetes API
    1.33); it keeps running, and holding the image open, until vLLM has stopped."""
    return k8s.core.v1.ContainerArgs(
        name="modelcar",
        image=args.model.weights_ref,
        # Pinned by digest, so the node's copy is the image: "IfNotPresent" pulls it once per node. "Always"
        # would ask the registry again on every start, and a registry outage would stop restarts.
        image_pull_policy="IfNotPresent",
        restart_policy="Always",
        command=["sh", "-c", _modelcar_script(args)],
        startup_probe=k8s.core.v1.ProbeArgs(
            # The kubelet expands exec probe commands like container commands (pkg/kubelet/prober/prober.go,
            # ExpandContainerCommandOnlyStatic): "$$(" reaches sh as "$(", a command substitution.
            exec_=k8s.core.v1.ExecActionArgs(command=["sh", "-c", f'test -n "$$(ls -A {MODEL_DIR}/)"']),
            period_seconds=2,
            failure_threshold=30,
        ),
        resources=guaranteed_resources(50, 32),
        security_context=container_security_context(),
        volume_mounts=[mount("model-cache", MODEL_CACHE_DIR)],
    )


def chat_template_container(args: "InferenceServiceArgs") -> k8s.core.v1.ContainerArgs:
    environment = {
        "MODEL_DIR": MODEL_DIR,
        "CHAT_TEMPLATE_SOURCE": chat_template_source(args.model.chat_template),
        "PROMPT_PREFIX": f"{CONFIG_DIR}/{PROMPT_PREFIX_FILE}",
        "OUTPUT": CHAT_TEMPLATE_PATH,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return k8s.core.v1.ContainerArgs(
        name="chat-template",
        image=args.image,
        image_pull_policy="IfNotPresent",
        command=["python3", "-c", RENDER_TEMPLATE_SCRIPT],
        env=[k8s.core.v1.EnvVarArgs(name=key, value=value) for key, value in environment.items()],
        resources=guaranteed_resources(500, 512),
        security_context=container_security_context(),
        volume_mounts=[
            mount("model-cache", MODEL_CACHE_DIR, read_only=True),
            mount("assistant-config", CONFIG_DIR, read_only=True),
            mount("chat-template", TEMPLATE_DIR),
        ],
    )
