"""ChatFrontend: localization and OIDC wiring, secrets as files, encrypted data, hardening, flows, exposure.

Open WebUI facts are those of release 0.12.4 (wheel open_webui-0.12.4-py3-none-any.whl from PyPI), cited per test.
"""

import json
import subprocess
from pathlib import Path

import pytest

from components.kubernetes import ChatFrontend, InternalExposure, PublicExposure
from components.kubernetes.chat_pod import PLACEHOLDER_ADMIN_EMAIL, _launcher
from components.kubernetes.netpol import PeerSelector
from tests.components.kubernetes.helpers import (
    CLIENT_SECRET,
    DEPLOYMENT,
    NETWORK_POLICY,
    REGISTRY,
    SESSION_SECRET,
    assert_hardened,
    chat_args,
    container,
    env,
    pod_spec,
    record,
)

PUBLIC = PublicExposure(
    hostname="assistent.de.gov.example",
    ingress_class_name="nginx",
    ingress_controller_namespace="ingress-nginx",
    tls_secret_name="assistent-tls",
    justification="Citizens reach the national assistant from home, over TLS only.",
)
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
INTERNAL = InternalExposure(
    hostname="assistant.internal.de.gov.example",
    ingress_class_name="nginx-internal",
    ingress_controller_namespace="ingress-internal",
    tls_secret_name="assistant-tls",
)
READ_BY_OPEN_WEBUI_0_12_4 = frozenset(
    # Each name is read in open_webui 0.12.4: env.py / config.py (os.getenv), utils/security_headers.py
    # (os.environ.get over its header table). HOME is the only variable that is not Open WebUI's own.
    {
        "ENV",
        "DATA_DIR",
        "WEBUI_NAME",
        "WEBUI_URL",
        "DEFAULT_LOCALE",
        "ENABLE_PERSISTENT_CONFIG",
        "ENABLE_OLLAMA_API",
        "ENABLE_OPENAI_API",
        "OPENAI_API_BASE_URLS",
        "DEFAULT_MODELS",
        "ENABLE_SIGNUP",
        "ENABLE_LOGIN_FORM",
        "ENABLE_PASSWORD_AUTH",
        "ENABLE_OAUTH_SIGNUP",
        "OAUTH_MERGE_ACCOUNTS_BY_EMAIL",
        "DEFAULT_USER_ROLE",
        "OAUTH_CLIENT_ID",
        "OPENID_PROVIDER_URL",
        "OPENID_REDIRECT_URI",
        "OAUTH_PROVIDER_NAME",
        "OAUTH_SCOPES",
        "ENABLE_OAUTH_ROLE_MANAGEMENT",
        "OAUTH_ROLES_CLAIM",
        "OAUTH_ALLOWED_ROLES",
        "OAUTH_ADMIN_ROLES",
        "WEBUI_ADMIN_EMAIL",
        "WEBUI_ADMIN_NAME",
        "WEBUI_SESSION_COOKIE_SECURE",
        "WEBUI_AUTH_COOKIE_SECURE",
        "ENABLE_PLUGINS",
        "ENABLE_CODE_EXECUTION",
        "ENABLE_CODE_INTERPRETER",
        "USER_PERMISSIONS_FEATURES_CODE_INTERPRETER",
        "USER_PERMISSIONS_FEATURES_DIRECT_TOOL_SERVERS",
        "USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS",
        "ENABLE_DIRECT_CONNECTIONS",
        "ENABLE_ADMIN_CHAT_ACCESS",
        "ENABLE_ADMIN_EXPORT",
        "ENABLE_COMMUNITY_SHARING",
        "USER_PERMISSIONS_CHAT_ALLOW_PUBLIC_SHARING",
        "ENABLE_WEB_SEARCH",
        "USER_PERMISSIONS_FEATURES_WEB_SEARCH",
        "OFFLINE_MODE",
        "ENABLE_VERSION_UPDATE_CHECK",
        "CORS_ALLOW_ORIGIN",
        "CONTENT_SECURITY_POLICY",
        "XFRAME_OPTIONS",
        "XCONTENT_TYPE",
        "REFERRER_POLICY",
        "HSTS",
    }
)


@pytest.fixture(scope="module")
def public():
    return record(lambda: ChatFrontend("de-chat", chat_args(exposure=PUBLIC)))


