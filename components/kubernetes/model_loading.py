"""Getting the model into the pod: the 'modelcar' copy of the weights and the localized chat template.

Pure builders (no resources), used by ``inference_pod.py``. Weights never come from the internet: the model
is an OCI artifact in the country's registry, pinned by digest; the first init container runs that artifact
and copies its ``/models`` into the pod's volume claim on the encrypted storage class. The second one runs the
serving image's Python and writes the chat template vLLM serves: the country's system-prompt block (from the
ConfigMap, see ``localization.py``) followed by the model's own template, wherever that lives (inline in the
register, a file in the serving image, or the template shipped with the weights). Non-goals: pulling from
object storage (the registry is the one supply path).
"""

from typing import TYPE_CHECKING

import pulumi_kubernetes as k8s

from components.kubernetes.hardening import container_security_context, guaranteed_resources
from components.kubernetes.localization import INLINE_TEMPLATE_FILE, PROMPT_PREFIX_FILE, is_inline_template
from components.kubernetes.scripts import read_script
from sovereign.types import image_digest

if TYPE_CHECKING:
    from components.kubernetes.inference import InferenceServiceArgs

__all__ = [
    "CHAT_TEMPLATE_PATH",
    "CONFIG_DIR",
    "MODEL_CACHE_DIR",
    "MODEL_DIR",
    "RENDER_TEMPLATE_SCRIPT",
    "TEMPLATE_DIR",
    "TEMPLATE_VOLUME_MIB",
    "chat_template_container",
    "chat_template_source",
    "modelcar_container",
    "mount",
]

MODEL_CACHE_DIR = "/model-cache"
MODEL_DIR = f"{MODEL_CACHE_DIR}/model"
CONFIG_DIR = "/etc/sovereign/assistant"
TEMPLATE_DIR = "/run/sovereign"
TEMPLATE_VOLUME_MIB = 16
CHAT_TEMPLATE_PATH = f"{TEMPLATE_DIR}/chat-template.jinja"

RENDER_TEMPLATE_SCRIPT = read_script("render_chat_template.py")
"""The chat-template init container's Python (``scripts/render_chat_template.py``), run with ``python3 -c``."""


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
    marker = f"{MODEL_CACHE_DIR}/.complete-{image_digest(args.model.weights_ref).removeprefix('sha256:')}"
    # Idempotent: a restarted init container finds the marker and skips the copy.
    return (
        "set -eu\n"
        f'if [ ! -f "{marker}" ]; then\n'
        f'  rm -rf "{MODEL_DIR}" && mkdir -p "{MODEL_DIR}"\n'
        f'  cp -R "{args.weights_path_in_artifact.rstrip("/")}/." "{MODEL_DIR}/"\n'
        f'  touch "{marker}"\n'
        "fi\n"
    )


def mount(name: str, path: str, *, read_only: bool = False) -> k8s.core.v1.VolumeMountArgs:
    return k8s.core.v1.VolumeMountArgs(name=name, mount_path=path, read_only=read_only)


def modelcar_container(args: "InferenceServiceArgs") -> k8s.core.v1.ContainerArgs:
    return k8s.core.v1.ContainerArgs(
        name="modelcar",
        image=args.model.weights_ref,
        image_pull_policy="Always",
        command=["sh", "-c", _modelcar_script(args)],
        resources=guaranteed_resources(1000, 1024),
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
        image_pull_policy="Always",
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
