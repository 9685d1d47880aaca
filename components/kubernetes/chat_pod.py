"""The pod of the chat front end: Open WebUI, localized, logging citizens in through the country's
identity provider.

Pure builders (no resources), used by ``chat.py``. Secrets reach the process as files, never as environment
entries of the pod spec: a small shell wrapper reads them into the environment of the server process it
``exec``s (Open WebUI reads its OIDC client secret and session key only from the environment).

Every variable below was checked against Open WebUI 0.12.4 (the newest release on PyPI when written; wheel
``open_webui-0.12.4-py3-none-any.whl``, files ``open_webui/env.py``, ``config.py``, ``main.py``,
``routers/auths.py``, ``utils/oauth.py``, ``utils/auth.py``, ``utils/security_headers.py``); the image itself
stays the country's digest, which must be that release or one with the same variables. Variables that release
does not read were removed (``ENABLE_RAG_WEB_SEARCH``, ``ANONYMIZED_TELEMETRY``: Chroma's telemetry is
hard-coded off in ``retrieval/vector/dbs/chroma.py``; ``DO_NOT_TRACK``, ``SCARF_NO_ANALYTICS``;
``HF_HUB_OFFLINE``, which ``OFFLINE_MODE`` sets itself in ``env.py``).

Administrators: Open WebUI makes the only user an admin (``utils/oauth.py``: after inserting a new OAuth
user, ``if await Users.get_num_users(db=db) == 1: ... update_user_role_by_id(user.id, 'admin')``), whatever
role management says. So the pod seeds a placeholder administrator on an empty database
(``WEBUI_ADMIN_EMAIL``/``WEBUI_ADMIN_PASSWORD``: ``main.py`` lifespan -> ``utils/auth.py``
``create_admin_user``, skipped once users exist) with a random password nobody holds, before ``/ready`` turns
true (``app.state.startup_complete`` is set at the end of the lifespan); password sign-in is off
(``ENABLE_PASSWORD_AUTH=False``: ``/signin`` answers 403). Real administrators come from the identity provider:
``ENABLE_OAUTH_ROLE_MANAGEMENT`` with ``OAUTH_ROLES_CLAIM`` and ``OAUTH_ADMIN_ROLES`` (``get_user_role``, at
every login). Code execution, the code interpreter (pyodide, whose packages come from cdn.jsdelivr.net),
plugins (tools, functions, tool servers), direct connections and administrators' access to users' chats and
exports are off; a Content-Security-Policy keeps citizens' browsers on the assistant's own origin.

Data: Open WebUI's default database, SQLite in ``DATA_DIR`` (``env.py``: ``DATABASE_URL`` defaults to
``sqlite:///{DATA_DIR}/webui.db``), on a ReadWriteOnce volume: one replica, ``Recreate`` rollouts; the replica
count is not configurable (no PostgreSQL is provisioned). Non-goals: Open WebUI's own admin settings.
"""

import json
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

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
from sovereign.types import base_language

if TYPE_CHECKING:
    from components.kubernetes.chat import AiNoticeSpec, ChatFrontendArgs

__all__ = [
    "CHAT_PORT",
    "DATA_DIR",
    "OPEN_WEBUI_VERSION",
    "PLACEHOLDER_ADMIN_EMAIL",
    "SECRETS_DIR",
    "chat_environment",
    "chat_pod_template",
    "content_security_policy",
]

OPEN_WEBUI_VERSION = "0.12.4"
"""The Open WebUI release whose code the environment below was checked against."""
CHAT_PORT = 8080
DATA_DIR = "/var/lib/open-webui"
"""Outside the image's /app/backend/data, so the embedding models baked into the image stay readable."""
SECRETS_DIR = "/var/run/secrets/sovereign"
CLIENT_SECRET_KEY = "oidc-client-secret"
SESSION_SECRET_KEY = "session-secret"
MODEL_API_KEY_KEY = "model-api-key"
"""The inference services' bearer token; the launcher puts it into ``OPENAI_API_KEYS`` once per base URL:
Open WebUI 0.12.4 ``config.py`` splits ``OPENAI_API_KEYS`` and ``OPENAI_API_BASE_URLS`` on ';' and pairs them by
index (``openai.api_keys`` / ``openai.api_base_urls``), and ``routers/openai.py`` sends
``Authorization: Bearer <key>`` to the URL of the same index."""
PLACEHOLDER_ADMIN_EMAIL = "placeholder-admin@open-webui.invalid"
"""The seeded administrator that keeps citizens from being the first user; '.invalid' (RFC 2606) is nobody's
address, so no identity provider can assert it (OAuth sign-up refuses a taken e-mail: EMAIL_TAKEN)."""


