"""The model API is not open (REAL_PLATFORM_FINDINGS K15): no tenant pod reaches vLLM, and vLLM wants a key.

- ``model-api-closed``: every Deployment serving a model (pod-template annotation ``sovereign.ai/model-id``)
  runs its server with ``VLLM_API_KEY`` read from a mounted Secret file by the shell that execs it (never a
  value or a secretKeyRef in the pod spec, never ``--api-key`` on the command line), and every NetworkPolicy
  selecting its pods admits only the chat front end's pods (an Open WebUI Deployment of the plan, by namespace
  and labels) and the metrics scraper (pods of a namespace
  whose ``sovereign.ai/purpose`` is ``monitoring``). Anything else is refused, a tenant namespace by name:
  tenants calling ``/v1/completions`` directly bypass the national prompt the front end applies and can keep
  every GPU busy; they get the model through the tenant API gateway only. A peer without a namespace name
  (all namespaces, a label selector over namespaces, an ipBlock, an empty ``from``) admits more than those.

- ``secrets-as-files``: no container of a planned workload takes a Secret through its environment (``env``
  secretKeyRef or ``envFrom`` secretRef): the plan's own form of checkov's CKV_K8S_35, so ``sovereign plan``
  refuses it too, not only the verification tests. vLLM 0.33.0 reads its key only from ``VLLM_API_KEY`` or
  ``--api-key`` (``vllm/envs.py``), so its pod mounts the Secret and a shell exports the file's content.

The key alone does not close the server: vLLM 0.33.0 checks it only on paths starting with ``/v1``, ``/v2``,
``/inference`` and ``/cohere`` (``vllm/entrypoints/serve/middleware/authenticate.py`` GUARDED_PREFIX), and
``vllm/entrypoints/common/cli_args.py`` (``api_key``) warns that ``/invocations`` "exposes the same inference
capabilities as /v1" unauthenticated; hence both halves. About what the platform does with what it accepts
(who may use the model), not where data lives: ``sovereignty=False``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sovereign.contracts import MODEL_ANNOTATION
from sovereign.policies.kubernetes_rules import is_workload, pod_spec
from sovereign.policies.model import Finding, PolicyContext, ResourceView, Rule

__all__ = ["MODEL_API_RULES"]

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"
API_KEY_ENV = "VLLM_API_KEY"
_NAME_LABEL = "kubernetes.io/metadata.name"
_PURPOSE_LABEL = "sovereign.ai/purpose"
_APP_LABEL = "app.kubernetes.io/name"


def _where(r: ResourceView) -> str:
    return f"{r.get('metadata.namespace') or '?'}/{r.get('metadata.name') or r.name}"


def _pod_labels(r: ResourceView) -> dict[str, Any]:
    return dict(r.get("spec.template.metadata.labels") or {})


def _server(r: ResourceView) -> Mapping[str, Any] | None:
    """The model server container: the pod's default container, else its first."""
    containers = [c for c in r.get("spec.template.spec.containers") or [] if isinstance(c, dict)]
    default = (r.get("spec.template.metadata.annotations") or {}).get(
        "kubectl.kubernetes.io/default-container"
    )
    return next((c for c in containers if c.get("name") == default), containers[0] if containers else None)


def _key_problem(server: Mapping[str, Any], volumes: list[Mapping[str, Any]]) -> str | None:
    words = [str(w) for w in [*(server.get("command") or []), *(server.get("args") or [])]]
    if any(w == "--api-key" or w.startswith("--api-key=") for w in words):
        return "passes --api-key on the command line (visible in the pod spec and the process list)"
    if any(isinstance(e, dict) and e.get("name") == API_KEY_ENV for e in server.get("env") or []):
        return f"sets {API_KEY_ENV} in the pod spec (a literal or a secretKeyRef; the key belongs in a file)"
    script = next((w for w in words if f'{API_KEY_ENV}="$(cat ' in w), None)
    if script is None:
        return f"never sets {API_KEY_ENV} from a key file: vLLM then answers /v1 for anyone who reaches it"
    path = script.split("$(cat ", 1)[1].split(")", 1)[0]
    secrets = {
        str(v.get("name"))
        for v in volumes
        if isinstance(v, dict) and (v.get("secret") or {}).get("secretName")
    }
    mounted = [
        m
        for m in server.get("volumeMounts") or []
        if isinstance(m, dict)
        and m.get("name") in secrets
        and path.startswith(str(m.get("mountPath", "")) + "/")
    ]
    if not mounted:
        return f"reads its key from {path}, which is no mounted Secret"
    return None


