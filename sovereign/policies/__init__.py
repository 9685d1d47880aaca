"""Sovereignty policies: one set of rules, run by ``sovereign plan`` and by the Pulumi policy pack.

Rules are plain functions over :class:`ResourceView` s, so they run offline on recorded registrations and
inside ``pulumi preview --policy-pack policy`` alike. This package never constructs a ``PolicyPack`` (its
constructor starts a gRPC server): ``policy/__main__.py`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sovereign.contracts import MODEL_ANNOTATION
from sovereign.engine.recorder import Registration
from sovereign.policies.admission_rules import ADMISSION_RULES
from sovereign.policies.autoscaling_rules import AUTOSCALING_RULES
from sovereign.policies.azure_names import AZURE_NAME_RULES
from sovereign.policies.chat_rules import CHAT_RULES
from sovereign.policies.cloud_rules import CLOUD_RULES
from sovereign.policies.image_pull import IMAGE_PULL_RULES
from sovereign.policies.kubernetes_rules import KUBERNETES_RULES
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule, evaluate
from sovereign.policies.model_api import MODEL_API_RULES
from sovereign.policies.network_policy_engine import NETWORK_POLICY_ENGINE_RULES
from sovereign.policies.oci_access_rules import OCI_ACCESS_RULES
from sovereign.policies.oci_iam import OCI_IAM_RULES
from sovereign.policies.oci_names import OCI_NAME_RULES
from sovereign.policies.oci_platform_rules import OCI_PLATFORM_RULES
from sovereign.policies.scheduling import SCHEDULING_RULES
from sovereign.policies.stateful import RETAINED_TYPES, STATEFUL_TYPES

__all__ = [
    "ALL_RULES",
    "MODEL_ANNOTATION",
    "RETAINED_TYPES",
    "STATEFUL_TYPES",
    "Finding",
    "PolicyContext",
    "ResourceView",
    "Rule",
    "evaluate",
    "view_of_plan_resource",
    "view_of_policy_resource",
    "view_of_registration",
]

ALL_RULES: tuple[Rule, ...] = (
    *CLOUD_RULES,
    *AZURE_NAME_RULES,
    *KUBERNETES_RULES,
    *IMAGE_PULL_RULES,
    *ADMISSION_RULES,
    *SCHEDULING_RULES,
    *OCI_IAM_RULES,
    *OCI_PLATFORM_RULES,
    *OCI_NAME_RULES,
    *OCI_ACCESS_RULES,
    *NETWORK_POLICY_ENGINE_RULES,
    *CHAT_RULES,
    *MODEL_API_RULES,
    *AUTOSCALING_RULES,
)


def view_of_registration(r: Registration) -> ResourceView:
    return ResourceView(
        urn=r.urn,
        type=r.type,
        name=r.name,
        props=r.inputs,
        custom=r.custom,
        protect=r.protect,
        retain_on_delete=r.retain_on_delete,
        parent=r.parent,
        provider=r.provider,
        dependencies=r.dependencies,
    )


def view_of_plan_resource(r: Mapping[str, Any]) -> ResourceView:
    """Adapt a resource of a plan document (``sovereign plan --format json``) to the rules' view."""
    return ResourceView(
        urn=r["urn"],
        type=r["type"],
        name=r["name"],
        props=r["inputs"],
        custom=r["custom"],
        protect=r["protect"],
        retain_on_delete=r["retain_on_delete"],
        parent=r["parent"],
        provider=r["provider"],
        dependencies=tuple(r["dependencies"]),
    )


def view_of_policy_resource(resource: Any) -> ResourceView:
    """Adapt a ``pulumi_policy.PolicyResource`` (during a real preview) to the rules' view."""
    provider = getattr(resource, "provider", None)
    parent = getattr(resource, "parent", None)
    opts = getattr(resource, "opts", None)
    return ResourceView(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        props=dict(resource.props or {}),
        custom=not resource.resource_type.startswith("sovereign:"),  # components are the toolkit's own types
        protect=bool(getattr(opts, "protect", False)),
        retain_on_delete=None,
        parent=getattr(parent, "urn", None),
        provider=f"{provider.urn}::{getattr(provider, 'name', '')}" if provider is not None else None,
        dependencies=tuple(d.urn for d in getattr(resource, "dependencies", None) or ()),
    )
