"""The citizens' chat front end (Open WebUI), localized and logged in through the country's identity provider.

Creates a ServiceAccount (no token mounted), a Secret holding the OIDC client secret, the session key and the
model servers' API key (from stack config, as Pulumi secrets), a PersistentVolumeClaim on the encrypted
storage class (protected), one Deployment (image pinned by digest from the country's registry, hardened like
the inference pods), a ClusterIP Service, the NetworkPolicy of its flows (in: the ingress controller, if any;
out: the inference service and the identity provider), and an Ingress only when a hostname is given. Exposure
is internal by default; public exposure needs a hostname, TLS and a written justification. Sign-in needs the identity
provider reachable from the pod (Open WebUI 0.12.4 ``utils/oauth.py`` registers the provider with authlib's
``server_metadata_url`` and exchanges the code, reads userinfo and the keys server-side): its address ranges
(TCP 443) or its pods in the cluster; without either the args are refused. One replica: the database is
SQLite on a ReadWriteOnce volume (see ``chat_pod.py``). Non-goals: the ingress controller, DNS records and
certificates (the TLS secret must exist).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
from pydantic import TypeAdapter

from components.kubernetes.chat_exposure import (
    ChatExposure,
    InternalExposure,
    PublicExposure,
    check_exposure,
    controller_ingress_rules,
    exposure_url,
    ingress_spec,
)
from components.kubernetes.chat_pod import (
    CHAT_PORT,
    CLIENT_SECRET_KEY,
    MODEL_API_KEY_KEY,
    SESSION_SECRET_KEY,
    chat_pod_template,
)
from components.kubernetes.hardening import (
    name_of,
    require_dns_label,
    require_in_registry,
    require_positive,
    require_registry_prefix,
    selector_labels,
    workload_labels,
)
from components.kubernetes.netpol import (
    PeerSelector,
    ServiceEndpoint,
    egress_to_cidrs,
    peer,
    require_narrow_cidrs,
    tcp_ports,
)
from sovereign.types import Bcp47Tag

__all__ = [
    "AiNoticeSpec",
    "ChatFrontend",
    "ChatFrontendArgs",
    "InternalExposure",
    "PublicExposure",
    "chat_client_selector",
]

_APP = "open-webui"
_BCP47 = TypeAdapter(Bcp47Tag)
_HTTPS_URL = re.compile(r"https://[^\s/?#]+(/[^\s?#]*)?")
_CLAIM = re.compile(r"[A-Za-z0-9_:/.-]{1,128}")
_ROLE = re.compile(r"[^,\s]{1,128}")


def chat_client_selector(namespace: pulumi.Input[str], service_name: str = "chat") -> PeerSelector:
    """The pods of a front end, as the inference service's NetworkPolicy must admit them."""
    return PeerSelector(namespace, selector_labels(_APP, service_name))


@dataclass(frozen=True)
class AiNoticeSpec:
    """That citizens are talking to an AI system, per language, and the country's notice page."""

    notice_url: str
    texts: Mapping[str, str]
    """BCP-47 tag -> plain text; the link is appended."""


