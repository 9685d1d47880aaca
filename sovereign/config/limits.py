"""Numeric limits that the config validation and the components must agree on, each written once.

Imports nothing (no SDK, no pydantic), so a component guard, an invariant and a schema field can all use the
same constant. A limit that only one cloud has lives in ``sovereign.clouds.<cloud>.facts``.
"""

from __future__ import annotations

__all__ = [
    "MAX_AUDIT_RETENTION_DAYS",
    "MAX_REPLICAS",
    "MAX_ROTATION_DAYS",
    "MIN_ALLOW_LIST_PREFIX_LENGTH",
    "MIN_AUDIT_RETENTION_DAYS",
    "MIN_EGRESS_JUSTIFICATION_CHARS",
    "MIN_EGRESS_PREFIX_LENGTH",
    "MIN_EXEMPTION_JUSTIFICATION_CHARS",
    "MIN_PLATFORM_KEY_JUSTIFICATION_CHARS",
    "MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS",
    "SYSTEM_POOL_NAME",
    "TENSOR_PARALLEL_SIZES",
]

MAX_ROTATION_DAYS = 365
"""Customer-managed keys rotate at least yearly (the schema's bound on key_custody.rotation_days)."""
MIN_AUDIT_RETENTION_DAYS = 365
"""Audit logs and audit-log stores are kept at least a year."""
MAX_AUDIT_RETENTION_DAYS = 3653
"""Audit logs and audit-log stores are kept at most ten years. Audit records name people (who signed in, who
changed what, from which address), and data protection law keeps personal data "no longer than is necessary for
the purposes" (GDPR Art. 5(1)(e), storage limitation): keeping them forever is a violation too. Ten years covers
the longest statutory record periods the shipped countries' files use (2555 days = 7 years) with room for e.g.
Germany's 10-year retention of accounting records (AO section 147, HGB section 257). It matters most because a
locked retention cannot be shortened on either cloud: Azure accepts "one day, and the maximum is 146,000 days"
and shortens only unlocked policies ("you can modify an unlocked policy by shortening or extending the retention
period", Microsoft Learn, "Time-based retention policies for immutable blob data",
learn.microsoft.com/azure/storage/blobs/immutable-time-based-retention-policy-overview); after an OCI rule is
locked "only increases in the duration are allowed" (Oracle, "Object Storage Data Retention Rules",
docs.oracle.com/iaas/Content/Object/Tasks/usingretentionrules.htm). A typo of 36500 would keep citizens' audit
records under WORM for a century, irreversibly."""
MIN_PLATFORM_KEY_JUSTIFICATION_CHARS = 40
"""A written reason to encrypt the Azure log workspace with platform keys is at least this long (the
invariant and the Azure AuditLogging component's guard both use it)."""
MIN_PUBLIC_EXPOSURE_JUSTIFICATION_CHARS = 20
"""Why the chat front end is public, in at least this many non-blank characters."""
MIN_EGRESS_PREFIX_LENGTH = 16
"""Identity-provider egress ranges are /16 or narrower (the chat NetworkPolicy refuses broader ones)."""
MIN_ALLOW_LIST_PREFIX_LENGTH = 16
"""Every other CIDR allow-list entry (OCI API clients, the GPU driver mirror) is /16 or narrower and no whole
private block (10/8, 172.16/12, 192.168/16, 100.64/10): a runner network or a mirror is a few subnets, and a
whole block admits every host of the landing zone (and 0.0.0.0/0 the Internet)."""
MIN_EGRESS_JUSTIFICATION_CHARS = 20
"""Why the cluster must reach an Azure egress destination, in at least this many characters (and words with
substance, ``sovereign.config.text``); the firewall rule's description keeps it for the reviewers."""
MIN_EXEMPTION_JUSTIFICATION_CHARS = 20
"""Why a confidential node pool runs without encryption at host (the Azure node pool component's guard)."""
TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
"""GPUs per model replica: vLLM's tensor parallel size must divide the attention heads."""
MAX_REPLICAS = 64
"""Most replicas of one model deployment (the inference component's bound)."""
SYSTEM_POOL_NAME = "system"
"""The stacks name the system node pool this; a GPU pool may not take the name."""
