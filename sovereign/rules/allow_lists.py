"""What an allow-list entry may say, written once: the config invariants and the components that write the entry
into a firewall rule or a NetworkPolicy ask these functions.

- A host-name entry is a host or ``*.<domain>``, never a wildcard over a public suffix: ``*.co.uk`` admits every
  company in the United Kingdom, ``*.blob.core.windows.net`` every Azure storage account in the world (the
  suffixes where strangers register names are exactly the Public Suffix List's entries, ICANN and private
  sections alike). The list is the one ``publicsuffixlist`` bundles (PyPI ``publicsuffixlist`` 1.1.2.20261023,
  its ``public_suffix_list.dat``, read offline; it never fetches). A name under a top-level domain the list does
  not know is judged by the list's default rule ``*``: its last label is a public suffix.
- An address-range entry is private-network sized: at most ``min_prefix`` wide and no whole private block, since
  a whole block (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) admits every host of the landing zone
  and 0.0.0.0/0 the Internet.
- A next hop that must be private is an RFC 1918 or RFC 6598 address: ``ipaddress``'s ``is_private`` also says
  yes to loopback, link-local and the documentation ranges, where no firewall answers.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from publicsuffixlist import PublicSuffixList

__all__ = [
    "PRIVATE_BLOCKS",
    "cidr_entry_problem",
    "fqdn_entry_problem",
    "private_next_hop_problem",
]

PRIVATE_BLOCKS = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
"""RFC 1918 private blocks and RFC 6598 shared address space (the landing zones' carrier-grade NAT range)."""


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the bundled list; no network access


def fqdn_entry_problem(fqdn: str) -> str | None:
    """Why a host-name allow-list entry admits too much, or None."""
    name = fqdn.strip().lower().rstrip(".")
    if name in ("", "*"):
        return f"{fqdn!r} admits every host"
    domain = name.removeprefix("*.")
    if "*" in domain:
        return f"{fqdn!r} has a wildcard inside the name (allowed: one leading '*.' only)"
    if _suffixes().is_public(domain):
        if name.startswith("*."):
            return (
                f"{fqdn!r} is a wildcard over the public suffix '{domain}' (Public Suffix List): it admits every "
                "name anyone registers under it"
            )
        return f"{fqdn!r} is a public suffix (Public Suffix List), not a host"
    return None


def cidr_entry_problem(cidr: str, *, min_prefix: int) -> str | None:
    """Why an address-range allow-list entry admits too much, or None."""
    net = ipaddress.ip_network(cidr, strict=False)
    if net.prefixlen == 0:
        return f"{cidr} is the whole address space"
    if net.prefixlen < min_prefix:
        return f"{cidr} admits {net.num_addresses} addresses (allowed: /{min_prefix} or narrower)"
    whole = next((b for b in PRIVATE_BLOCKS if b.version == net.version and b.subnet_of(net)), None)  # pyright: ignore[reportArgumentType]
    if whole is not None:
        return f"{cidr} holds the whole private block {whole}"
    return None


def private_next_hop_problem(address: str) -> str | None:
    """Why ``address`` is no private next hop (RFC 1918 / RFC 6598), or None."""
    ip = ipaddress.ip_address(address)
    if not any(ip.version == b.version and ip in b for b in PRIVATE_BLOCKS):
        kind = "public" if ip.is_global else "not in a private network range"
        return f"{address} is {kind} (allowed: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10)"
    return None
