"""Map the country's assistant, chat and tenants onto ``components.kubernetes.AssistantPlatform``."""

from __future__ import annotations

import datetime as dt

import pulumi

from sovereign.clouds import cloud_module
from sovereign.config.schema import CountryConfig, ModelRegister
from sovereign.types import Cloud, ConfidentialTier
from stacks.cloud_platform import Platform, protect_stateful, resource_prefix

__all__ = ["build_assistant"]


def build_assistant(
    config: CountryConfig,
    register: ModelRegister,
    platform: Platform,
    *,
    as_of: dt.date,
    stack_config: pulumi.Config,
) -> None:
    import pulumi_kubernetes as k8s

    from components.kubernetes import (
        AssistantPlatform,
        AssistantPlatformArgs,
        EncryptedStorageClassArgs,
        Localization,
        ModelDeployment,
        ModelRecord,
        StorageProvisioner,
        TenantSpec,
    )

    prefix = resource_prefix(config)
    provider = k8s.Provider(
        f"{prefix}-k8s",
        kubeconfig=platform.kubeconfig,
        # The cluster is private: a real run reaches it from inside the network (see README).
        enable_server_side_apply=True,
        opts=pulumi.ResourceOptions(depends_on=platform.cluster_ready),
    )
    if platform.break_glass_rbac_groups:
        from components.kubernetes.break_glass import BreakGlassClusterAdmin, BreakGlassClusterAdminArgs

        BreakGlassClusterAdmin(
            f"{prefix}-break-glass",
            BreakGlassClusterAdminArgs(groups=platform.break_glass_rbac_groups),
            opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
        )
    gpu_ready = _gpu_operator(config, platform, provider)
    policies_enforced = _network_policy_engine(config, platform, provider)
    metrics, keda_ready = _autoscaling(config, platform, provider, [*gpu_ready, *policies_enforced])
    deployments = []
    for d in config.assistant.deployments if config.assistant else []:
        record = register.find(d.model)
        if record is None:  # validated already; kept as a guard for callers that skipped validation
            raise pulumi.RunError(f"model '{d.model}' is not in the risk register")
        deployments.append(
            ModelDeployment(
                name=d.name,
                image=d.image,
                model=ModelRecord(
                    model_id=record.id,
                    tier=record.capability_tier,
                    assessed_on=record.assessment.assessed_on,
                    expires_on=record.assessment.expires_on,
                    approved_countries=tuple(record.approved_countries),
                    weights_ref=d.weights,
                    approved_weights_digest=record.weights_digest,
                    served_model_name=record.served_model_name,
                    chat_template=record.chat_template,
                    system_prompt_placement=record.system_prompt_placement,
                    reasoning_parser=record.reasoning_parser,
                ),
                localization=Localization(
                    languages=tuple(d.languages), default_locale=d.locale, system_prompt=d.system_prompt
                ),
                gpus_per_replica=d.gpus_per_replica,
                replicas_min=d.replicas_min,
                replicas_max=d.replicas_max,
                max_context_tokens=d.max_context_tokens,
                extra_server_args=tuple(d.server_args),
                waiting_requests_per_replica=d.autoscale_waiting_requests,
                kv_cache_usage_percent=d.autoscale_kv_cache_percent,
            )
        )
    facts = cloud_module(config.cloud, "facts")
    AssistantPlatform(
        f"{prefix}-assistant",
        AssistantPlatformArgs(
            country_code=config.country,
            environment=config.environment,
            registry_prefix=platform.registry_prefix,
            as_of=as_of,
            storage_class=EncryptedStorageClassArgs(
                storage_class_name="sovereign-encrypted",
                provisioner=StorageProvisioner(facts.STORAGE_PROVISIONER),
                encryption_key_id=platform.storage_class_key_id,
                oci_attachment_type="iscsi"
                if config.cloud == Cloud.OCI and facts.volume_attachment_type(config) == "iscsi"
                else "paravirtualized",
            ),
            deployments=tuple(deployments),
            # The bearer token of the model servers, sent by the front end (like the chat's secrets: stack
            # config, never a country file; the offline plan uses a placeholder, sovereign/plan/runner.py).
            api_key=stack_config.require_secret("assistantApiKey") if deployments else None,
            runs_on_confidential_gpu=config.cluster.confidential_tier == ConfidentialTier.CONFIDENTIAL_GPU,
            chat=_chat(config, stack_config),
            tenants=tuple(
                TenantSpec(
                    name=t.name,
                    group_name=facts.group_subject(t.group),
                    gpu_quota=t.gpu_quota,
                    cpu_cores=t.cpu_cores,
                    memory_gib=t.memory_gib,
                    storage_gib=t.storage_gib,
                    max_pods=t.max_pods,
                    ephemeral_storage_gib=t.ephemeral_storage_gib,
                )
                for t in config.tenants
            ),
            denied_storage_classes=facts.UNKEYED_STORAGE_CLASSES,
            protect_stateful=protect_stateful(config),
            metrics=metrics,
            scaled_object_depends_on=tuple(keda_ready),
        ),
        # The device plugin first: without it no node advertises nvidia.com/gpu and inference stays Pending; and
        # the policy engine, or the namespaces' NetworkPolicies would start out unenforced.
        opts=pulumi.ResourceOptions(
            providers={"kubernetes": provider}, depends_on=[*gpu_ready, *policies_enforced]
        ),
    )