@dataclass(frozen=True)
class ChatFrontendArgs:
    namespace: pulumi.Input[str]
    """Namespace of the front end (a restricted namespace)."""
    country_code: str
    registry_prefix: str
    """The country's registry; the image must start with it."""
    image: str
    """Open WebUI image in the country's registry, pinned by digest."""
    inference: tuple[ServiceEndpoint, ...]
    """The inference services to offer (``InferenceService.endpoint`` of each); at least one."""
    default_model: str
    """Served model name offered first (the plain ``served_model_name`` of one of them)."""
    default_locale: str
    """BCP-47 tag of the UI language, such as 'de-DE'."""
    oidc_issuer_url: str
    """Issuer URL of the country's identity provider (https), without '/.well-known/...'."""
    oidc_client_id: str
    oidc_client_secret: pulumi.Input[str]
    """OIDC client secret, from stack config as a secret (``config.require_secret``)."""
    session_secret: pulumi.Input[str]
    """Key signing the front end's sessions (WEBUI_SECRET_KEY), from stack config as a secret."""
    storage_class_name: pulumi.Input[str]
    """Encrypted StorageClass of the data volume (chats, users)."""
    model_api_key: pulumi.Input[str] | None = None
    """The inference services' API key (``InferenceServiceArgs.api_key``), sent as the bearer token to each of
    them; required."""
    priority_class_name: str | None = None
    """PriorityClass of the pod (``sovereign-assistant`` in the platform); omitted: the cluster's default."""
    service_name: str = "chat"
    display_name: str = "Assistant"
    """Name shown to citizens (WEBUI_NAME)."""
    oidc_provider_name: str = "SSO"
    """Label of the login button."""
    identity_provider_egress_cidrs: tuple[str, ...] = ()
    """Address ranges of the identity provider reachable on TCP 443 (discovery, tokens, keys), when it is
    outside the cluster; this or ``identity_provider_in_cluster`` is required."""
    identity_provider_in_cluster: PeerSelector | None = None
    """The pods answering on the issuer's address when it is served in the cluster."""
    identity_provider_ports: tuple[int, ...] = (443,)
    """TCP ports of those pods (after the Service's targetPort)."""
    roles_claim: str = "roles"
    """Claim with the person's roles (dots for nested claims), read at every login."""
    admin_roles: tuple[str, ...] = ("assistant-admin",)
    """Roles in ``roles_claim`` that make an Open WebUI administrator; nobody else ever is one."""
    exposure: ChatExposure = field(default_factory=InternalExposure)
    """How users reach the front end; omitted: ClusterIP only."""
    data_volume_gib: int = 20
    cpu_millicores: int = 1000
    memory_gib: int = 4
    server_command: tuple[str, ...] = (
        "uvicorn", "open_webui.main:app", "--host", "0.0.0.0", "--port", str(CHAT_PORT),
        "--forwarded-allow-ips", "*", "--workers", "1",
    )  # fmt: skip
    """Server process the launcher execs after loading the secrets; the image's start.sh writes into its
    own directory, which a read-only root filesystem forbids."""
    protect_stateful: bool = True
    """Protect the data volume claim from ``pulumi destroy``; the stack sets False for non-production."""
    ai_notice: AiNoticeSpec | None = None
    """The banner telling every user they are talking to an AI system (``chat_pod.ai_notice_banners``);
    omitted: none (validation requires it in prod)."""

    def __post_init__(self) -> None:
        require_registry_prefix(self.registry_prefix)
        if self.ai_notice is not None:
            if not self.ai_notice.texts or not all(t.strip() for t in self.ai_notice.texts.values()):
                raise ValueError("ai_notice.texts: at least one, none blank")
            if not self.ai_notice.notice_url.startswith("https://"):
                raise ValueError(
                    f"ai_notice.notice_url: {self.ai_notice.notice_url!r} (allowed: an https URL)"
                )
        require_in_registry(self.image, self.registry_prefix, "chat front end image")
        require_dns_label(self.service_name, "service_name")
        if isinstance(self.namespace, str):
            require_dns_label(self.namespace, "namespace")
        if isinstance(self.storage_class_name, str):
            require_dns_label(self.storage_class_name, "storage_class_name")
        if not self.inference:
            raise ValueError("inference must list at least one inference service for the front end to use")
        if self.model_api_key is None:
            raise ValueError("model_api_key is required: the inference services answer 401 without their key")
        if self.priority_class_name is not None:
            require_dns_label(self.priority_class_name, "priority_class_name")
        _BCP47.validate_python(self.default_locale)
        if not _HTTPS_URL.fullmatch(self.oidc_issuer_url):
            raise ValueError(f"oidc_issuer_url must be an https URL (got {self.oidc_issuer_url!r})")
        if not self.oidc_client_id.strip():
            raise ValueError("oidc_client_id must not be empty")
        require_narrow_cidrs(self.identity_provider_egress_cidrs, "identity_provider_egress_cidrs")
        if not self.identity_provider_egress_cidrs and self.identity_provider_in_cluster is None:
            raise ValueError(
                "the identity provider cannot be reached: give identity_provider_egress_cidrs (its ranges, TCP "
                "443) or identity_provider_in_cluster (its pods); Open WebUI calls the issuer from the server"
            )
        for port in self.identity_provider_ports:
            require_positive(port, "identity_provider_ports", maximum=65535)
        if not _CLAIM.fullmatch(self.roles_claim):
            raise ValueError(f"roles_claim must be a claim name such as 'roles' (got {self.roles_claim!r})")
        if not self.admin_roles or not all(_ROLE.fullmatch(role) for role in self.admin_roles):
            raise ValueError(
                f"admin_roles must list at least one role without commas or spaces (got {self.admin_roles!r}): "
                "Open WebUI splits OAUTH_ADMIN_ROLES on ','"
            )
        check_exposure(self.exposure)
        require_positive(self.data_volume_gib, "data_volume_gib", maximum=16_384)
        require_positive(self.cpu_millicores, "cpu_millicores")
        require_positive(self.memory_gib, "memory_gib", maximum=1024)


