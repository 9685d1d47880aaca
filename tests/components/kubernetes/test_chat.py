"""ChatFrontend: localization and OIDC wiring, secrets as files, encrypted data, hardening, flows, exposure."""

import json

import pytest

from components.kubernetes import ChatFrontend, InternalExposure, PublicExposure
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
    assert variables["OFFLINE_MODE"] == "True" and variables["HF_HUB_OFFLINE"] == "1"
    assert variables["ENABLE_WEB_SEARCH"] == "False" and variables["ENABLE_COMMUNITY_SHARING"] == "False"
    assert variables["ANONYMIZED_TELEMETRY"] == "False" and variables["DO_NOT_TRACK"] == "True"


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
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert server[probe]["httpGet"] == {"path": "/health", "port": "http"}, f"{deployment.urn}: {probe}"


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
    assert variables["WEBUI_SESSION_COOKIE_SECURE"] == "True"


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
        ({"image": f"ghcr.io/open-webui/open-webui@sha256:{'cd' * 32}"}, "chat front end image must come from"),
        ({"inference": ()}, "at least one inference service"),
        ({"default_locale": "deutsch"}, "BCP-47"),
    ],
)  # fmt: skip
def test_refuses_unsafe_or_broken_args(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        chat_args(**changes)
