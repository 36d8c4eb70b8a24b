"""The endpoints the API takes, as one regular expression the document can publish.

`validation.normalize_endpoint` decides with code what a valid endpoint is;
this spells a subset of it as a pattern a client (or a fuzzer) can check
before sending: an http(s) URL whose host is an ASCII host name, an IPv4
address in any spelling inet_aton accepts (127.1, 0x7f.0.0.1, 2130706433),
or a bracketed IPv6 address, then an optional port and path. Host names
whose last label is numeric are left out: the server reads them as IPv4.
"""
from __future__ import annotations

from ..validation import HOST_MAX, PORT_MAX

_DIGITS = "0123456789abcdef"


def _digit(lo: int, hi: int, base: int) -> str:
    """A character class for the digits lo..hi of `base` (hex letters in either case)."""
    spans = [(lo, min(hi, 9))] if lo <= 9 else []
    if hi >= 10:
        spans += [(max(lo, 10), hi), (max(lo, 10) + 6, hi + 6)]  # "A" is 6 after "f" here
    chars = _DIGITS + "ABCDEF"
    text = "".join(chars[a] if a == b else f"{chars[a]}-{chars[b]}" for a, b in spans)
    return text if len(text) == 1 or (lo == hi and base != 16) else f"[{text}]"


def _positive_up_to(limit: int, base: int) -> str:
    """The numbers 1..limit in `base`, without leading zeros."""
    digits = []
    while limit:
        limit, rest = divmod(limit, base)
        digits.insert(0, rest)
    top, any_digit = base - 1, _digit(0, base - 1, base)
    alternatives = [_digit(1, top, base) + (f"{any_digit}{{{n}}}" if n else "")
                    for n in range(len(digits) - 1)]
    for index, value in enumerate(digits):
        low = 1 if index == 0 else 0
        rest = len(digits) - index - 1
        if value > low:
            prefix = "".join(_digit(d, d, base) for d in digits[:index])
            alternatives.append(prefix + _digit(low, value - 1, base)
                                + (f"{any_digit}{{{rest}}}" if rest else ""))
    alternatives.append("".join(_digit(d, d, base) for d in digits))
    return "(?:" + "|".join(alternatives) + ")"


def _ipv4_part(limit: int) -> str:
    """One part of a numeric IPv4 host, at most `limit`: hex (0x), octal (0...) or decimal."""
    return (f"(?:0[xX]0*{_positive_up_to(limit, 16)}?|0+{_positive_up_to(limit, 8)}?"
            f"|{_positive_up_to(limit, 10)})")


def _ipv4() -> str:
    # inet_aton: the last of n parts fills the 32 - 8 * (n - 1) bits the others leave.
    octet = _ipv4_part(255)
    spellings = [r"\.".join([octet] * (parts - 1) + [_ipv4_part(256 ** (5 - parts) - 1)])
                 for parts in (4, 3, 2, 1)]
    return "(?:" + "|".join(spellings) + r")\.?"


def _ipv6() -> str:
    """RFC 3986's IPv6address, dotted IPv4 tail included."""
    h16 = "[0-9A-Fa-f]{1,4}"
    octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    ls32 = rf"(?:{h16}:{h16}|{octet}(?:\.{octet}){{3}})"
    forms = [f"(?:{h16}:){{6}}{ls32}", f"::(?:{h16}:){{5}}{ls32}"]
    for before in range(0, 7):
        after = 4 - before
        head = f"(?:(?:{h16}:){{0,{before}}}{h16})?" if before else f"(?:{h16})?"
        if after >= 0:
            tail = f"(?:{h16}:){{{after}}}{ls32}" if after else ls32
        else:
            tail = h16 if after == -1 else ""
        forms.append(f"{head}::{tail}")
    return r"\[(?:" + "|".join(forms) + r")\]"


def _host_name() -> str:
    label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    last = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    return rf"(?=[A-Za-z0-9.-]{{1,{HOST_MAX}}}(?:[:/]|$))(?:{label}\.)*{last}\.?"


# Whatever normalize_path can escape: no white space, controls, "\", "?" or "#".
_PATH = r"(?:/[^\s\x00-\x1f\x7f-\x9f\\?#]*)?"
ENDPOINT_PATTERN = (rf"^[Hh][Tt][Tt][Pp][Ss]?://(?:{_ipv4()}|{_ipv6()}|{_host_name()})"
                    rf"(?::{_positive_up_to(PORT_MAX, 10)})?{_PATH}$")
