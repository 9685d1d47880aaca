"""What AKS features need to reach outside the network, written once: the config invariant (Defender needs
egress), the stack (which writes these destinations into the egress firewall's policy) and the
``features-reach-their-service`` plan policy (which checks that the firewall lets them through) all read it.

Source: Microsoft Learn, "Outbound network and FQDN rules for AKS clusters"
(https://learn.microsoft.com/azure/aks/outbound-rules-control-egress; MicrosoftDocs/azure-aks-docs
articles/aks/outbound-rules-control-egress.md, commit fb060ab, 2026-08), sections "Microsoft Defender for
Containers required FQDN / application rules" and "Azure Policy required FQDN / application rules" (Azure public
cloud rows; every destination is HTTPS:443). They are listed there as Azure Firewall *application* rules, which
match host names, wildcards included. A network-isolated cluster (outbound type ``none``) reaches none of them:
"If you want to use any AKS feature or add-on that requires outbound network access in network isolated
clusters with outbound type ``none``, [this document] contains the outbound network requirements for each
feature" (articles/aks/concepts-network-isolated.md, "Using features, add-ons, and extensions requiring
egress").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AZURE_POLICY_DESTINATIONS",
    "DEFENDER_DESTINATIONS",
    "ServiceDestination",
    "fqdn_covers",
    "missing_destinations",
]


@dataclass(frozen=True)
class ServiceDestination:
    fqdn: str
    """Host name, or '*.domain' for its subdomains (as Azure Firewall application rules take it)."""
    port: int
    """HTTPS port."""
    use: str
    """What the feature does there (the documentation's 'Use' column)."""


DEFENDER_DESTINATIONS: tuple[ServiceDestination, ...] = (
    ServiceDestination(
        "login.microsoftonline.com", 443, "Microsoft Defender sensor: Microsoft Entra authentication"
    ),
    ServiceDestination(
        "*.ods.opinsights.azure.com", 443, "Microsoft Defender sensor: upload of security events"
    ),
    ServiceDestination(
        "*.oms.opinsights.azure.com", 443, "Microsoft Defender sensor: Log Analytics authentication"
    ),
    ServiceDestination(
        "*.cloud.defender.microsoft.com", 443, "Microsoft Defender sensor: upload of security events"
    ),
)
"""Microsoft Defender for Containers (``securityProfile.defender``), Azure public cloud."""

AZURE_POLICY_DESTINATIONS: tuple[ServiceDestination, ...] = (
    ServiceDestination(
        "data.policy.core.windows.net", 443, "Azure Policy add-on: policies and compliance reports"
    ),
    ServiceDestination("store.policy.core.windows.net", 443, "Azure Policy add-on: Gatekeeper artifacts"),
    ServiceDestination("dc.services.visualstudio.com", 443, "Azure Policy add-on: telemetry"),
)
"""The Azure Policy add-on (``addonProfiles.azurepolicy``), Azure public cloud. The toolkit does not enable the
add-on; the plan policy checks it all the same, so enabling it without these destinations fails the plan."""


def fqdn_covers(allowed: str, needed: str) -> bool:
    """Whether an allow-list entry lets ``needed`` through: the same name, or a wildcard over it
    ('*.opinsights.azure.com' covers '*.ods.opinsights.azure.com' and 'x.ods.opinsights.azure.com')."""
    allowed, needed = allowed.lower().rstrip("."), needed.lower().rstrip(".")
    if allowed == needed:
        return True
    if not allowed.startswith("*."):
        return False
    return needed.removeprefix("*.").endswith(allowed[1:])


def missing_destinations(
    needed: Iterable[ServiceDestination], allowed: Iterable[tuple[str, int]]
) -> list[ServiceDestination]:
    """The needed destinations that no allowed (fqdn, port) lets through."""
    allowed = list(allowed)
    return [d for d in needed if not any(port == d.port and fqdn_covers(f, d.fqdn) for f, port in allowed)]
