"""Origin patterns: checking what the user configured, and matching what a request sends.

A configured entry is ``"*"``, ``"null"``, an exact origin ``scheme://host[:port]``, or one
of two safe wildcard forms: ``scheme://*.example.com[:port]`` (one or more labels before
``example.com``, never the apex) and ``scheme://host:*`` (any port, including none). Both
may combine. Matching is a set lookup for exact origins and one set lookup per label of
the request's host for wildcards, so its cost does not grow with the number of patterns.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

import attrs

__all__ = [
    "DEFAULT_PORTS",
    "OriginMatcher",
    "OriginPattern",
    "canonical_ipv4",
    "canonical_ipv6",
    "is_public_suffix",
    "is_serialized_origin",
    "parse_origin_pattern",
    "split_origin",
]

ALL = "*"
NULL = "null"
# Scheme "://" host ":" 5-digit port, with the longest DNS name (253) and a 63-byte scheme.
MAX_ORIGIN_LENGTH = 326

_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]*[a-z0-9_])?")
# What a serialised domain label holds: browsers lower-case hosts and send internationalised
# names as punycode (URL #concept-domain-to-ascii).
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
_DIGITS = frozenset("0123456789")
DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
_WILDCARD_HINT = (
    "the only wildcard forms are 'scheme://*.example.com' (subdomains) and "
    "'scheme://host:*' (any port); {example} would also match origins an attacker can register"
)


@attrs.frozen
class OriginPattern:
    """One configured origin entry, parsed and normalised."""

    scheme: str
    host: str
    port: str  # "" for none, "*" for any
    subdomains: bool = False

    @property
    def text(self) -> str:
        host = f"*.{self.host}" if self.subdomains else self.host
        return f"{self.scheme}://{host}{':' + self.port if self.port else ''}"

    @property
    def is_potentially_trustworthy(self) -> bool:
        """https, or a loopback host (W3C Secure Contexts #potentially-trustworthy-origin)."""
        if self.scheme == "https" or self.scheme == "wss":
            return True
        if self.host == "localhost" or self.host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False


def normalise_origin(text: str) -> str:
    """Lower-case the scheme and host of an origin-like string, leaving the rest alone."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text.lower() if text.lower() == NULL else text
    cut = min((rest.find(c) for c in "/?#" if c in rest), default=len(rest))
    return f"{scheme.lower()}://{rest[:cut].lower()}{rest[cut:]}"


@functools.cache
def _public_suffixes() -> Any:
    # Imported and parsed on first use: only policies with a subdomain wildcard need it.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def is_public_suffix(domain: str) -> bool:
    """True when ``domain`` is on the Public Suffix List (private section included).

    ``localhost`` is not: its subdomains all name this machine.
    """
    if domain == "localhost":
        return False
    return bool(_public_suffixes().is_public(domain))


def _is_space_or_control(char: str) -> bool:
    return char.isspace() or ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F


def parse_origin_pattern(text: str) -> tuple[OriginPattern | None, list[tuple[str, str]]]:
    """Parse one configured origin; return the pattern, or the (rule, hint) pairs it breaks.

    ``"*"`` and ``"null"`` are handled by the caller; this parses the ``scheme://`` forms.
    """
    problems: list[tuple[str, str]] = []
    if len(text) > MAX_ORIGIN_LENGTH:
        return None, [
            (
                f"an origin is at most {MAX_ORIGIN_LENGTH} bytes: no browser sends a longer one",
                "check the entry for a pasted URL or a missing comma",
            )
        ]
    kept = "".join(c for c in text if not _is_space_or_control(c))
    if not text or kept != text:
        return None, [
            (
                "an origin contains no whitespace or control characters",
                f"remove them: write {kept!r}" if kept else "remove the entry",
            )
        ]
    scheme, sep, rest = text.partition("://")
    if not sep and "*" in text:
        return None, [
            ("an origin is scheme://host[:port]", _WILDCARD_HINT.format(example=repr(text)))
        ]
    if not sep:
        example = (
            f"'https://{text}'" if "." in text and "/" not in text else "'https://example.com'"
        )
        return None, [("an origin is scheme://host[:port]", f"add the scheme, e.g. {example}")]
    if "*" in scheme:
        return None, [
            ("a wildcard may not stand in the scheme", _WILDCARD_HINT.format(example=repr(text)))
        ]
    if not _SCHEME.fullmatch(scheme):
        problems.append(
            (
                "the scheme is a letter then letters, digits, '+', '-' or '.'",
                "write a scheme such as 'https'",
            )
        )
    cut = min((rest.find(c) for c in "/?#" if c in rest), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    base = f"{scheme}://{authority}"
    if tail == "/":
        problems.append(
            (
                "an origin has no path",
                f"remove the trailing '/' (use {base!r})",
            )
        )
    elif tail:
        problems.append(
            (
                "an origin has no path, query or fragment",
                f"keep only scheme://host[:port]: use {base!r}",
            )
        )
    if "@" in authority:
        authority = authority.rpartition("@")[2]
        problems.append(
            (
                "an origin has no user name or password",
                f"remove the part before '@': use {scheme + '://' + authority!r}",
            )
        )
    host, port, host_problems = _split_authority(authority, scheme, text)
    problems.extend(host_problems)
    subdomains = host.startswith("*.")
    if subdomains:
        host = host[2:]
    if "*" in host:
        problems.append(
            (
                "a wildcard may only stand for whole subdomain labels",
                _WILDCARD_HINT.format(example=repr(text)),
            )
        )
    elif host.startswith("["):
        problems.extend(_ipv6_problems(host, scheme, port))
    else:
        problems.extend(_host_problems(host, subdomains, scheme, port))
    if problems:
        return None, problems
    return OriginPattern(scheme=scheme, host=host, port=port, subdomains=subdomains), []


def _split_authority(
    authority: str, scheme: str, text: str
) -> tuple[str, str, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    if authority.startswith("["):
        end = authority.find("]")
        host, after = (
            (authority, "") if end == -1 else (authority[: end + 1], authority[end + 1 :])
        )
        if after and not after.startswith(":"):
            problems.append(
                ("an IPv6 host is written '[address]'", "write e.g. 'http://[::1]:8080'")
            )
        port_sep, port = (after[:1], after[1:])
        has_port = port_sep == ":"
    else:
        host, colon, port = authority.partition(":")
        has_port = bool(colon)
        if ":" in port:
            problems.append(("an origin has at most one port", f"fix the port in {text!r}"))
            return host, "", problems
    if has_port:
        default = DEFAULT_PORTS.get(scheme)
        if port == "*":
            pass
        elif not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
            if "*" in port:
                problems.append(
                    (
                        "a port wildcard is ':*' and nothing else",
                        _WILDCARD_HINT.format(example=repr(text)),
                    )
                )
            else:
                problems.append(
                    ("a port is a number from 1 to 65535", f"fix the port in {text!r}")
                )
        elif port.lstrip("0") != port:
            problems.append(("a port has no leading zeros", f"write :{int(port)}"))
        elif port == default:
            problems.append(
                (
                    f"browsers omit the default port {default} of {scheme} from the Origin header",
                    f"remove ':{port}': use {scheme + '://' + host!r}",
                )
            )
    return host, port, problems


def _ipv6_problems(host: str, scheme: str, port: str) -> list[tuple[str, str]]:
    address = host[1:-1]
    canonical = canonical_ipv6(address) if host.endswith("]") else None
    if canonical is None:
        return [("an IPv6 host is an IPv6 address in brackets", "write e.g. 'http://[::1]:8080'")]
    if canonical != address:
        written = f"{scheme}://[{canonical}]{':' + port if port else ''}"
        return [
            (
                "browsers send an IPv6 address in its compressed lower-case form, so this "
                "entry would never match",
                f"write {written!r}",
            )
        ]
    return []


def _host_problems(host: str, subdomains: bool, scheme: str, port: str) -> list[tuple[str, str]]:
    if not host:
        return [("an origin names a host", "write e.g. 'https://example.com'")]
    if not host.isascii():
        return [
            (
                "browsers send internationalised host names in their ASCII (punycode) form",
                "write the host as 'xn--...' (e.g. with 'name'.encode('idna'))",
            )
        ]
    # One trailing dot names the same host from the DNS root: a distinct origin that
    # browsers send from pages loaded by that name.
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    text = f"{scheme}://{'*.' if subdomains else ''}{host}{':' + port if port else ''}"
    if not all(_LABEL.fullmatch(label) for label in labels):
        return [
            (
                "a host is dot-separated labels of letters, digits, '-' and '_'",
                f"fix the host in {text!r}",
            )
        ]
    if _ends_in_a_number(labels):
        if subdomains:
            return [
                (
                    "a wildcard cannot stand for part of an IP address",
                    "list each address, e.g. 'http://127.0.0.1:8080'",
                )
            ]
        canonical = canonical_ipv4(host)
        if canonical is None:
            return [
                (
                    "a host ending in a number is an IPv4 address, and this one is not valid",
                    "write four decimal parts from 0 to 255, e.g. '127.0.0.1'",
                )
            ]
        if canonical != host:
            written = f"{scheme}://{canonical}{':' + port if port else ''}"
            return [
                (
                    "browsers send an IPv4 address as four decimal parts without leading "
                    "zeros, so this entry would never match",
                    f"write {written!r}",
                )
            ]
        return []
    if subdomains and len(labels) == 1 and labels[0] != "localhost":
        return [
            (
                f"'*.{host}' would match every site under a top-level domain",
                "name a registrable domain, e.g. 'https://*.example.com'",
            )
        ]
    return []


def split_origin(origin: str) -> tuple[str, str, str] | None:
    """``(scheme, host, port)`` of an origin exactly as a browser serialises it, else ``None``.

    The ASCII serialisation of a tuple origin (HTML #ascii-serialisation-of-an-origin): a
    lower-case scheme, ``://``, the host as the URL parser leaves it (lower-case domain
    labels with at most one trailing ``.``, an IPv4 address as four decimal parts, an IPv6
    address in brackets in its compressed form), and a port only when it is not the scheme's
    default (URL #url-serializing). ``port`` is ``""`` when there is none. Every step is a
    split, a set test or a fixed-size parse: linear in the length of ``origin``.
    """
    if len(origin) > MAX_ORIGIN_LENGTH:
        return None
    scheme, sep, authority = origin.partition("://")
    if not sep or _SCHEME.fullmatch(scheme) is None:
        return None
    if authority.startswith("["):
        end = authority.find("]") + 1
        host, after = authority[:end], authority[end:]
        if not end or canonical_ipv6(host[1:-1]) != host[1:-1]:
            return None
    else:
        host, colon, port = authority.partition(":")
        after = colon + port
        if not _is_serialized_host(host):
            return None
    if not after:
        return scheme, host, ""
    port = after[1:]
    if (
        after[0] != ":"
        or not port
        or len(port) > 5
        or not _DIGITS.issuperset(port)
        or port[0] == "0"
        or int(port) > 65535
        or DEFAULT_PORTS.get(scheme) == port
    ):
        return None
    return scheme, host, port


def is_serialized_origin(origin: str) -> bool:
    """True when ``origin`` is ``null`` or one origin exactly as a browser serialises it."""
    return origin == NULL or split_origin(origin) is not None


def _is_serialized_host(host: str) -> bool:
    """A domain or IPv4 host as the URL parser serialises it (URL #host-serializing)."""
    if not host or not _HOST_CHARS.issuperset(host):
        return False
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if "" in labels:
        return False
    if _ends_in_a_number(labels):
        # The URL parser reads such a host as IPv4 and serialises it in dotted decimal,
        # without a trailing dot (URL #concept-ipv4-serializer).
        return canonical_ipv4(host) == host
    return True


def _ends_in_a_number(labels: list[str]) -> bool:
    """URL #ends-in-a-number-checker, on the host's labels without a trailing empty one."""
    last = labels[-1]
    return _DIGITS.issuperset(last) or (
        last[:2] == "0x" and set(last[2:]) <= set("0123456789abcdef")
    )


def canonical_ipv4(host: str) -> str | None:
    """The dotted-decimal form a browser gives an IPv4 host, or ``None`` if it is not one.

    Follows URL #concept-ipv4-parser: one to four parts, each decimal, ``0x`` hex or
    ``0``-prefixed octal, the last filling the remaining bytes; one trailing dot allowed.
    """
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4 or len(host) > 64:
        return None
    numbers: list[int] = []
    for part in parts:
        try:
            if part[:2] in ("0x", "0X"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part[0] == "0":
                numbers.append(int(part[1:], 8))
            else:
                numbers.append(int(part, 10) if part.isascii() and part.isdigit() else -1)
        except ValueError:
            return None
    if any(number < 0 for number in numbers) or any(number > 255 for number in numbers[:-1]):
        return None
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number * 256 ** (3 - index)
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def canonical_ipv6(address: str) -> str | None:
    """The compressed lower-case form a browser gives an IPv6 address (URL #concept-ipv6-
    serializer), or ``None`` if ``address`` (without brackets) is not one."""
    if len(address) > 64 or not set(address) <= set("0123456789abcdefABCDEF:."):
        return None
    try:
        pieces = ipaddress.IPv6Address(address).exploded.split(":")
    except ValueError:
        return None
    numbers = [int(piece, 16) for piece in pieces]
    # The first longest run of two or more zero pieces becomes '::'.
    best_start, best_length, start = -1, 1, -1
    for index, number in enumerate([*numbers, 1]):
        if number == 0 and start < 0:
            start = index
        elif number != 0 and start >= 0:
            if index - start > best_length:
                best_start, best_length = start, index - start
            start = -1
    text = [format(number, "x") for number in numbers]
    if best_start < 0:
        return ":".join(text)
    head = ":".join(text[:best_start])
    tail = ":".join(text[best_start + best_length :])
    return f"{head}::{tail}"


class OriginMatcher:
    """The compiled form of ``allow_origins``: answers "is this Origin allowed?"."""

    __slots__ = (
        "_any_port",
        "_depths",
        "_subdomain",
        "_subdomain_any_port",
        "allows_all",
        "exact",
    )

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.allows_all = ALL in entries
        exact: set[str] = set()
        any_port: set[str] = set()
        subdomain: set[str] = set()
        subdomain_any_port: set[str] = set()
        depths: set[int] = set()
        for entry in entries:
            if entry in (ALL, NULL):
                exact.add(entry)
                continue
            pattern, problems = parse_origin_pattern(entry)
            if pattern is None:  # the policy refuses these before it compiles
                raise ValueError(problems)
            base = f"{pattern.scheme}://{pattern.host}"
            if pattern.subdomains:
                # A host matches '*.example.com' when what follows its second dot from the
                # right is 'example.com': one more dot than the base has.
                depths.add(pattern.host.count(".") + 1)
                target = subdomain_any_port if pattern.port == "*" else subdomain
                target.add(base if pattern.port in ("", "*") else f"{base}:{pattern.port}")
            elif pattern.port == "*":
                any_port.add(base)
            else:
                exact.add(pattern.text)
        exact.discard(ALL)
        #: The exact origins (and ``null``), for callers that try a set lookup first.
        self.exact = frozenset(exact)
        self._any_port = frozenset(any_port)
        self._subdomain = frozenset(subdomain)
        self._subdomain_any_port = frozenset(subdomain_any_port)
        self._depths = tuple(sorted(depths))

    @property
    def has_patterns(self) -> bool:
        return bool(self._any_port or self._subdomain or self._subdomain_any_port)

    def __call__(self, origin: str) -> bool:
        """True when the request's ``origin`` matches a configured entry (not ``*``)."""
        if origin in self.exact:
            return True
        if not (self._any_port or self._subdomain or self._subdomain_any_port):
            return False
        parts = split_origin(origin)
        if parts is None:
            return False
        scheme, host, port = parts
        if f"{scheme}://{host}" in self._any_port:
            return True
        port_suffix = f":{port}" if port else ""
        # Only the suffixes as deep as a configured wildcard base can match: found by
        # walking the host's dots from the right, once, so a host of many labels costs one
        # pass, not one lookup per label. A match always keeps at least one label in front:
        # '*.example.com' never matches the apex 'example.com'.
        dot, seen = len(host), 0
        for depth in self._depths:
            while seen < depth:
                dot = host.rfind(".", 0, dot)
                if dot <= 0:
                    return False
                seen += 1
            base = f"{scheme}://{host[dot + 1 :]}"
            if base + port_suffix in self._subdomain or base in self._subdomain_any_port:
                return True
        return False
