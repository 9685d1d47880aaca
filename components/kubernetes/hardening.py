"""Hardening shared by every assistant workload: security contexts, scratch volumes, labels, sizing, and the
in-country registry check.

Pure helpers: they validate plain values and build typed pulumi-kubernetes argument objects; they create no
resources. Scope: what Pod Security Admission ``restricted`` and checkov's Kubernetes checks demand of a pod
(non-root with a high UID, no privilege escalation, every capability dropped, RuntimeDefault seccomp, a
read-only root filesystem with emptyDir for writable paths, requests equal to limits). Non-goals: admission
control itself (namespaces enforce PSA through their labels, see ``namespace.py``).
"""

import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from sovereign.types import parse_image_ref

__all__ = [
    "COUNTRY_LABEL",
    "ENVIRONMENT_LABEL",
    "PUBLIC_REGISTRIES",
    "RUN_AS_GID",
    "RUN_AS_UID",
    "container_security_context",
    "guaranteed_resources",
    "name_of",
    "pod_security_context",
    "require_dns_label",
    "require_in_registry",
    "require_positive",
    "require_registry_prefix",
    "scratch_volume",
    "selector_labels",
    "workload_labels",
]

RUN_AS_UID = 65532
"""UID of every container: not root, and >= 10000 so it never matches a host account (checkov CKV_K8S_40)."""
RUN_AS_GID = 65532
"""GID and fsGroup of every pod, so that mounted volumes are writable by :data:`RUN_AS_UID`."""

COUNTRY_LABEL = "sovereign.ai/country"
ENVIRONMENT_LABEL = "sovereign.ai/environment"
_PART_OF = "sovereign-assistant"

PUBLIC_REGISTRIES = frozenset(
    {
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "ghcr.io",
        "quay.io",
        "nvcr.io",
        "gcr.io",
        "registry.k8s.io",
        "public.ecr.aws",
        "mcr.microsoft.com",
        "huggingface.co",
    }
)
"""Registries outside any country's control: never acceptable as the country's registry prefix."""

_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_REGISTRY_PREFIX = re.compile(
    r"(?P<host>[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?)(?P<path>(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*)"
)


def require_dns_label(value: str, what: str) -> str:
    """A Kubernetes object or namespace name (RFC 1123 label), which NetworkPolicies also select on."""
    if not _DNS_LABEL.fullmatch(value):
        raise ValueError(
            f"{what} must be a DNS label (got {value!r}; allowed: lower-case letters, digits and '-', "
            "1 to 63 characters, starting and ending with a letter or digit): rename it, such as 'assistant'"
        )
    return value


def require_positive(value: int, what: str, *, maximum: int | None = None) -> int:
    if value < 1 or (maximum is not None and value > maximum):
        bound = f"1 to {maximum}" if maximum is not None else "1 or more"
        raise ValueError(f"{what} must be a whole number from {bound} (got {value!r})")
    return value


def require_registry_prefix(prefix: str) -> str:
    """The country's registry prefix: a host of its own (optionally with a path), never a public registry."""
    match = _REGISTRY_PREFIX.fullmatch(prefix)
    if match is None or "." not in match["host"]:
        raise ValueError(
            f"registry prefix must be a registry host with an optional path, without scheme, tag or trailing "
            f"'/' (got {prefix!r}; allowed: for example 'deregistry.azurecr.io' or 'fra.ocir.io/namespace')"
        )
    host = match["host"].split(":", 1)[0]
    if host in PUBLIC_REGISTRIES:
        raise ValueError(
            f"registry prefix {prefix!r} is a public registry outside the country's control "
            f"(refused: {', '.join(sorted(PUBLIC_REGISTRIES))}): mirror the images into the country's own"
        )
    return prefix


def require_in_registry(ref: str, registry_prefix: str, what: str) -> str:
    """An image or model artifact pinned by digest that lives under the country's registry prefix."""
    try:
        parse_image_ref(ref)
    except ValueError as exc:
        raise ValueError(f"{what} {exc} (got {ref!r})") from None
    if not ref.startswith(registry_prefix + "/"):
        raise ValueError(
            f"{what} must come from the country's registry (got {ref!r}; allowed: references starting with "
            f"'{registry_prefix}/'): copy the artifact into the in-country registry and pin it by digest"
        )
    return ref


def container_security_context() -> k8s.core.v1.SecurityContextArgs:
    """The container half of PSA ``restricted``, plus a read-only root filesystem and a high UID."""
    return k8s.core.v1.SecurityContextArgs(
        allow_privilege_escalation=False,
        privileged=False,
        read_only_root_filesystem=True,
        run_as_non_root=True,
        run_as_user=RUN_AS_UID,
        run_as_group=RUN_AS_GID,
        capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def pod_security_context() -> k8s.core.v1.PodSecurityContextArgs:
    return k8s.core.v1.PodSecurityContextArgs(
        run_as_non_root=True,
        run_as_user=RUN_AS_UID,
        run_as_group=RUN_AS_GID,
        fs_group=RUN_AS_GID,
        # Large model caches: only re-own files when the volume root is not already ours.
        fs_group_change_policy="OnRootMismatch",
        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def scratch_volume(name: str, size_mib: int, *, in_memory: bool = False) -> k8s.core.v1.VolumeArgs:
    """A size-limited emptyDir for a path the program must write, since the root filesystem is read-only."""
    return k8s.core.v1.VolumeArgs(
        name=name,
        empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(
            medium="Memory" if in_memory else None, size_limit=f"{size_mib}Mi"
        ),
    )


def guaranteed_resources(
    cpu_millicores: int, memory_mib: int, extra: Mapping[str, str] | None = None
) -> k8s.core.v1.ResourceRequirementsArgs:
    """Requests equal to limits (Guaranteed QoS): the node reserves what the pod may use, no overcommit."""
    amounts = {"cpu": f"{cpu_millicores}m", "memory": f"{memory_mib}Mi", **(extra or {})}
    return k8s.core.v1.ResourceRequirementsArgs(requests=dict(amounts), limits=dict(amounts))


def selector_labels(app: str, instance: str) -> dict[str, str]:
    """The immutable labels a Deployment selects on (changing them would replace the Deployment)."""
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": instance}


def workload_labels(app: str, instance: str, component: str, country_code: str) -> dict[str, str]:
    return {
        **selector_labels(app, instance),
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": _PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
        COUNTRY_LABEL: country_code,
    }


def name_of(resource: Any, fallback: str) -> pulumi.Output[str]:
    """``metadata.name`` of a Kubernetes object as an Output: referencing it (instead of repeating the plain
    name) makes the referrer wait for the object. The fallback only satisfies the type checker; every object
    here has an explicit name."""
    return resource.metadata.apply(lambda m: (m.name if m is not None else None) or fallback)