AKS_GPU_RUNTIME = "nvidia-container-runtime"
"""The containerd runtime AKS configures on GPU nodes with its driver (Azure/AgentBaker ``pkg/agent/baker.go``,
containerd template, ``IsNSeriesSKU``: ``default_runtime_name = "nvidia-container-runtime"``)."""


def _gpu_operator(
    config: CountryConfig, platform: Platform, provider: pulumi.ProviderResource
) -> list[pulumi.Resource]:
    """The NVIDIA GPU Operator on clusters with GPU pools; returns what GPU workloads must wait for.

    Azure only for now: OKE ships the device plugin as its NvidiaGpuPlugin add-on (OCI is a separate issue).
    """
    if config.cloud != Cloud.AZURE or not config.cluster.gpu_pools:
        return []
    from components.azure.catalogue import CONFIDENTIAL_GPU_SKUS
    from components.azure.node_pool import SYSTEM_TAINT
    from components.kubernetes.gpu_operator import GpuDriverSource, GpuOperator, GpuOperatorArgs

    # Validation (confidential_gpus_can_get_their_driver) refuses mixed pools and a missing package mirror.
    by_operator = any(p.vm_size in CONFIDENTIAL_GPU_SKUS for p in config.cluster.gpu_pools)
    mirror = config.azure.gpu_driver_mirror
    operator = GpuOperator(
        f"{resource_prefix(config)}-gpu-operator",
        GpuOperatorArgs(
            registry_prefix=platform.registry_prefix,
            country_code=config.country,
            environment=config.environment,
            driver_source=GpuDriverSource.OPERATOR if by_operator else GpuDriverSource.NODE_IMAGE,
            node_runtime_class="nvidia" if by_operator else AKS_GPU_RUNTIME,
            # API Server VNet Integration: the API server is an internal load balancer in this subnet.
            api_server_cidrs=(str(config.network.subnets.api_server),),
            # The operator and NFD's controllers are cluster add-ons: they run on the system pool.
            controller_tolerations=(SYSTEM_TAINT,),
            protect_stateful=protect_stateful(config),
            driver_package_sources=tuple(mirror.apt_sources) if mirror else (),
            driver_package_cidrs=tuple(str(c) for c in mirror.cidrs) if mirror else (),
        ),
        opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
    )
    return [operator.release]


def _network_policy_engine(
    config: CountryConfig, platform: Platform, provider: pulumi.ProviderResource
) -> list[pulumi.Resource]:
    """Calico (policy only) on OKE, whose CNI enforces no NetworkPolicy; AKS enforces them itself
    (``networkProfile.networkPolicy``). Returns what workloads with NetworkPolicies wait for."""
    if config.cloud != Cloud.OCI:
        return []
    from components.kubernetes.calico import Calico, CalicoArgs

    calico = Calico(
        f"{resource_prefix(config)}-calico",
        CalicoArgs(registry_prefix=platform.registry_prefix),
        opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
    )
    return [calico.release]


DCGM_EXPORTER_PORT = 9400
"""The GPU Operator's DCGM exporter (NVIDIA/gpu-operator v26.7.0 ``assets/state-dcgm-exporter/0800_daemonset.yaml``:
``DCGM_EXPORTER_LISTEN=":9400"``, pods labelled ``app: nvidia-dcgm-exporter``)."""


