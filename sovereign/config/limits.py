"""Numeric limits that the config validation and the components must agree on, each written once.

Imports nothing (no SDK, no pydantic), so a component guard, an invariant and a schema field can all use the
same constant. A limit that only one cloud has lives in ``sovereign.clouds.<cloud>.facts``.
"""

from __future__ import annotations

__all__ = [
    "MAX_REPLICAS",
    "MAX_ROTATION_DAYS",
    "MIN_AUDIT_RETENTION_DAYS",
    "MIN_EGRESS_PREFIX_LENGTH",
    "MIN_PLATFORM_KEY_JUSTIFICATION_CHARS",
    "MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS",
    "SYSTEM_POOL_NAME",
    "TENSOR_PARALLEL_SIZES",
]

MAX_ROTATION_DAYS = 365
"""Customer-managed keys rotate at least yearly (the schema's bound on key_custody.rotation_days)."""
MIN_AUDIT_RETENTION_DAYS = 365
"""Audit logs and audit-log stores are kept at least a year."""
MIN_PLATFORM_KEY_JUSTIFICATION_CHARS = 40
"""A written reason to encrypt the Azure log workspace with platform keys is at least this long (the
invariant and the Azure AuditLogging component's guard both use it)."""
MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS = 20
"""Why the chat front end is public, in at least this many non-blank characters."""
MIN_EGRESS_PREFIX_LENGTH = 16
"""Identity-provider egress ranges are /16 or narrower (the chat NetworkPolicy refuses broader ones)."""
TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
"""GPUs per model replica: vLLM's tensor parallel size must divide the attention heads."""
MAX_REPLICAS = 64
"""Most replicas of one model deployment (the inference component's bound)."""
SYSTEM_POOL_NAME = "system"
"""The stacks name the system node pool this; a GPU pool may not take the name."""
