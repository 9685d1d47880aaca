"""A strict JSON schema of the KEDA ScaledObject fields, for the manifests kubernetes-validate has no schema for.

Written from the CRD KEDA ships, kedacore/charts ``keda/templates/crds/crd-scaledobjects.yaml``
``versions[v1alpha1].schema.openAPIV3Schema``, at v2.17.2 (the AKS add-on on Kubernetes 1.35) and v2.20.2 (the
OKE release); both declare the same property names used here: ``spec`` requires ``scaleTargetRef`` and
``triggers``; ``scaleTargetRef`` requires ``name``; each trigger requires ``type`` and ``metadata`` (a map of
strings); replica counts and periods are int32. The API server applies such a schema with strict field
validation (``kubectl apply --validate=strict``) as it does for built-in kinds, so unknown fields here are
errors too.
"""

from __future__ import annotations

from typing import Any

import jsonschema

__all__ = ["SCALED_OBJECT_SCHEMA", "validate_scaled_object"]

_INT32 = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_SCALING_RULES = _object(
    {
        "policies": {
            "type": "array",
            "items": _object(
                {"type": {"type": "string"}, "value": _INT32, "periodSeconds": _INT32},
                ("type", "value", "periodSeconds"),
            ),
        },
        "selectPolicy": {"type": "string"},
        "stabilizationWindowSeconds": _INT32,
        "tolerance": {"type": ["string", "number"]},
    }
)

SCALED_OBJECT_SCHEMA: dict[str, Any] = _object(
    {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "ScaledObject"},
        "metadata": {"type": "object", "required": ["name", "namespace"]},
        "spec": _object(
            {
                "scaleTargetRef": _object(
                    {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "name": {"type": "string", "minLength": 1},
                        "envSourceContainerName": {"type": "string"},
                    },
                    ("name",),
                ),
                "minReplicaCount": _INT32,
                "maxReplicaCount": _INT32,
                "idleReplicaCount": _INT32,
                "pollingInterval": _INT32,
                "cooldownPeriod": _INT32,
                "initialCooldownPeriod": _INT32,
                "fallback": _object(
                    {"failureThreshold": _INT32, "replicas": _INT32, "behavior": {"type": "string"}},
                    ("failureThreshold", "replicas"),
                ),
                "advanced": _object(
                    {
                        "horizontalPodAutoscalerConfig": _object(
                            {
                                "name": {"type": "string"},
                                "behavior": _object({"scaleDown": _SCALING_RULES, "scaleUp": _SCALING_RULES}),
                            }
                        ),
                        "restoreToOriginalReplicaCount": {"type": "boolean"},
                        "scalingModifiers": {"type": "object"},
                    }
                ),
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object(
                        {
                            "type": {"type": "string"},
                            "name": {"type": "string"},
                            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                            "metricType": {"enum": ["Value", "AverageValue", "Utilization"]},
                            "useCachedMetrics": {"type": "boolean"},
                            "authenticationRef": _object(
                                {"kind": {"type": "string"}, "name": {"type": "string"}}, ("name",)
                            ),
                        },
                        ("type", "metadata"),
                    ),
                },
            },
            ("scaleTargetRef", "triggers"),
        ),
    },
    ("apiVersion", "kind", "metadata", "spec"),
)


def validate_scaled_object(obj: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``obj`` is a ScaledObject KEDA 2.17 to 2.20 accepts."""
    jsonschema.validate(obj, SCALED_OBJECT_SCHEMA)