def _autoscaling(
    config: CountryConfig,
    platform: Platform,
    provider: pulumi.ProviderResource,
    after: list[pulumi.Resource],
):
    """The in-cluster Prometheus the inference ScaledObjects query, and KEDA where the cloud has no add-on.

    Returns the metrics source and what ScaledObjects wait for. AKS: the managed KEDA add-on
    (``components/azure/cluster.py``), which runs in ``kube-system``; OKE: the KEDA release (``keda.py``).
    """
    from components.kubernetes import MetricsSource, PeerSelector
    from components.kubernetes.inference_pod import VLLM_PORT
    from components.kubernetes.keda import Keda, KedaArgs
    from components.kubernetes.monitoring import SERVER_POD_LABELS, Prometheus, PrometheusArgs, ScrapeTarget

    if config.assistant is None:
        return None, []
    api_server = (str(config.network.subnets.api_server),)
    targets = [ScrapeTarget("vllm", "assistant", {"app.kubernetes.io/name": "vllm"}, VLLM_PORT)]
    if config.cloud == Cloud.AZURE and config.cluster.gpu_pools:
        # The GPU Operator's namespace is default-deny: this component admits the scraper there.
        targets.append(
            ScrapeTarget(
                "dcgm-exporter", "gpu-operator", {"app": "nvidia-dcgm-exporter"}, DCGM_EXPORTER_PORT, True
            )
        )
    opts = pulumi.ResourceOptions(providers={"kubernetes": provider}, depends_on=after)
    keda_ready: list[pulumi.Resource] = []
    # The managed add-on's pods carry AKS's labels, not the chart's: admit its namespace, AKS-managed pods only.
    keda_operator = PeerSelector("kube-system")
    if config.cloud == Cloud.OCI:
        keda_args = KedaArgs(
            registry_prefix=platform.registry_prefix,
            country_code=config.country,
            environment=config.environment,
            api_server_cidrs=api_server,
            prometheus=PeerSelector("monitoring", SERVER_POD_LABELS),
            protect_stateful=protect_stateful(config),
        )
        keda_operator = keda_args.operator
        keda_ready.append(Keda(f"{resource_prefix(config)}-keda", keda_args, opts=opts).release)
    prometheus = Prometheus(
        f"{resource_prefix(config)}-prometheus",
        PrometheusArgs(
            registry_prefix=platform.registry_prefix,
            country_code=config.country,
            environment=config.environment,
            api_server_cidrs=api_server,
            targets=tuple(targets),
            query_clients=(keda_operator,),
            protect_stateful=protect_stateful(config),
        ),
        opts=opts,
    )
    return MetricsSource(prometheus.server_address, prometheus.scraper), keda_ready


def _chat(config: CountryConfig, stack_config: pulumi.Config):
    from components.kubernetes import AiNoticeSpec, ChatSettings, InternalExposure, PublicExposure
    from components.kubernetes.netpol import PeerSelector

    if config.assistant is None:
        return None
    chat = config.assistant.chat
    # Validation (chat_is_reachable) refuses a prod chat without exposure and both exposures at once.
    exposure: InternalExposure | PublicExposure = InternalExposure()
    if chat.public_exposure is not None:
        p = chat.public_exposure
        exposure = PublicExposure(
            hostname=p.hostname,
            ingress_class_name=p.ingress_class_name,
            ingress_controller_namespace=p.ingress_controller_namespace,
            tls_secret_name=p.tls_secret_name,
            justification=p.justification,
        )
    elif chat.internal_exposure is not None:
        i = chat.internal_exposure
        exposure = InternalExposure(
            hostname=i.hostname,
            ingress_class_name=i.ingress_class_name,
            ingress_controller_namespace=i.ingress_controller_namespace,
            tls_secret_name=i.tls_secret_name,
        )
    idp = chat.identity_provider_in_cluster
    return ChatSettings(
        image=chat.image,
        oidc_issuer_url=chat.oidc_issuer_url,
        oidc_client_id=chat.oidc_client_id,
        oidc_client_secret=stack_config.require_secret("chatOidcClientSecret"),
        session_secret=stack_config.require_secret("chatSessionSecret"),
        exposure=exposure,
        identity_provider_egress_cidrs=tuple(str(c) for c in chat.identity_provider_cidrs),
        identity_provider_in_cluster=PeerSelector(idp.namespace, dict(idp.pod_labels)) if idp else None,
        identity_provider_ports=tuple(idp.ports) if idp else (443,),
        roles_claim=chat.roles_claim,
        admin_roles=tuple(chat.admin_roles),
        display_name=f"{config.display_name} assistant",
        ai_notice=AiNoticeSpec(chat.ai_notice.notice_url, dict(chat.ai_notice.texts))
        if chat.ai_notice
        else None,
    )