def _required(value: pulumi.Input[str] | None) -> pulumi.Input[str]:
    if value is None:  # refused in ChatFrontendArgs.__post_init__ already
        raise ValueError("model_api_key is required")
    return value


class ChatFrontend(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    url: pulumi.Output[str]
    """What users open (https://hostname, or the port-forward URL without a hostname)."""
    data_claim_name: pulumi.Output[str]

    def __init__(self, name: str, args: ChatFrontendArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sovereign:kubernetes:ChatFrontend", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        selector = selector_labels(_APP, args.service_name)
        labels = workload_labels(_APP, args.service_name, "chat", args.country_code)

        def meta(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=args.namespace, labels=labels)

        account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=meta(args.service_name),
            automount_service_account_token=False,
            opts=child,
        )
        credentials = k8s.core.v1.Secret(
            f"{name}-credentials",
            metadata=meta(f"{args.service_name}-credentials"),
            type="Opaque",
            string_data={
                CLIENT_SECRET_KEY: pulumi.Output.secret(args.oidc_client_secret),
                SESSION_SECRET_KEY: pulumi.Output.secret(args.session_secret),
                MODEL_API_KEY_KEY: pulumi.Output.secret(_required(args.model_api_key)),
            },
            opts=child,
        )
        claim = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-data",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{args.service_name}-data",
                namespace=args.namespace,
                labels=labels,
                # WaitForFirstConsumer classes bind only once the pod exists: do not wait for binding.
                annotations={"pulumi.com/skipAwait": "true"},
            ),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteOnce"],
                storage_class_name=args.storage_class_name,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                    requests={"storage": f"{args.data_volume_gib}Gi"}
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
        )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=meta(args.service_name),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=selector,
                ports=[k8s.core.v1.ServicePortArgs(name="http", port=80, target_port="http", protocol="TCP")],
            ),
            opts=child,
        )
        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta(args.service_name),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                # One replica: the SQLite database (Open WebUI's default DATABASE_URL) lives on a ReadWriteOnce
                # volume; a second writer would need PostgreSQL, which this toolkit does not provision.
                replicas=1,
                strategy=k8s.apps.v1.DeploymentStrategyArgs(type="Recreate"),
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
                template=chat_pod_template(
                    args,
                    labels=labels,
                    openai_base_urls=[endpoint.url("/v1") for endpoint in args.inference],
                    secret_name=name_of(credentials, f"{args.service_name}-credentials"),
                    data_claim_name=name_of(claim, f"{args.service_name}-data"),
                    service_account_name=name_of(account, args.service_name),
                ),
            ),
            opts=child,
        )
        egress = [
            *(
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[peer(endpoint.as_peer())], ports=tcp_ports(endpoint.port)
                )
                for endpoint in args.inference
            ),
            *egress_to_cidrs(args.identity_provider_egress_cidrs, 443),
            *(
                [
                    k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                        to=[peer(args.identity_provider_in_cluster)],
                        ports=tcp_ports(*args.identity_provider_ports),
                    )
                ]
                if args.identity_provider_in_cluster is not None
                else []
            ),
        ]
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allowed-flows",
            metadata=meta(f"{args.service_name}-allowed-flows"),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
                policy_types=["Ingress", "Egress"],
                ingress=controller_ingress_rules(args.exposure, CHAT_PORT),
                egress=egress,
            ),
            opts=child,
        )
        if args.exposure.hostname is not None:
            k8s.networking.v1.Ingress(
                f"{name}-ingress",
                metadata=meta(args.service_name),
                spec=ingress_spec(args.exposure, name_of(service, args.service_name)),
                opts=child,
            )
        self.service_name = name_of(service, args.service_name)
        self.url = pulumi.Output.from_input(exposure_url(args.exposure, CHAT_PORT))
        self.data_claim_name = name_of(claim, f"{args.service_name}-data")
        self.register_outputs(
            {"service_name": self.service_name, "url": self.url, "data_claim_name": self.data_claim_name}
        )
