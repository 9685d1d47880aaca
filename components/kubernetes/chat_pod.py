"""The pod of the chat front end: Open WebUI, localized, logging citizens in through the country's
identity provider.

Pure builders (no resources), used by ``chat.py``. Secrets reach the process as files, never as environment
entries of the pod spec: a small shell wrapper reads them into the environment of the server process it
``exec``s (Open WebUI reads its OIDC client secret and session key only from the environment). Everything
that could call home is off (offline mode, no update checks, no telemetry, no web search, no community
sharing), and configuration from the stack always wins over values stored in the database
(``ENABLE_PERSISTENT_CONFIG=False``). Non-goals: Open WebUI's own admin settings.
"""

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.chat_exposure import exposure_url
from components.kubernetes.hardening import (
    container_security_context,
    guaranteed_resources,
    pod_security_context,
    scratch_volume,
)
from components.kubernetes.scripts import read_script

if TYPE_CHECKING:
    from components.kubernetes.chat import ChatFrontendArgs

__all__ = ["CHAT_PORT", "DATA_DIR", "SECRETS_DIR", "chat_environment", "chat_pod_template"]

CHAT_PORT = 8080
DATA_DIR = "/var/lib/open-webui"
"""Outside the image's /app/backend/data, so the embedding models baked into the image stay readable."""
SECRETS_DIR = "/var/run/secrets/sovereign"
CLIENT_SECRET_KEY = "oidc-client-secret"
SESSION_SECRET_KEY = "session-secret"


def chat_environment(
    args: "ChatFrontendArgs", openai_base_urls: Sequence[pulumi.Input[str]]
) -> dict[str, pulumi.Input[str]]:
    secure_cookies = "True" if args.exposure.tls_secret_name else "False"
    return {
        "ENV": "prod",
        "DATA_DIR": DATA_DIR,
        "HOME": "/tmp",
        "WEBUI_NAME": args.display_name,
        "WEBUI_URL": exposure_url(args.exposure, CHAT_PORT),
        "DEFAULT_LOCALE": args.default_locale,
        "ENABLE_PERSISTENT_CONFIG": "False",
        # The country's model only.
        "ENABLE_OLLAMA_API": "False",
        "ENABLE_OPENAI_API": "True",
        # Semicolon-separated list: one entry per inference service (one model each).
        "OPENAI_API_BASE_URLS": pulumi.Output.all(*openai_base_urls).apply(";".join),
        "DEFAULT_MODELS": args.default_model,
        # Login through the country's identity provider only; no local accounts.
        "ENABLE_SIGNUP": "False",
        "ENABLE_LOGIN_FORM": "False",
        "ENABLE_OAUTH_SIGNUP": "True",
        "OAUTH_MERGE_ACCOUNTS_BY_EMAIL": "False",
        "DEFAULT_USER_ROLE": "user",
        "OAUTH_CLIENT_ID": args.oidc_client_id,
        "OPENID_PROVIDER_URL": args.oidc_issuer_url.rstrip("/") + "/.well-known/openid-configuration",
        "OAUTH_PROVIDER_NAME": args.oidc_provider_name,
        "OAUTH_SCOPES": "openid email profile",
        "WEBUI_SESSION_COOKIE_SECURE": secure_cookies,
        "WEBUI_AUTH_COOKIE_SECURE": secure_cookies,
        # Nothing leaves the country from here.
        "OFFLINE_MODE": "True",
        "HF_HUB_OFFLINE": "1",
        "ENABLE_VERSION_UPDATE_CHECK": "False",
        "ENABLE_COMMUNITY_SHARING": "False",
        "ENABLE_WEB_SEARCH": "False",
        "ENABLE_RAG_WEB_SEARCH": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "DO_NOT_TRACK": "True",
        "SCARF_NO_ANALYTICS": "True",
    }


def _launcher(server_command: tuple[str, ...]) -> str:
    """The shell wrapper of ``scripts/chat_launcher.sh`` with this pod's paths and server command filled in."""
    values = {
        "@SECRETS_DIR@": SECRETS_DIR,
        "@CLIENT_SECRET_KEY@": CLIENT_SECRET_KEY,
        "@SESSION_SECRET_KEY@": SESSION_SECRET_KEY,
        "@SERVER_COMMAND@": shlex.join(server_command),
    }
    script = read_script("chat_launcher.sh")
    for placeholder, value in values.items():
        script = script.replace(placeholder, value)
    return script


def _probe(failure_threshold: int) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path="/health", port="http"),
        period_seconds=10,
        timeout_seconds=5,
        failure_threshold=failure_threshold,
    )


def chat_pod_template(
    args: "ChatFrontendArgs",
    *,
    labels: dict[str, str],
    openai_base_urls: Sequence[pulumi.Input[str]],
    secret_name: pulumi.Input[str],
    data_claim_name: pulumi.Input[str],
    service_account_name: pulumi.Input[str],
) -> k8s.core.v1.PodTemplateSpecArgs:
    server = k8s.core.v1.ContainerArgs(
        name="open-webui",
        image=args.image,
        image_pull_policy="Always",
        command=["sh", "-c", _launcher(args.server_command)],
        env=[
            k8s.core.v1.EnvVarArgs(name=key, value=value)
            for key, value in chat_environment(args, openai_base_urls).items()
        ],
        ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=CHAT_PORT, protocol="TCP")],
        resources=guaranteed_resources(args.cpu_millicores, args.memory_gib * 1024),
        # First start runs database migrations and loads the embedding model.
        startup_probe=_probe(60),
        readiness_probe=_probe(3),
        liveness_probe=_probe(6),
        security_context=container_security_context(),
        volume_mounts=[
            k8s.core.v1.VolumeMountArgs(name="data", mount_path=DATA_DIR),
            k8s.core.v1.VolumeMountArgs(name="credentials", mount_path=SECRETS_DIR, read_only=True),
            k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp"),
        ],
    )
    return k8s.core.v1.PodTemplateSpecArgs(
        metadata=k8s.meta.v1.ObjectMetaArgs(
            labels=labels, annotations={"kubectl.kubernetes.io/default-container": "open-webui"}
        ),
        spec=k8s.core.v1.PodSpecArgs(
            service_account_name=service_account_name,
            automount_service_account_token=False,
            enable_service_links=False,
            host_network=False,
            host_pid=False,
            host_ipc=False,
            security_context=pod_security_context(),
            containers=[server],
            volumes=[
                k8s.core.v1.VolumeArgs(
                    name="data",
                    persistent_volume_claim=k8s.core.v1.PersistentVolumeClaimVolumeSourceArgs(
                        claim_name=data_claim_name
                    ),
                ),
                k8s.core.v1.VolumeArgs(
                    name="credentials",
                    secret=k8s.core.v1.SecretVolumeSourceArgs(secret_name=secret_name, default_mode=0o440),
                ),
                scratch_volume("tmp", 2048),
            ],
        ),
    )
