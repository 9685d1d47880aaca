"""The localized national assistant on Kubernetes (AKS and OKE alike): typed pulumi-kubernetes resources only.

``AssistantPlatform`` composes everything for one country; the parts are usable on their own:
``RestrictedNamespace``, ``EncryptedStorageClass``, ``InferenceService``, ``ChatFrontend``, ``TenantNamespace``.
"""

from components.kubernetes.autoscaling import MetricsSource, QueueDepthScaling
from components.kubernetes.chat import AiNoticeSpec, ChatFrontend, ChatFrontendArgs, chat_client_selector
from components.kubernetes.chat_exposure import InternalExposure, PublicExposure
from components.kubernetes.inference import InferenceService, InferenceServiceArgs, inference_endpoint
from components.kubernetes.localization import Localization
from components.kubernetes.model_gate import ModelRecord, check_model_risk
from components.kubernetes.namespace import RestrictedNamespace, RestrictedNamespaceArgs
from components.kubernetes.netpol import PeerSelector, ServiceEndpoint
from components.kubernetes.platform import (
    AssistantPlatform,
    AssistantPlatformArgs,
    ChatSettings,
    ModelDeployment,
    TenantSpec,
)
from components.kubernetes.storage_class import (
    EncryptedStorageClass,
    EncryptedStorageClassArgs,
    StorageProvisioner,
)
from components.kubernetes.tenant import TenantNamespace, TenantNamespaceArgs

__all__ = [
    "AiNoticeSpec",
    "AssistantPlatform",
    "AssistantPlatformArgs",
    "ChatFrontend",
    "ChatFrontendArgs",
    "ChatSettings",
    "EncryptedStorageClass",
    "EncryptedStorageClassArgs",
    "InferenceService",
    "InferenceServiceArgs",
    "InternalExposure",
    "Localization",
    "MetricsSource",
    "ModelDeployment",
    "ModelRecord",
    "PeerSelector",
    "PublicExposure",
    "QueueDepthScaling",
    "RestrictedNamespace",
    "RestrictedNamespaceArgs",
    "ServiceEndpoint",
    "StorageProvisioner",
    "TenantNamespace",
    "TenantNamespaceArgs",
    "TenantSpec",
    "chat_client_selector",
    "check_model_risk",
    "inference_endpoint",
]