def content_security_policy(url: str) -> str:
    """Everything from the assistant's own origin: no CDN, no third-party image or font, no framing.

    Open WebUI's ``index.html`` carries inline scripts (theme and splash) and Svelte sets inline styles, hence
    'unsafe-inline' for those two; 'wasm-unsafe-eval' lets same-origin WebAssembly compile. No 'unsafe-eval':
    the browser refuses server-sent ``execute`` events (``new Function`` in the chat bundle)."""
    parts = urlsplit(url)
    socket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {socket}",
            "worker-src 'self' blob:",
            "frame-src 'self' blob: data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _sign_in(args: "ChatFrontendArgs", url: str) -> dict[str, str]:
    """OIDC only; admins from the provider's roles claim, never from being first (see the module docstring)."""
    secure_cookies = "True" if url.startswith("https://") else "False"
    return {
        "ENABLE_SIGNUP": "False",
        "ENABLE_LOGIN_FORM": "False",
        "ENABLE_PASSWORD_AUTH": "False",
        "ENABLE_OAUTH_SIGNUP": "True",
        "OAUTH_MERGE_ACCOUNTS_BY_EMAIL": "False",
        "DEFAULT_USER_ROLE": "user",
        "OAUTH_CLIENT_ID": args.oidc_client_id,
        "OPENID_PROVIDER_URL": args.oidc_issuer_url.rstrip("/") + "/.well-known/openid-configuration",
        # Registered with the provider; fixed rather than derived from proxy headers. main.py routes
        # /oauth/{provider}/login/callback to oauth_login_callback (/oauth/{provider}/callback is "Legacy").
        "OPENID_REDIRECT_URI": f"{url}/oauth/oidc/login/callback",
        "OAUTH_PROVIDER_NAME": args.oidc_provider_name,
        "OAUTH_SCOPES": "openid email profile",
        "ENABLE_OAUTH_ROLE_MANAGEMENT": "True",
        "OAUTH_ROLES_CLAIM": args.roles_claim,
        # '*': any citizen may sign in whatever roles they carry; OAUTH_ROLES_SEPARATOR stays ','.
        "OAUTH_ALLOWED_ROLES": "*",
        "OAUTH_ADMIN_ROLES": ",".join(args.admin_roles),
        "WEBUI_ADMIN_EMAIL": PLACEHOLDER_ADMIN_EMAIL,
        "WEBUI_ADMIN_NAME": "Placeholder (no sign-in)",
        "WEBUI_SESSION_COOKIE_SECURE": secure_cookies,
        "WEBUI_AUTH_COOKIE_SECURE": secure_cookies,
    }


def _locked_down() -> dict[str, str]:
    """Nothing that runs code, reads other people's chats or calls out (defaults as in config.py/env.py 0.12.4
    in the comments)."""
    return {
        "ENABLE_PLUGINS": "False",  # master switch of ENABLE_TOOLS, ENABLE_FUNCTIONS, ENABLE_TOOL_SERVERS (True)
        "ENABLE_CODE_EXECUTION": "False",  # True
        "ENABLE_CODE_INTERPRETER": "False",  # True
        "USER_PERMISSIONS_FEATURES_CODE_INTERPRETER": "False",  # True
        "USER_PERMISSIONS_FEATURES_DIRECT_TOOL_SERVERS": "False",  # False
        "USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS": "False",  # False
        "ENABLE_DIRECT_CONNECTIONS": "False",  # False
        "ENABLE_ADMIN_CHAT_ACCESS": "False",  # True
        "ENABLE_ADMIN_EXPORT": "False",  # True
        "ENABLE_COMMUNITY_SHARING": "False",  # True
        "USER_PERMISSIONS_CHAT_ALLOW_PUBLIC_SHARING": "False",  # False
        "ENABLE_WEB_SEARCH": "False",  # False
        "USER_PERMISSIONS_FEATURES_WEB_SEARCH": "False",  # True
        "OFFLINE_MODE": "True",  # also sets HF_HUB_OFFLINE=1 and turns the version check off
        "ENABLE_VERSION_UPDATE_CHECK": "False",
    }


def _browser(url: str) -> dict[str, str]:
    """Response headers (``utils/security_headers.py``, applied to every response by ``AppHTTPMiddleware``) and
    CORS limited to the one origin (``config.py`` default '*')."""
    headers = {
        "CORS_ALLOW_ORIGIN": url,
        "CONTENT_SECURITY_POLICY": content_security_policy(url),
        "XFRAME_OPTIONS": "DENY",
        "XCONTENT_TYPE": "nosniff",
        "REFERRER_POLICY": "strict-origin-when-cross-origin",
    }
    if url.startswith("https://"):
        headers["HSTS"] = "max-age=31536000;includeSubDomains"
    return headers


