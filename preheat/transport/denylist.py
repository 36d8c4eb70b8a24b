"""What PREHEAT_ENDPOINT_DENYLIST forbids: CIDRs and named groups, in every address spelling.

An IPv6 address that carries an IPv4 one (mapped, compatible, NAT64, 6to4,
Teredo) is judged as that IPv4 address too, so [64:ff9b::169.254.169.254]
is as denied as 169.254.169.254.
"""
from __future__ import annotations

import ipaddress

# Named groups PREHEAT_ENDPOINT_DENYLIST accepts besides CIDRs, and why each is denied.
GROUPS = {
    "link-local": (("169.254.0.0/16", "fe80::/10"),
                   "link-local addresses are where cloud metadata services live"),
    "metadata": (("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32"),
                 "cloud metadata services answer there"),
    # 0.0.0.0 and :: reach this host too, as does any of 127/8.
    "loopback": (("127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128"),
                 "loopback addresses are this server itself"),
    "private": (("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                 "fc00::/7"), "private networks are denied here"),
}
DEFAULT_DENYLIST = ("link-local", "metadata")


class Denylist(tuple):
    """The denied networks, and for each the reason a sysadmin is given."""

    def __new__(cls, entries):
        entries = list(entries)
        self = super().__new__(cls, (network for network, _ in entries))
        self.reasons = {}
        for network, why in entries:
            self.reasons.setdefault(network, why)
        return self


def parse_denylist(value) -> Denylist:
    """Named groups and CIDRs, from a list or a comma-separated string."""
    if value is None:
        value = DEFAULT_DENYLIST
    if isinstance(value, str):
        value = [part for part in value.replace(" ", ",").split(",") if part]
    entries = []
    for item in value:
        name = str(item).strip().lower().replace("_", "-")
        if name in GROUPS:
            cidrs, why = GROUPS[name]
            entries += [(ipaddress.ip_network(cidr), why) for cidr in cidrs]
            continue
        try:
            entries.append((ipaddress.ip_network(str(item).strip(), strict=False), None))
        except ValueError:
            raise ValueError(f"PREHEAT_ENDPOINT_DENYLIST: {item!r} is neither a CIDR nor one of"
                             f" the groups {', '.join(GROUPS)}.") from None
    return Denylist(entries)


NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list:
    """Every IPv4 address an IPv6 address may carry to the IPv4 network.

    An address the kernel or a translator can turn into an IPv4 one must be
    judged as that IPv4 address too, or [64:ff9b::169.254.169.254] walks past
    a denied 169.254.0.0/16.
    """
    value = int(ip)
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip in IPV4_COMPATIBLE or ip in IPV4_TRANSLATED or ip in NAT64_WELL_KNOWN:
        found.append(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    if ip in NAT64_LOCAL:  # RFC 8215: any RFC 6052 prefix length from /48 up
        found += [_rfc6052_ipv4(value, length) for length in (96, 48, 56, 64)]
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.append(ip.teredo[1])  # the client's own address
    return found


def _rfc6052_ipv4(value: int, prefix_length: int) -> ipaddress.IPv4Address:
    """The IPv4 address behind an RFC 6052 prefix of `prefix_length` bits."""
    if prefix_length == 96:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    # Bits 64-71 (the "u" octet) are always zero and never carry address bits.
    squeezed = ((value >> 64) << 56) | (value & ((1 << 56) - 1))
    return ipaddress.IPv4Address((squeezed >> (120 - prefix_length - 32)) & 0xFFFFFFFF)


def denied_match(address: str, denylist):
    """(network, address judged) of the denylist entry that `address` falls in, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates = [ip] + (embedded_ipv4(ip) if ip.version == 6 else [])
    for candidate in candidates:  # the address itself first, then what it carries
        for network in denylist:
            if candidate.version == network.version and candidate in network:
                return network, candidate
    return None


def blocked_by(address: str, denylist) -> str | None:
    """The denylist network that contains `address` (or an IPv4 address it embeds), if any."""
    match = denied_match(address, denylist)
    return str(match[0]) if match else None


def blocked_reason(host: str, address: str, denylist) -> str:
    """The sentence for a host whose address the denylist forbids."""
    network, judged = denied_match(address, denylist)
    shown = address.split("%", 1)[0]
    carried = f" (which carries {judged})" if str(judged) != shown else ""
    why = getattr(denylist, "reasons", {}).get(network)
    return (f"Blocked: {host} resolves to {shown}{carried}, in the range {network} that"
            f" PREHEAT_ENDPOINT_DENYLIST forbids" + (f" ({why})." if why else "."))