def _selects(selector: Mapping[str, Any] | None, labels: Mapping[str, Any]) -> bool:
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def _peer_problem(
    peer: Mapping[str, Any],
    own_namespace: Any,
    chats: list[tuple[Any, dict[str, Any]]],
    purposes: Mapping[Any, Any],
) -> str | None:
    """Why this peer admits more than the front end or the scraper (None: it does not)."""
    if peer.get("ipBlock"):
        return f"admits addresses {peer['ipBlock'].get('cidr')}"
    namespace_selector = peer.get("namespaceSelector")
    if namespace_selector is None:
        namespace = own_namespace
    else:
        labels = namespace_selector.get("matchLabels") or {}
        if namespace_selector.get("matchExpressions") or set(labels) != {_NAME_LABEL}:
            return f"admits namespaces by {namespace_selector or 'an empty selector (all namespaces)'}"
        namespace = labels[_NAME_LABEL]
    pods = (peer.get("podSelector") or {}).get("matchLabels") or {}
    if (peer.get("podSelector") or {}).get("matchExpressions"):
        return f"admits pods of '{namespace}' by expressions"
    if purposes.get(namespace) == "tenant" or str(namespace).startswith("tenant-"):
        return f"admits the tenant namespace '{namespace}': tenants reach the model through the tenant gateway only"
    if purposes.get(namespace) == "monitoring" and pods:
        return None
    if _APP_LABEL in pods and any(ns == namespace and _selects(pods, labels) for ns, labels in chats):
        return None
    return f"admits {f'pods {pods}' if pods else 'every pod'} of '{namespace}', not the chat front end's"


def _model_api_closed(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    servers = [
        r
        for r in resources
        if r.type == DEPLOYMENT and MODEL_ANNOTATION in (r.get("spec.template.metadata.annotations") or {})
    ]
    chats = [
        (r.get("metadata.namespace"), _pod_labels(r))
        for r in resources
        if r.type == DEPLOYMENT
        and any(
            isinstance(e, dict) and e.get("name") == "OPENAI_API_BASE_URLS"
            for c in r.get("spec.template.spec.containers") or []
            if isinstance(c, dict)
            for e in c.get("env") or []
        )
    ]
    purposes = {
        r.get("metadata.name"): (r.get("metadata.labels") or {}).get(_PURPOSE_LABEL)
        for r in resources
        if r.type == NAMESPACE
    }
    policies = [r for r in resources if r.type == NETWORK_POLICY]
    for deployment in servers:
        server = _server(deployment)
        volumes = list(deployment.get("spec.template.spec.volumes") or [])
        problem = _key_problem(server, volumes) if server is not None else "has no container"
        if problem:
            yield Finding(
                f"model server {_where(deployment)}: its server container {problem}", deployment.urn
            )
        namespace, labels = deployment.get("metadata.namespace"), _pod_labels(deployment)
        for policy in policies:
            selector = (policy.get("spec.podSelector") or {}).get("matchLabels") or {}
            if policy.get("metadata.namespace") != namespace or not _selects(selector, labels):
                continue
            if (policy.get("spec.podSelector") or {}).get("matchExpressions"):
                continue  # an expression selector is beyond this check; the toolkit writes none
            for index, rule in enumerate(policy.get("spec.ingress") or []):
                peers = rule.get("from") or []
                reasons = [p for p in (_peer_problem(x, namespace, chats, purposes) for x in peers) if p]
                if not peers:
                    reasons = ["has no 'from': it admits every pod and address"]
                for reason in reasons:
                    yield Finding(
                        f"NetworkPolicy {_where(policy)} ingress[{index}] {reason}; the model server "
                        f"{_where(deployment)} may admit only the chat front end and the metrics scraper",
                        policy.urn,
                    )


def _secrets_as_files(ctx: PolicyContext, resources: list[ResourceView]) -> Iterator[Finding]:
    for workload in resources:
        spec = pod_spec(workload) or {}
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            if not isinstance(c, dict):
                continue
            for e in c.get("env") or []:
                ref = isinstance(e, dict) and (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    yield Finding(
                        f"{_where(workload)} container '{c.get('name')}' reads Secret '{ref.get('name')}' into "
                        f"{e.get('name')}: mount it as a file instead",
                        workload.urn,
                    )
            if any(isinstance(f, dict) and f.get("secretRef") for f in c.get("envFrom") or []):
                yield Finding(
                    f"{_where(workload)} container '{c.get('name')}' loads a Secret with envFrom: mount it as a file",
                    workload.urn,
                )


MODEL_API_RULES: tuple[Rule, ...] = (
    Rule(
        "model-api-closed",
        "The model servers take their API key from a mounted Secret file (VLLM_API_KEY) and their NetworkPolicies "
        "admit only the chat front end's pods and the monitoring namespace's scraper, never a tenant namespace.",
        _model_api_closed,
        lambda r: r.type in (DEPLOYMENT, NETWORK_POLICY, NAMESPACE),
        sovereignty=False,
        reads=(
            "type",
            "inputs.metadata.*",
            "inputs.spec.podSelector*",
            "inputs.spec.ingress*",
            "inputs.spec.template.metadata.*",
            "inputs.spec.template.spec.containers.name",
            "inputs.spec.template.spec.containers.command",
            "inputs.spec.template.spec.containers.args",
            "inputs.spec.template.spec.containers.env*",
            "inputs.spec.template.spec.containers.volumeMounts*",
            "inputs.spec.template.spec.volumes*",
        ),
    ),
    Rule(
        "secrets-as-files",
        "No container takes a Secret through its environment (env secretKeyRef or envFrom): Secrets are files.",
        _secrets_as_files,
        is_workload,
        sovereignty=False,
        reads=(
            "type",
            "inputs.metadata.*",
            "inputs.spec.template.metadata.*",
            "inputs.spec.template.spec.containers.*",
            "inputs.spec.template.spec.initContainers.*",
        ),
    ),
)