def chat_environment(
    args: "ChatFrontendArgs", openai_base_urls: Sequence[pulumi.Input[str]]
) -> dict[str, pulumi.Input[str]]:
    url = exposure_url(args.exposure, CHAT_PORT)
    return {
        "ENV": "prod",
        "DATA_DIR": DATA_DIR,
        "HOME": "/tmp",  # not Open WebUI's: where libraries write caches on the read-only root filesystem
        "WEBUI_NAME": args.display_name,
        "WEBUI_URL": url,
        "DEFAULT_LOCALE": args.default_locale,
        # Configuration from the stack wins over values stored in the database (models/config.py).
        "ENABLE_PERSISTENT_CONFIG": "False",
        # The country's model only.
        "ENABLE_OLLAMA_API": "False",
        "ENABLE_OPENAI_API": "True",
        # Semicolon-separated list: one entry per inference service (one model each).
        "OPENAI_API_BASE_URLS": pulumi.Output.all(*openai_base_urls).apply(";".join),
        "DEFAULT_MODELS": args.default_model,
        **_sign_in(args, url),
        **_locked_down(),
        **_browser(url),
        **(
            {"WEBUI_BANNERS": ai_notice_banners(args.ai_notice, args.default_locale)}
            if args.ai_notice
            else {}
        ),
    }


AI_NOTICE_BANNER_ID = "ai-notice"


def ai_notice_banners(notice: "AiNoticeSpec", default_locale: str) -> str:
    """``WEBUI_BANNERS``: one banner nobody can dismiss, saying in the user's language that this is an AI system.

    Open WebUI 0.12.4 reads ``WEBUI_BANNERS`` as JSON into ``BannerModel`` (``config.py``: ``id``, ``type``,
    ``title``, ``content``, ``dismissible``, ``timestamp``, ``i18n: dict[str, dict[str, str]]``) and, with
    ``ENABLE_PERSISTENT_CONFIG=False``, serves that default to every signed-in user (``models/config.py``
    ``Config.get``; ``GET /api/v1/configs/banners``). The front end renders ``resolveLocalizedString(content,
    i18n, language, 'content')`` through marked and DOMPurify (``src/lib/components/common/Banner.svelte``,
    ``src/lib/utils/localizedContent.ts``: the user's locale, then its base language, then ``content``), so
    ``i18n`` is keyed by base language and the link is a markdown autolink. The banner's own ``url`` field is
    not used: the 0.12.4 component links it to ``/assets/files/whitepaper.pdf`` whatever it says."""

    def with_link(text: str) -> str:
        return f"{text.strip()} <{notice.notice_url}>"

    texts = {base_language(tag): text for tag, text in notice.texts.items()}
    default = texts.get(base_language(default_locale)) or next(iter(texts.values()))
    banner = {
        "id": AI_NOTICE_BANNER_ID,
        "type": "info",
        "title": "",
        "content": with_link(default),
        "i18n": {language: {"content": with_link(text)} for language, text in sorted(texts.items())},
        "dismissible": False,
        "timestamp": 0,
    }
    return json.dumps([banner], ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _launcher(server_command: tuple[str, ...], base_url_count: int) -> str:
    """The shell wrapper of ``scripts/chat_launcher.sh`` with this pod's paths and server command filled in."""
    values = {
        "@SECRETS_DIR@": SECRETS_DIR,
        "@CLIENT_SECRET_KEY@": CLIENT_SECRET_KEY,
        "@SESSION_SECRET_KEY@": SESSION_SECRET_KEY,
        "@MODEL_API_KEY_KEY@": MODEL_API_KEY_KEY,
        "@BASE_URL_COUNT@": str(base_url_count),
        "@SERVER_COMMAND@": shlex.join(server_command),
    }
    script = read_script("chat_launcher.sh")
    for placeholder, value in values.items():
        script = script.replace(placeholder, value)
    return script


def _probe(path: str, failure_threshold: int) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port="http"),
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
        # Pinned by digest: the node's copy is the image (sovereign/policies/image_pull.py).
        image_pull_policy="IfNotPresent",
        command=["sh", "-c", _launcher(args.server_command, len(openai_base_urls))],
        env=[
            k8s.core.v1.EnvVarArgs(name=key, value=value)
            for key, value in chat_environment(args, openai_base_urls).items()
        ],
        ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=CHAT_PORT, protocol="TCP")],
        resources=guaranteed_resources(args.cpu_millicores, args.memory_gib * 1024),
        # /ready (main.py) is 503 until the lifespan finished (migrations, the seeded administrator) and while
        # the database does not answer; /health only says the process serves HTTP, which liveness needs.
        startup_probe=_probe("/ready", 60),
        readiness_probe=_probe("/ready", 3),
        liveness_probe=_probe("/health", 6),
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
            priority_class_name=args.priority_class_name,
        ),
    )
