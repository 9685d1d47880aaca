"""The cloud-neutral data paths (``sovereign.config.data_paths``): what the Kubernetes layer moves, on either cloud.

Listed by ``data_paths.neutral_sources()`` (as ``NEUTRAL_SOURCES``). What is listed, and what
keeps each in the country:

- Image and weight pulls of the assistant: each reference of the country file (the chat's image, each
  deployment's serving image and weights) with the registry host it names. A reference in the country's
  registry (``sovereign.config.derived.registry_prefix``: the registry of the primary region) lies in the
  primary; one elsewhere is placed where its host says (an OCIR host names its region) or, for a host that
  names no region (another ACR, a public registry), in no documented country. Invariant
  ``supply_chain_in_country`` refuses any reference outside the prefix; this list says where it would go.
- The platform's add-on charts and images (Prometheus; the GPU Operator and its driver on Azure GPU pools; KEDA
  and Calico on OKE): from ``<registry prefix>/helm`` and ``/mirror`` (``sovereign.catalogue.mirror``), the
  prefix checked by each component (``components.kubernetes.hardening.require_registry_prefix``).
- Sign-in: Open WebUI calls the issuer from the server (discovery, token, userinfo, keys: Open WebUI 0.12.4
  ``utils/oauth.py``, see ``components/kubernetes/chat.py``), and the provider keeps the citizens' accounts and
  sign-in records. Nothing in an issuer URL or an address range says which country that is, so the country file
  declares it (``assistant.chat.identity_provider_country``); a provider whose pods serve the issuer inside the
  cluster is in the cluster's country unless declared otherwise (the pods may be an ingress in front of a
  provider elsewhere: then declare where that is). Undeclared outside the cluster, or another country: refused.
- Chat interactions (accounts, conversations, prompts, uploads): Open WebUI's SQLite in ``DATA_DIR`` on a
  PersistentVolumeClaim of the encrypted storage class (``components/kubernetes/chat.py``, ``chat_pod.py``), with
  web search, telemetry, plugins, community sharing and the version check off and egress to the assistant and the
  identity provider only.
- Prompts and answers between the chat and vLLM: Services inside the cluster. vLLM "collects anonymous usage data
  by default" and sends it to its stats server unless ``VLLM_NO_USAGE_STATS`` or ``DO_NOT_TRACK`` is set (vLLM
  docs "Usage Stats Collection", docs.vllm.ai/en/latest/usage/usage_stats/; ``vllm/usage/usage_lib.py``): the
  pods set both and every hub lookup off (``components/kubernetes/inference_pod.py``), and the namespace's
  default-deny egress would drop the report anyway.
- Metrics: vLLM's and the GPUs' samples scraped by the in-cluster Prometheus into an ``emptyDir``, with
  ``server.remoteWrite`` and ``remoteRead`` empty (``components/kubernetes/monitoring.py``; rule
  ``scaled-object-metrics-planned`` refuses a remote write and a KEDA address outside the cluster).

Not listed here: the nodes' disks, the registry itself and the cloud's own services (each cloud's
``data_paths``), tenants' workloads (their namespaces are default-deny; what a tenant sends out is the tenant's).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from sovereign.catalogue import REGIONS, region_country
from sovereign.config.data_paths import DataPath, PathSource
from sovereign.config.derived import registry_prefix
from sovereign.config.errors import PathParts
from sovereign.config.schema import CountryConfig
from sovereign.types import Cloud

__all__ = ["NEUTRAL_SOURCES", "registry_location"]

_REGISTRY: PathParts = ("registry", "name")
_MIRROR_FIX = "mirror it into the country's registry and reference '{prefix}/...@sha256:...'"


def registry_location(config: CountryConfig, reference: str) -> tuple[str, str | None, str | None]:
    """(registry host, region, country) of an image reference: the primary for the country's registry; the OCI
    region an OCIR host names ('<key>.ocir.io', 'artifacts.<region>.oci.<domain>': ``oci_registry_host``);
    otherwise no region and no country (an ACR login server or a public registry names no region)."""
    host = reference.split("/", 1)[0]
    if reference.startswith(registry_prefix(config) + "/"):
        return host, config.regions.primary, region_country(config.cloud, config.regions.primary)
    oci = [r for r in REGIONS.values() if r.cloud == Cloud.OCI]
    if host.endswith(".ocir.io"):
        key = host.removesuffix(".ocir.io").upper()
        found = next((r for r in oci if r.key == key), None)
    else:
        parts = host.split(".")
        named = parts[1] if len(parts) > 3 and parts[0] == "artifacts" and parts[2] == "oci" else None
        found = next((r for r in oci if r.name == named), None)
    return (host, found.name, found.country) if found else (host, None, None)


def assistant_pulls(config: CountryConfig) -> Iterator[DataPath]:
    """Each image and weights reference of the assistant, where its registry lies."""
    if config.assistant is None:
        return
    refs: list[tuple[str, PathParts, str]] = [
        ("chat front end image (Open WebUI)", ("assistant", "chat", "image"), config.assistant.chat.image)
    ]
    for i, d in enumerate(config.assistant.deployments):
        path: PathParts = ("assistant", "deployments", i)
        refs += [
            (f"serving image (vLLM) of deployment '{d.name}'", (*path, "image"), d.image),
            (f"model weights of deployment '{d.name}' (modelcar image)", (*path, "weights"), d.weights),
        ]
    prefix = registry_prefix(config)
    for what, setting, ref in refs:
        host, region, country = registry_location(config, ref)
        yield DataPath(
            f"{what}, pulled by the nodes",
            f"registry {prefix if ref.startswith(prefix + '/') else host}",
            region,
            country,
            "invariant supply_chain_in_country (references under the country's registry, by digest); rule "
            "images-from-country-registry",
            setting,
            _MIRROR_FIX.format(prefix=prefix),
        )


def platform_pulls(config: CountryConfig) -> Iterator[DataPath]:
    """The charts and images of the add-ons the stack installs (stacks/assistant.py)."""
    if config.assistant is None:
        return
    addons = ["Prometheus"]
    if config.cloud == Cloud.AZURE and config.cluster.gpu_pools:
        addons.append("NVIDIA GPU Operator, its operands and driver container")
    if config.cloud == Cloud.OCI:
        addons += ["KEDA", "Calico"]
    prefix = registry_prefix(config)
    yield DataPath(
        f"charts and images of {', '.join(addons)}",
        f"registry {prefix} (helm/, mirror/)",
        config.regions.primary,
        region_country(config.cloud, config.regions.primary),
        "components.kubernetes.hardening.require_registry_prefix: each release's chart and every image override "
        "under the country's registry (sovereign.catalogue.mirror)",
        _REGISTRY,
        "keep the country's registry in an in-country primary region ('regions.primary')",
    )


def sign_in(config: CountryConfig) -> Iterator[DataPath]:
    """The identity provider the chat signs citizens in with."""
    if config.assistant is None:
        return
    chat = config.assistant.chat
    host = urlsplit(chat.oidc_issuer_url).hostname or chat.oidc_issuer_url
    in_cluster = chat.identity_provider_in_cluster
    declared = chat.identity_provider_country
    if in_cluster is not None and not chat.identity_provider_cidrs:
        where = f"identity provider {host}, served by pods in namespace '{in_cluster.namespace}'"
        region: str | None = config.regions.primary
        control = (
            "identity_provider_in_cluster: the chat's egress admits only those pods (rule idp-egress-allowed); "
            "they run on the cluster in regions.primary"
            + (", and identity_provider_country declares the provider's country" if declared else "")
        )
        country = declared or region_country(config.cloud, region)
    else:
        ranges = ", ".join(chat.identity_provider_cidrs) or "no stated range"
        where = f"identity provider {host} at {ranges}"
        region = None
        control = (
            "the declared assistant.chat.identity_provider_country (address ranges name no country); the chat's "
            "egress admits only those ranges (rule idp-egress-allowed)"
        )
        country = declared
    yield DataPath(
        "citizens' sign-in (accounts, ID-token claims, sign-in records)",
        where,
        region,
        country,
        control,
        ("assistant", "chat", "identity_provider_country"),
        f"declare where the provider runs, 'assistant.chat.identity_provider_country: {config.country}' (no other "
        "country is accepted)"
        if declared is None
        else f"sign citizens in with an identity provider that runs in '{config.country}', and declare it",
    )


def in_cluster(config: CountryConfig) -> Iterator[DataPath]:
    """What stays inside the cluster: chat data, prompts and answers, metrics."""
    if config.assistant is None:
        return
    primary = config.regions.primary
    country = region_country(config.cloud, primary)
    cluster = (
        "created in regions.primary; its disks under the country's key (storage class sovereign-encrypted)"
    )
    keep = "choose an in-country primary region ('regions.primary')"
    yield DataPath(
        "chat interactions: accounts, conversations, prompts, uploads (Open WebUI's SQLite database)",
        "PersistentVolumeClaim of the chat front end, storage class sovereign-encrypted",
        primary,
        country,
        f"components/kubernetes/chat.py: {cluster}; web search, telemetry, community sharing and plugins off "
        "(chat_pod.py); the chat's egress admits only the assistant and the identity provider",
        ("regions", "primary"),
        keep,
    )
    yield DataPath(
        "prompts and answers between the chat and the model servers",
        "vLLM Services in the cluster",
        primary,
        country,
        "components/kubernetes/inference_pod.py: cluster-internal Service; VLLM_NO_USAGE_STATS and HF_HUB_OFFLINE "
        "set, so vLLM reports no usage and looks nothing up",
        ("regions", "primary"),
        keep,
    )
    yield DataPath(
        "model-server and GPU metrics (Prometheus samples)",
        "in-cluster Prometheus in namespace 'monitoring' (emptyDir, no remote write)",
        primary,
        country,
        "components/kubernetes/monitoring.py: server.remoteWrite and remoteRead empty; rule "
        "scaled-object-metrics-planned refuses a remote write and a metrics address outside the cluster",
        ("regions", "primary"),
        keep,
    )


NEUTRAL_SOURCES: list[PathSource] = [assistant_pulls, platform_pulls, sign_in, in_cluster]
"""The cloud-neutral sources, in report order."""
