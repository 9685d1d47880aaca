"""Names that cross layers: written once here, read by the components, the stacks, the policies and the tests.

Each of these is a contract between two parts that never import each other: the cloud components put the GPU
taint and label on GPU node pools and the inference pods tolerate and select exactly them; the inference
component annotates its pods with the model id and the ``approved-models`` policy reads that annotation; the
stack files are named ``Pulumi.<cc>-<env>.yaml`` and the policy pack finds the country from the stack name;
the stack program needs the secrets listed here in stack config. Change one here and every side follows.
Pure data: no Pulumi SDK, no resources.
"""

from __future__ import annotations

import re

__all__ = [
    "GPU_NODE_LABEL",
    "GPU_NODE_LABEL_KEY",
    "GPU_NODE_LABEL_VALUE",
    "GPU_RESOURCE",
    "GPU_TAINT",
    "INFERENCE_ROLLOUT_SURGE",
    "MODEL_ANNOTATION",
    "POOL_LABEL_KEY",
    "REQUIRED_SECRETS",
    "STACK_NAME",
    "parse_stack_name",
    "stack_name",
]

GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
"""Taint of every GPU node pool (both clouds): only pods that tolerate it, the inference servers, land there."""

GPU_NODE_LABEL_KEY = "sovereign.ai/gpu"
GPU_NODE_LABEL_VALUE = "true"
GPU_NODE_LABEL = f"{GPU_NODE_LABEL_KEY}={GPU_NODE_LABEL_VALUE}"
"""Label of every GPU node; the inference pods require it (node affinity)."""

POOL_LABEL_KEY = "sovereign.ai/pool"
"""Label naming the node pool a node belongs to (OKE sets it through the pool's initial labels)."""

GPU_RESOURCE = "nvidia.com/gpu"
"""The extended resource the NVIDIA device plugin advertises and the inference pods request."""

INFERENCE_ROLLOUT_SURGE = 1
"""``maxSurge`` of the inference Deployment (with ``maxUnavailable: 0``): a rollout starts one extra replica
before it stops an old one, so the GPU capacity the config validation requires counts it (``capacity_fits``)."""

MODEL_ANNOTATION = "sovereign.ai/model-id"
"""Pod-template annotation of every workload that serves a model: the risk register's model id."""

REQUIRED_SECRETS = ("chatOidcClientSecret", "chatSessionSecret", "assistantApiKey")
"""Stack config secrets the program needs when a country has an assistant (``pulumi config set --secret``);
``assistantApiKey`` is the bearer token the model servers require and the chat front end sends."""

STACK_NAME = re.compile(r"^(?P<country>[a-z]{2})-(?P<environment>[a-z]+)$")
"""A stack is one country-environment: ``<cc>-<env>``, such as ``de-prod``."""


def stack_name(country: str, environment: str) -> str:
    return f"{country}-{environment}"


def parse_stack_name(name: str) -> tuple[str, str]:
    """``de-prod`` -> ('de', 'prod'); a ValueError for anything else."""
    match = STACK_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"stack name {name!r} is not '<cc>-<env>' (for example 'de-prod')")
    return match["country"], match["environment"]
