"""Origin patterns: checking what the user configured, and matching what a request sends.

A configured entry is ``"*"``, ``"null"``, an exact origin ``scheme://host[:port]``, or one
of two safe wildcard forms: ``scheme://*.example.com[:port]`` (one or more labels before
``example.com``, never the apex) and ``scheme://host:*`` (any port, including none). Both
may combine. Matching is a set lookup for exact origins and one set lookup per label of
the request's host for wildcards, so its cost does not grow with the number of patterns.
"""

from __future__ import annotations

import ipaddress
import re

import attrs

__all__ = ["OriginMatcher", "OriginPattern", "is_serialized_origin", "parse_origin_pattern"]

ALL = "*"
NULL = "null"
# Scheme "://" host ":" 5-digit port, with the longest DNS name (253) and a 63-byte scheme.
MAX_ORIGIN_LENGTH = 326

_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]*[a-z0-9_])?")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")
# The ASCII serialisation of a tuple origin (HTML #ascii-serialisation-of-an-origin) as
# browsers send it: lower case, no path, no default port. Anything else is never allowed.
_SERIALIZED_ORIGIN = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]*)://(?:\[[0-9a-f:.]+\]|[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*)"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
)
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
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


def parse_origin_pattern(text: str) -> tuple[OriginPattern | None, list[tuple[str, str]]]:
    """Parse one configured origin; return the pattern, or the (rule, hint) pairs it breaks.

    ``"*"`` and ``"null"`` are handled by the caller; this parses the ``scheme://`` forms.
    """
    problems: list[tuple[str, str]] = []
    if not text or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return None, [
            (
                "an origin contains no whitespace or control characters",
                f"remove them: write {''.join(text.split())!r}"
                if text.strip()
                else "remove the entry",
            )
        ]
    if len(text) > MAX_ORIGIN_LENGTH:
        return None, [
            (
                f"an origin is at most {MAX_ORIGIN_LENGTH} bytes: no browser sends a longer one",
                "check the entry for a pasted URL or a missing comma",
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
    elif not _IPV6.fullmatch(host):
        problems.extend(_host_problems(host, subdomains, text))
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
        default = _DEFAULT_PORTS.get(scheme)
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


def _host_problems(host: str, subdomains: bool, text: str) -> list[tuple[str, str]]:
    if not host:
        return [("an origin names a host", "write e.g. 'https://example.com'")]
    if not host.isascii():
        return [
            (
                "browsers send internationalised host names in their ASCII (punycode) form",
                "write the host as 'xn--...' (e.g. with 'name'.encode('idna'))",
            )
        ]
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return [
            (
                "a host is dot-separated labels of letters, digits, '-' and '_'",
                f"fix the host in {text!r}",
            )
        ]
    if subdomains and len(labels) == 1 and host != "localhost":
        return [
            (
                f"'*.{host}' would match every site under a top-level domain",
                "name a registrable domain, e.g. 'https://*.example.com'",
            )
        ]
    return []


def is_serialized_origin(origin: str) -> bool:
    """True when ``origin`` is one origin exactly as a browser serialises it."""
    if origin == NULL:
        return True
    match = _SERIALIZED_ORIGIN.fullmatch(origin) if len(origin) <= MAX_ORIGIN_LENGTH else None
    if match is None:
        return False
    # A serialised port is 1-65535 without leading zeros, and never the scheme's default
    # (URL #url-serializing omits it).
    port = match["port"]
    return port is None or (int(port) <= 65535 and port != _DEFAULT_PORTS.get(match["scheme"]))


class OriginMatcher:
    """The compiled form of ``allow_origins``: answers "is this Origin allowed?"."""

    __slots__ = ("_any_port", "_subdomain", "_subdomain_any_port", "allows_all", "exact")

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.allows_all = ALL in entries
        exact: set[str] = set()
        any_port: set[str] = set()
        subdomain: set[str] = set()
        subdomain_any_port: set[str] = set()
        for entry in entries:
            if entry in (ALL, NULL):
                exact.add(entry)
                continue
            pattern, problems = parse_origin_pattern(entry)
            if pattern is None:  # the policy refuses these before it compiles
                raise ValueError(problems)
            base = f"{pattern.scheme}://{pattern.host}"
            if pattern.subdomains:
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

    @property
    def has_patterns(self) -> bool:
        return bool(self._any_port or self._subdomain or self._subdomain_any_port)

    def __call__(self, origin: str) -> bool:
        """True when the request's ``origin`` matches a configured entry (not ``*``)."""
        if origin in self.exact:
            return True
        if not (self._any_port or self._subdomain or self._subdomain_any_port):
            return False
        if not is_serialized_origin(origin) or origin == NULL:
            return False
        scheme, _, authority = origin.partition("://")
        if authority.startswith("["):
            end = authority.index("]") + 1
            host, port = authority[:end], authority[end + 1 :]
        else:
            host, _, port = authority.partition(":")
        if f"{scheme}://{host}" in self._any_port:
            return True
        port_suffix = f":{port}" if port else ""
        dot = host.find(".")
        while dot != -1:
            # The suffix after each dot, so a match always keeps at least one label in
            # front: '*.example.com' never matches the apex 'example.com'.
            base = f"{scheme}://{host[dot + 1 :]}"
            if base + port_suffix in self._subdomain or base in self._subdomain_any_port:
                return True
            dot = host.find(".", dot + 1)
        return False