@pytest.fixture(scope="module")
def internal():
    return record(lambda: ChatFrontend("de-chat", chat_args()))


def test_localized_and_pointed_at_every_inference_service(public) -> None:
    deployment = public.one(DEPLOYMENT, "de-chat-deployment")
    variables = env(container(deployment, "open-webui"))
    assert variables["DEFAULT_LOCALE"] == "de-DE", deployment.urn
    assert variables["OPENAI_API_BASE_URLS"] == (
        "http://assistant.assistant.svc.cluster.local:8000/v1;http://eurollm.assistant.svc.cluster.local:8000/v1"
    ), deployment.urn
    assert variables["DEFAULT_MODELS"] == "mistral-small-3.1", deployment.urn
    assert variables["ENABLE_OLLAMA_API"] == "False", deployment.urn
    assert variables["ENABLE_PERSISTENT_CONFIG"] == "False", deployment.urn


def test_logs_in_only_through_the_country_identity_provider(public) -> None:
    variables = env(container(public.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    assert {k: variables[k] for k in ("OAUTH_CLIENT_ID", "OPENID_PROVIDER_URL", "ENABLE_OAUTH_SIGNUP")} == {
        "OAUTH_CLIENT_ID": "de-national-assistant",
        "OPENID_PROVIDER_URL": "https://login.de.gov.example/realms/citizens/.well-known/openid-configuration",
        "ENABLE_OAUTH_SIGNUP": "True",
    }
    assert variables["ENABLE_LOGIN_FORM"] == "False" and variables["ENABLE_SIGNUP"] == "False"
    assert variables["OAUTH_MERGE_ACCOUNTS_BY_EMAIL"] == "False"


def test_nothing_calls_home(public) -> None:
    variables = env(container(public.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    # env.py: "if OFFLINE_MODE: os.environ['HF_HUB_OFFLINE'] = '1'; ENABLE_VERSION_UPDATE_CHECK = False".
    assert variables["OFFLINE_MODE"] == "True" and variables["ENABLE_VERSION_UPDATE_CHECK"] == "False"
    assert variables["ENABLE_WEB_SEARCH"] == "False" and variables["ENABLE_COMMUNITY_SHARING"] == "False"


@pytest.mark.parametrize("fixture", ["public", "internal"])
def test_every_variable_is_one_open_webui_reads(fixture: str, request: pytest.FixtureRequest) -> None:
    """Dead settings (ENABLE_RAG_WEB_SEARCH, ANONYMIZED_TELEMETRY, DO_NOT_TRACK, SCARF_NO_ANALYTICS) are gone."""
    variables = env(
        container(request.getfixturevalue(fixture).one(DEPLOYMENT, "de-chat-deployment"), "open-webui")
    )
    assert set(variables) - {"HOME"} <= READ_BY_OPEN_WEBUI_0_12_4, set(variables) - READ_BY_OPEN_WEBUI_0_12_4


def test_admins_come_from_the_identity_providers_roles_never_from_signing_in_first(public) -> None:
    """utils/oauth.py promotes the only user to admin after an OAuth sign-up (get_num_users() == 1); a seeded
    placeholder admin (env.py WEBUI_ADMIN_EMAIL/PASSWORD, main.py lifespan -> utils/auth.py create_admin_user)
    means no citizen is ever the only user; get_user_role then decides from OAUTH_ROLES_CLAIM/OAUTH_ADMIN_ROLES."""
    variables = env(container(public.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    assert {
        k: variables[k] for k in variables if k.startswith(("OAUTH_ROLES", "OAUTH_A", "ENABLE_OAUTH_R"))
    } == {
        "ENABLE_OAUTH_ROLE_MANAGEMENT": "True",
        "OAUTH_ROLES_CLAIM": "roles",
        "OAUTH_ALLOWED_ROLES": "*",
        "OAUTH_ADMIN_ROLES": "assistant-admin",
    }
    assert (
        variables["WEBUI_ADMIN_EMAIL"] == PLACEHOLDER_ADMIN_EMAIL and "WEBUI_ADMIN_PASSWORD" not in variables
    )
    # routers/auths.py signin: "if not ENABLE_PASSWORD_AUTH: raise HTTPException(403)": the placeholder cannot log in.
    assert variables["ENABLE_PASSWORD_AUTH"] == "False" and variables["DEFAULT_USER_ROLE"] == "user"
    roles = record(
        lambda: ChatFrontend("de-chat", chat_args(roles_claim="realm_access.roles", admin_roles=("a", "b")))
    )
    variables = env(container(roles.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    assert (variables["OAUTH_ROLES_CLAIM"], variables["OAUTH_ADMIN_ROLES"]) == ("realm_access.roles", "a,b")


def test_the_placeholder_admin_gets_a_fresh_random_password_nobody_holds(tmp_path: Path) -> None:
    (tmp_path / "oidc-client-secret").write_text("c", encoding="utf-8")
    (tmp_path / "session-secret").write_text("s", encoding="utf-8")
    (tmp_path / "model-api-key").write_text("k", encoding="utf-8")
    script = _launcher(("sh", "-c", 'printf "%s" "$WEBUI_ADMIN_PASSWORD"'), 1).replace(
        "/var/run/secrets/sovereign/", f"{tmp_path}/"
    )
    runs = [
        subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60) for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    assert len(runs[0].stdout) >= 48 and runs[0].stdout != runs[1].stdout


def test_code_plugins_and_admin_access_to_chats_are_off(public) -> None:
    """Defaults in 0.12.4 (config.py / env.py): ENABLE_CODE_EXECUTION, ENABLE_CODE_INTERPRETER, ENABLE_PLUGINS,
    ENABLE_ADMIN_CHAT_ACCESS, ENABLE_ADMIN_EXPORT and USER_PERMISSIONS_FEATURES_CODE_INTERPRETER are all True."""
    variables = env(container(public.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    off = (
        "ENABLE_PLUGINS", "ENABLE_CODE_EXECUTION", "ENABLE_CODE_INTERPRETER", "ENABLE_ADMIN_CHAT_ACCESS",
        "ENABLE_ADMIN_EXPORT", "ENABLE_DIRECT_CONNECTIONS", "USER_PERMISSIONS_FEATURES_CODE_INTERPRETER",
        "USER_PERMISSIONS_FEATURES_DIRECT_TOOL_SERVERS", "USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS",
    )  # fmt: skip
    assert {k: variables[k] for k in off} == dict.fromkeys(off, "False")


def test_browsers_stay_on_the_assistants_own_origin(public) -> None:
    """config.py: CORS_ALLOW_ORIGIN defaults to '*'; utils/security_headers.py sends CONTENT_SECURITY_POLICY,
    HSTS, XFRAME_OPTIONS... on every response. No CDN (the pyodide worker falls back to cdn.jsdelivr.net)."""
    variables = env(container(public.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    assert variables["CORS_ALLOW_ORIGIN"] == "https://assistent.de.gov.example"
    policy = dict(d.split(" ", 1) for d in variables["CONTENT_SECURITY_POLICY"].split("; "))
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self' wss://assistent.de.gov.example"
    sources = " ".join(policy.values()).split()
    assert [s for s in sources if "." in s and s != "wss://assistent.de.gov.example"] == [], sources
    assert "'unsafe-eval'" not in sources
    assert variables["HSTS"] == "max-age=31536000;includeSubDomains" and variables["XFRAME_OPTIONS"] == "DENY"


def test_secrets_are_pulumi_secrets_mounted_as_files(public) -> None:
    secret = public.one("kubernetes:core/v1:Secret", "de-chat-credentials")
    assert secret.get("stringData") == "[secret]" and "stringData" in secret.secret_paths, secret.urn
    deployment = public.one(DEPLOYMENT, "de-chat-deployment")
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    assert volumes["credentials"]["secret"] == {"secretName": "chat-credentials", "defaultMode": 288.0}
    mounts = {m["name"]: m for m in container(deployment, "open-webui")["volumeMounts"]}
    assert mounts["credentials"] == {
        "name": "credentials", "mountPath": "/var/run/secrets/sovereign", "readOnly": True
    }  # fmt: skip
    launcher = container(deployment, "open-webui")["command"][2]
    assert 'OAUTH_CLIENT_SECRET="$(cat /var/run/secrets/sovereign/oidc-client-secret)"' in launcher
    assert launcher.rstrip().endswith("--workers 1"), launcher


def test_no_secret_value_appears_in_any_recorded_input(public) -> None:
    dumped = json.dumps([r.inputs for r in public.registrations])
    assert CLIENT_SECRET not in dumped and SESSION_SECRET not in dumped


def test_data_lives_on_a_protected_claim_of_the_encrypted_class(public) -> None:
    claim = public.one("kubernetes:core/v1:PersistentVolumeClaim", "de-chat-data")
    assert claim.get("spec") == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "sovereign-encrypted",
        "resources": {"requests": {"storage": "20Gi"}},
    }, claim.urn
    assert claim.protect is True, claim.urn
    deployment = public.one(DEPLOYMENT, "de-chat-deployment")
    assert env(container(deployment, "open-webui"))["DATA_DIR"] == "/var/lib/open-webui"
    assert deployment.get("spec.replicas") == 1.0 and deployment.get("spec.strategy.type") == "Recreate"


def test_claim_unprotected_outside_production() -> None:
    recording = record(lambda: ChatFrontend("staging-chat", chat_args(protect_stateful=False)))
    claim = recording.one("kubernetes:core/v1:PersistentVolumeClaim", "staging-chat-data")
    assert claim.protect is False, claim.urn


def test_front_end_is_hardened_and_probed(public) -> None:
    deployment = public.one(DEPLOYMENT, "de-chat-deployment")
    assert_hardened(deployment)
    server = container(deployment, "open-webui")
    assert server["image"].startswith(f"{REGISTRY}/"), deployment.urn
    # main.py: /ready is 503 until app.state.startup_complete and while the database does not answer; /health
    # is always {'status': True}.
    for probe, path in (
        ("startupProbe", "/ready"),
        ("readinessProbe", "/ready"),
        ("livenessProbe", "/health"),
    ):
        assert server[probe]["httpGet"] == {"path": path, "port": "http"}, f"{deployment.urn}: {probe}"


def test_flows_admit_the_ingress_controller_and_reach_inference_and_the_idp(public) -> None:
    policy = public.one(NETWORK_POLICY, "de-chat-allowed-flows")
    selector = {"app.kubernetes.io/name": "open-webui", "app.kubernetes.io/instance": "chat"}
    namespace = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "assistant"}}}

    def inference(instance: str) -> dict[str, object]:
        pods = {"matchLabels": {"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": instance}}
        return {"to": [{**namespace, "podSelector": pods}], "ports": [{"protocol": "TCP", "port": 8000.0}]}

    assert policy.get("spec") == {
        "podSelector": {"matchLabels": selector},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
                ],
                "ports": [{"protocol": "TCP", "port": 8080.0}],
            }
        ],
        "egress": [
            inference("assistant"),
            inference("eurollm"),
            {"to": [{"ipBlock": {"cidr": "198.51.100.0/24"}}], "ports": [{"protocol": "TCP", "port": 443.0}]},
        ],
    }, policy.urn


def test_public_exposure_is_tls_only(public) -> None:
    ingress = public.one(INGRESS, "de-chat-ingress")
    assert ingress.get("spec.tls") == [{"hosts": ["assistent.de.gov.example"], "secretName": "assistent-tls"}]
    assert ingress.get("spec.ingressClassName") == "nginx", ingress.urn
    assert ingress.get("spec.rules.0.host") == "assistent.de.gov.example", ingress.urn
    variables = env(container(public.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    assert variables["WEBUI_URL"] == "https://assistent.de.gov.example"
    assert variables["OPENID_REDIRECT_URI"] == "https://assistent.de.gov.example/oauth/oidc/login/callback"
    assert variables["WEBUI_SESSION_COOKIE_SECURE"] == "True"


def test_internal_exposure_is_an_ingress_on_the_internal_controller_at_its_real_url() -> None:
    recording = record(lambda: ChatFrontend("de-chat", chat_args(exposure=INTERNAL)))
    ingress = recording.one(INGRESS, "de-chat-ingress")
    assert ingress.get("spec.ingressClassName") == "nginx-internal", ingress.urn
    assert ingress.get("spec.rules.0.http.paths.0.backend.service.name") == "chat", ingress.urn
    variables = env(container(recording.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    assert (
        variables["WEBUI_URL"]
        == variables["CORS_ALLOW_ORIGIN"]
        == "https://assistant.internal.de.gov.example"
    )
    policy = recording.one(NETWORK_POLICY, "de-chat-allowed-flows")
    controller = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-internal"}}}
    assert policy.get("spec.ingress") == [
        {"from": [controller], "ports": [{"protocol": "TCP", "port": 8080.0}]}
    ]


def test_an_identity_provider_in_the_cluster_is_admitted_by_its_pods_and_ports() -> None:
    keycloak = PeerSelector("identity", {"app.kubernetes.io/name": "keycloak"})
    recording = record(
        lambda: ChatFrontend(
            "de-chat",
            chat_args(
                identity_provider_egress_cidrs=(),
                identity_provider_in_cluster=keycloak,
                identity_provider_ports=(8443,),
            ),
        )
    )
    policy = recording.one(NETWORK_POLICY, "de-chat-allowed-flows")
    assert policy.get("spec.egress")[-1] == {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "identity"}},
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "keycloak"}},
            }
        ],
        "ports": [{"protocol": "TCP", "port": 8443.0}],
    }, policy.urn


def test_internal_by_default_no_ingress_and_nobody_admitted(internal) -> None:
    assert internal.of_type(INGRESS) == []
    policy = internal.one(NETWORK_POLICY, "de-chat-allowed-flows")
    assert policy.get("spec.ingress", []) == [], policy.urn
    service = internal.one("kubernetes:core/v1:Service", "de-chat-service")
    assert service.get("spec.type") == "ClusterIP", service.urn
    variables = env(container(internal.one(DEPLOYMENT, "de-chat-deployment"), "open-webui"))
    assert variables["WEBUI_URL"] == "http://localhost:8080"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exposure": PublicExposure("a.gov.example", "nginx", "ingress-nginx", "", "Citizens need it online.")},
         "public exposure requires TLS"),
        ({"exposure": PublicExposure("a.gov.example", "nginx", "ingress-nginx", "a-tls", "because")},
         "public exposure requires a justification"),
        ({"exposure": InternalExposure(ingress_class_name="internal")}, "need a hostname"),
        ({"exposure": InternalExposure(hostname="assistant.internal.example")}, "needs ingress_class_name"),
        ({"oidc_issuer_url": "http://login.de.gov.example"}, "oidc_issuer_url must be an https URL"),
        ({"identity_provider_egress_cidrs": ("0.0.0.0/0",)}, "opens egress to"),
        ({"identity_provider_egress_cidrs": ()}, "the identity provider cannot be reached"),
        ({"admin_roles": ()}, "admin_roles must list at least one role"),
        ({"admin_roles": ("admins,everyone",)}, "without commas"),
        ({"roles_claim": "roles claim"}, "roles_claim must be a claim name"),
        ({"image": f"ghcr.io/open-webui/open-webui@sha256:{'cd' * 32}"}, "chat front end image must come from"),
        ({"inference": ()}, "at least one inference service"),
        ({"default_locale": "deutsch"}, "BCP-47"),
    ],
)  # fmt: skip
def test_refuses_unsafe_or_broken_args(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        chat_args(**changes)


def test_the_front_end_needs_the_model_servers_key_and_sends_it_to_each() -> None:
    # The servers answer 401 without it (vLLM 0.33.0 AuthenticationMiddleware); the launcher repeats it once per
    # base URL because Open WebUI 0.12.4 pairs OPENAI_API_KEYS with OPENAI_API_BASE_URLS by index.
    with pytest.raises(ValueError, match="model_api_key is required"):
        chat_args(model_api_key=None)
    recording = record(lambda: ChatFrontend("de-chat", chat_args(priority_class_name="sovereign-assistant")))
    deployment = recording.one(DEPLOYMENT, "de-chat-deployment")
    server = container(deployment, "open-webui")
    assert "@BASE_URL_COUNT@" not in server["command"][2] and "-lt 2 ]" in server["command"][2], (
        deployment.urn
    )
    assert "OPENAI_API_KEYS" not in env(server), "the key must reach the server as a file, never in the spec"
    assert deployment.inputs["spec"]["template"]["spec"]["priorityClassName"] == "sovereign-assistant"
