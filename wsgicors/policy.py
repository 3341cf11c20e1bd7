"""``CORSPolicy``: what the user allows, validated once, as an immutable value.

The options and their defaults follow KrakenD's ``security/cors`` namespace, so a KrakenD
configuration loads unchanged with :meth:`CORSPolicy.from_dict` or
:meth:`CORSPolicy.from_krakend`. Converters normalise what they are given (tuples instead
of lists, lower-case origins, upper-case standard methods, seconds for ``max_age``);
``__attrs_post_init__`` then checks every option and reports every problem in one
:class:`~wsgicors.errors.PolicyError`.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .durations import DurationError, DurationRangeError, to_seconds
from .errors import PolicyError, PolicyWarning, Problem
from .headers import (
    ALWAYS_ALLOWED_REQUEST_HEADERS,
    FORBIDDEN_METHODS,
    FORBIDDEN_RESPONSE_HEADERS,
    NORMALISED_METHODS,
    PREFLIGHT_CACHE_CAPS,
    is_forbidden_request_header,
    is_token,
)
from .origins import (
    ALL,
    NULL,
    OriginPattern,
    is_public_suffix,
    normalise_origin,
    parse_origin_pattern,
)

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

__all__ = ["KRAKEND_OPTIONS", "PYTHON_ONLY_OPTIONS", "CORSPolicy", "OriginFunc", "read_json"]

OriginFunc = Callable[[str, "WSGIEnvironment"], bool]

# No browser keeps a preflight longer than the largest engine cap.
MAX_USEFUL_MAX_AGE = max(PREFLIGHT_CACHE_CAPS.values())
_CAPS_TEXT = (
    f"browsers cache a preflight for at most {PREFLIGHT_CACHE_CAPS['chromium']} s (Chromium) "
    f"or {PREFLIGHT_CACHE_CAPS['firefox']} s (Firefox)"
)
_COMMENT_PREFIXES = ("@", "$", "_", "#")
#: The options a KrakenD ``security/cors`` object may hold, in KrakenD's order (plus
#: ``auto_options``, which KrakenD keeps under ``router``).
KRAKEND_OPTIONS = (
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "expose_headers",
    "max_age",
    "allow_credentials",
    "debug",
    "allow_private_network",
    "options_passthrough",
    "options_success_status",
    "auto_options",
)
#: The options that only exist in Python: no KrakenD key, passed as keyword overrides.
PYTHON_ONLY_OPTIONS = (
    "allow_origin_func",
    "dangerously_tolerate_insecure_origins",
    "dangerously_tolerate_subdomains_of_public_suffixes",
)


def _as_tuple(value: object) -> object:
    # A str is left alone so that validation refuses it instead of splitting it into
    # characters; sets are sorted so that equal policies compare and print alike.
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value, key=str))
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def _unique(items: Iterable[object], key: Callable[[str], str] = str) -> tuple[object, ...]:
    seen: set[object] = set()
    kept: list[object] = []
    for item in items:
        marker = key(item) if isinstance(item, str) else id(item)
        if marker not in seen:
            seen.add(marker)
            kept.append(item)
    return tuple(kept)


def _convert_origins(value: object) -> object:
    value = _as_tuple(value)
    if not isinstance(value, tuple):
        return value
    return _unique(normalise_origin(item) if isinstance(item, str) else item for item in value)


def _convert_methods(value: object) -> object:
    value = _as_tuple(value)
    if not isinstance(value, tuple):
        return value
    # Fetch #concept-method-normalize upper-cases exactly these six; 'patch' stays 'patch'.
    return _unique(
        item.upper() if isinstance(item, str) and item.upper() in NORMALISED_METHODS else item
        for item in value
    )


def _convert_headers(value: object) -> object:
    value = _as_tuple(value)
    if not isinstance(value, tuple):
        return value
    return _unique(value, key=str.lower)


def _convert_max_age(value: object) -> object:
    if value is None:
        return None
    try:
        return to_seconds(value)
    except (DurationError, TypeError):
        return value  # refused by validation, which quotes it


@attrs.frozen
class CORSPolicy:
    """Which cross-origin requests an application allows.

    Every option has KrakenD's name and default. Construction validates all of them and
    raises :class:`~wsgicors.errors.PolicyError` listing every problem; advice that does
    not stop the policy from working is a :class:`~wsgicors.errors.PolicyWarning`.
    """

    #: Origins whose pages may read responses: ``"*"``, exact ``scheme://host[:port]``
    #: origins, ``scheme://*.example.com`` (subdomains) or ``scheme://host:*`` (any port).
    allow_origins: tuple[str, ...] = attrs.field(default=(ALL,), converter=_convert_origins)
    #: Methods a cross-origin request may use (case-sensitive; ``"*"`` for any).
    allow_methods: tuple[str, ...] = attrs.field(
        default=("GET", "HEAD", "POST"), converter=_convert_methods
    )
    #: Request headers a preflight may ask for (case-insensitive; ``"*"`` for any).
    allow_headers: tuple[str, ...] = attrs.field(default=(ALL,), converter=_convert_headers)
    #: Response headers a script may read, sent as ``Access-Control-Expose-Headers``.
    expose_headers: tuple[str, ...] = attrs.field(default=(), converter=_convert_headers)
    #: Seconds a browser may cache a preflight; ``None`` or ``0`` sends no header.
    max_age: int | None = attrs.field(default=None, converter=_convert_max_age)
    #: Allow requests with cookies or HTTP authentication.
    allow_credentials: bool = False
    #: Log every decision to the ``wsgicors`` logger; failed preflights say why.
    debug: bool = False
    #: Answer Private Network Access preflights.
    allow_private_network: bool = False
    #: Decorate preflights and pass them on to the application.
    options_passthrough: bool = False
    #: The status of a successful preflight (200 to 299).
    options_success_status: int = 204
    #: Answer plain ``OPTIONS`` requests with ``200`` and ``Allow``.
    auto_options: bool = False
    #: ``f(origin, environ) -> bool``, asked about origins ``allow_origins`` does not match
    #: (with ``allow_origins`` left at its default, it alone decides).
    allow_origin_func: OriginFunc | None = attrs.field(default=None, repr=False)
    #: Allow ``null`` and plain-http origins together with credentials.
    dangerously_tolerate_insecure_origins: bool = False
    #: Allow wildcards directly under a public suffix (``https://*.github.io``), where
    #: anyone can register a site.
    dangerously_tolerate_subdomains_of_public_suffixes: bool = False

    def __attrs_post_init__(self) -> None:
        problems = _Checker(self).problems()
        if problems:
            raise PolicyError(problems)
        for message in _advice(self):
            warnings.warn(message, PolicyWarning, stacklevel=_caller_stacklevel())

    @property
    def allows_all_origins(self) -> bool:
        """True when any origin is allowed and no function decides instead."""
        return self.allow_origin_func is None and ALL in self.allow_origins

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any], /, **overrides: Any) -> CORSPolicy:
        """Build a policy from a KrakenD ``security/cors`` object (parsed JSON).

        Keys starting with ``@ $ _ #`` are comments. Python-only options
        (``allow_origin_func``, ``dangerously_tolerate_insecure_origins``) and any option
        to replace are passed as keyword ``overrides``.
        """
        problems: list[Problem] = []
        kwargs: dict[str, Any] = {}
        if not isinstance(obj, Mapping):
            raise PolicyError(
                [
                    Problem(
                        "security/cors",
                        obj,
                        "the CORS configuration is a JSON object",
                        'write {"allow_origins": [...], ...}',
                    )
                ]
            )
        for key, value in obj.items():
            if not isinstance(key, str) or key.startswith(_COMMENT_PREFIXES):
                continue
            if key in PYTHON_ONLY_OPTIONS:
                problems.append(
                    Problem(
                        key,
                        value,
                        "this option has no KrakenD key: it only exists in Python",
                        f"remove it from the JSON and pass it as a keyword: "
                        f"CORSPolicy.from_dict(obj, {key}=...)",
                    )
                )
            elif key not in KRAKEND_OPTIONS:
                problems.append(_unknown_option(key, value, KRAKEND_OPTIONS))
            elif value is None:
                problems.append(
                    Problem(
                        key,
                        value,
                        "null is not a value for this option",
                        "remove the key to use the default, or give a value",
                    )
                )
            else:
                kwargs[key] = value
        if kwargs.get("allow_headers") == []:
            warnings.warn(
                "allow_headers: [] allows only the four always-allowed headers (Accept, "
                "Accept-Language, Content-Language, Content-Type), but KrakenD reads an empty "
                'list as every header: write ["*"] for that',
                PolicyWarning,
                stacklevel=_caller_stacklevel(),
            )
        known = [field.name for field in attrs.fields(cls)]
        for key, value in overrides.items():
            if key in known:
                kwargs[key] = value
            else:
                problems.append(_unknown_option(key, value, known))
        return _build(cls, kwargs, problems)

    @classmethod
    def from_krakend(
        cls, config: str | os.PathLike[str] | Mapping[str, Any], /, **overrides: Any
    ) -> CORSPolicy:
        """Build a policy from a whole KrakenD configuration: a path or a parsed mapping.

        Reads ``extra_config["security/cors"]`` and ``extra_config["router"]["auto_options"]``;
        keyword ``overrides`` replace options as in :meth:`from_dict`.
        """
        source = None
        if not isinstance(config, Mapping):
            source = os.fspath(config)
            config = read_json(source)
        extra = config.get("extra_config") if isinstance(config, Mapping) else None
        cors = extra.get("security/cors") if isinstance(extra, Mapping) else None
        if cors is None:
            raise PolicyError(
                [
                    Problem(
                        "extra_config",
                        source or "<mapping>",
                        "a KrakenD configuration keeps its CORS policy in "
                        'extra_config["security/cors"], and this one has none',
                        'add a "security/cors" object under "extra_config", or pass a bare '
                        "CORS object to CORSPolicy.from_dict",
                    )
                ],
                source=source,
            )
        router = extra.get("router") if isinstance(extra, Mapping) else None
        options: dict[str, Any] = {}
        # The CORS object's own auto_options, when it has one, is the more specific key.
        if (
            isinstance(router, Mapping)
            and "auto_options" in router
            and not (isinstance(cors, Mapping) and "auto_options" in cors)
        ):
            options["auto_options"] = router["auto_options"]
        options.update(overrides)
        try:
            return cls.from_dict(cors, **options)
        except PolicyError as error:
            raise PolicyError(error.problems, source=source) from None


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _is_internal(filename: str) -> bool:
    directory = os.path.dirname(os.path.abspath(filename))
    return (
        directory == _PACKAGE_DIR
        or directory.startswith(_PACKAGE_DIR + os.sep)
        or filename.startswith("<attrs generated")
    )


def _caller_stacklevel() -> int:
    """The stacklevel of the first frame outside wsgicors, so a warning names user code."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _build(cls: type[CORSPolicy], kwargs: dict[str, Any], problems: list[Problem]) -> CORSPolicy:
    try:
        policy = cls(**kwargs)
    except PolicyError as error:
        raise PolicyError([*problems, *error.problems]) from None
    if problems:
        raise PolicyError(problems)
    return policy


def read_json(path: str) -> Any:
    """Parse a JSON file; a missing, unreadable or malformed file is a ``PolicyError``."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except OSError as error:
        raise PolicyError(
            [
                Problem(
                    "config",
                    path,
                    f"the file cannot be read ({error.strerror or error})",
                    "check the path and its permissions",
                )
            ],
            source=path,
        ) from None
    except UnicodeDecodeError as error:
        raise PolicyError(
            [
                Problem(
                    "config", path, f"the file is not UTF-8 ({error.reason})", "save it as UTF-8"
                )
            ],
            source=path,
        ) from None
    except json.JSONDecodeError as error:
        raise PolicyError(
            [
                Problem(
                    "config",
                    path,
                    f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                    "fix the JSON syntax there (a trailing comma or a missing quote is the "
                    "usual cause)",
                )
            ],
            source=path,
        ) from None
    except RecursionError:
        raise PolicyError(
            [
                Problem(
                    "config",
                    path,
                    "the JSON nests arrays or objects too deeply to read",
                    "a CORS configuration nests a few levels at most: check the file",
                )
            ],
            source=path,
        ) from None
    except ValueError:  # an integer longer than int() converts (sys.get_int_max_str_digits)
        raise PolicyError(
            [
                Problem(
                    "config",
                    path,
                    "the JSON holds a number too long to read",
                    "no CORS option needs more than a few digits: check the file",
                )
            ],
            source=path,
        ) from None


def _unknown_option(key: str, value: object, known: Iterable[str]) -> Problem:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known options: {', '.join(known)}"
    return Problem(str(key), value, "unknown option", hint)


class _Checker:
    """Collects every problem of a policy, each with the rule it breaks and its fix."""

    def __init__(self, policy: CORSPolicy) -> None:
        self.policy = policy
        self._problems: list[Problem] = []

    def add(self, option: str, value: object, rule: str, hint: str) -> None:
        self._problems.append(Problem(option, value, rule, hint))

    def problems(self) -> list[Problem]:
        policy = self.policy
        for name in (
            "allow_credentials",
            "debug",
            "allow_private_network",
            "options_passthrough",
            "auto_options",
            "dangerously_tolerate_insecure_origins",
            "dangerously_tolerate_subdomains_of_public_suffixes",
        ):
            self._check_bool(name, getattr(policy, name))
        if self._check_strings("allow_origins", policy.allow_origins):
            self._check_origins(policy.allow_origins)
        if self._check_strings("allow_methods", policy.allow_methods):
            self._check_methods(policy.allow_methods)
        if self._check_strings("allow_headers", policy.allow_headers):
            self._check_header_names("allow_headers", policy.allow_headers)
        if self._check_strings("expose_headers", policy.expose_headers):
            self._check_expose(policy.expose_headers)
        self._check_max_age(policy.max_age)
        self._check_status(policy.options_success_status)
        if policy.allow_origin_func is not None and not callable(policy.allow_origin_func):
            self.add(
                "allow_origin_func",
                policy.allow_origin_func,
                "allow_origin_func is a function (origin, environ) -> bool",
                "pass a callable, or None to use allow_origins",
            )
        return self._problems

    def _check_bool(self, option: str, value: object) -> None:
        if not isinstance(value, bool):
            self.add(
                option, value, "this option is true or false", f"write {option}=True or False"
            )

    def _check_strings(self, option: str, value: object) -> bool:
        if isinstance(value, str):
            self.add(
                option,
                value,
                "this option is a list of strings, not a single string",
                f"write [{value!r}]",
            )
            return False
        if not isinstance(value, tuple):
            self.add(option, value, "this option is a list of strings", 'write e.g. ["*"]')
            return False
        wrong = [item for item in value if not isinstance(item, str)]
        for item in wrong:
            self.add(option, item, "every entry is a string", "quote it, or remove it")
        return not wrong

    def _check_origins(self, origins: tuple[str, ...]) -> None:
        policy = self.policy
        if policy.allow_origin_func is not None:
            # allow_origins left at its default: the function alone decides. Given too, the
            # list is tried first and the function asked only for what it does not match.
            if origins == (ALL,):
                return
            if ALL in origins:
                self.add(
                    "allow_origins",
                    list(origins),
                    "'*' allows every origin, so allow_origin_func would never be asked",
                    "remove '*' to let the function decide the origins the list does not match",
                )
                return
        if not origins:
            self.add(
                "allow_origins",
                [],
                "an empty list allows no origin at all (KrakenD reads it as all origins)",
                'write ["*"] to allow every origin, or list the origins to allow',
            )
            return
        credentials = policy.allow_credentials is True
        tolerate = policy.dangerously_tolerate_insecure_origins is True
        tolerate_suffixes = policy.dangerously_tolerate_subdomains_of_public_suffixes is True
        for origin in origins:
            if origin == ALL:
                if credentials:
                    self.add(
                        "allow_origins",
                        origin,
                        "'*' cannot be combined with allow_credentials: the Fetch standard "
                        "forbids 'Access-Control-Allow-Origin: *' on credentialed requests",
                        "list the trusted origins explicitly, or set allow_credentials to false",
                    )
                continue
            if origin == NULL:
                if credentials and not tolerate:
                    self.add(
                        "allow_origins",
                        origin,
                        "'null' with credentials lets any sandboxed iframe or file: page send "
                        "credentialed requests",
                        "remove 'null', or set dangerously_tolerate_insecure_origins=True if "
                        "you accept that risk",
                    )
                continue
            pattern, problems = parse_origin_pattern(origin)
            for rule, hint in problems:
                self.add("allow_origins", origin, rule, hint)
            if pattern is not None and pattern.subdomains and not tolerate_suffixes:
                self._check_public_suffix(origin, pattern)
            insecure = pattern is not None and not pattern.is_potentially_trustworthy
            if insecure and credentials and not tolerate:
                self.add(
                    "allow_origins",
                    origin,
                    "with credentials, an origin must be https (or localhost or a loopback "
                    "address): anyone on the network can impersonate a plain-http origin",
                    f"use {'https://' + origin.partition('://')[2]!r}, or set "
                    "dangerously_tolerate_insecure_origins=True",
                )

    def _check_public_suffix(self, origin: str, pattern: OriginPattern) -> None:
        suffix = pattern.host.rstrip(".")
        if is_public_suffix(suffix):
            self.add(
                "allow_origins",
                origin,
                f"{suffix!r} is a public suffix: anyone can register a site under it, so "
                f"'*.{suffix}' would allow origins an attacker controls",
                f"list your own sites (e.g. '{pattern.scheme}://myapp.{suffix}'), or set "
                "dangerously_tolerate_subdomains_of_public_suffixes=True if you accept that",
            )

    def _check_methods(self, methods: tuple[str, ...]) -> None:
        if not methods:
            self.add(
                "allow_methods",
                [],
                "an empty list allows no method at all (KrakenD reads it as all methods)",
                'write ["*"] to allow every method, or list the methods to allow',
            )
        for method in methods:
            if method == ALL:
                continue
            if not is_token(method):
                self.add(
                    "allow_methods",
                    method,
                    "a method is an HTTP token (letters, digits, and !#$%&'*+-.^_`|~)",
                    f"write the method name alone, e.g. {method.strip().split()[0]!r}"
                    if method.strip()
                    else "remove the empty entry",
                )
            elif method.upper() in FORBIDDEN_METHODS:
                self.add(
                    "allow_methods",
                    method,
                    "CONNECT, TRACE and TRACK are forbidden methods: browsers never send them "
                    "cross-origin",
                    "remove it",
                )

    def _check_header_names(self, option: str, names: tuple[str, ...]) -> bool:
        valid = True
        for name in names:
            if name != ALL and not is_token(name):
                valid = False
                self.add(
                    option,
                    name,
                    "a header name is an HTTP token (letters, digits, and !#$%&'*+-.^_`|~)",
                    "write one name per entry, without ':' or spaces",
                )
        return valid

    def _check_expose(self, names: tuple[str, ...]) -> None:
        self._check_header_names("expose_headers", names)
        for name in names:
            if name.lower() in FORBIDDEN_RESPONSE_HEADERS:
                self.add(
                    "expose_headers",
                    name,
                    "browsers never let a script read Set-Cookie or Set-Cookie2",
                    "remove it",
                )
            elif name == ALL and self.policy.allow_credentials is True:
                self.add(
                    "expose_headers",
                    name,
                    "'*' exposes nothing on credentialed requests: browsers read it as a "
                    "header literally named '*'",
                    "list the header names to expose",
                )

    def _check_max_age(self, value: object) -> None:
        if value is None:
            return
        try:
            to_seconds(value)
        except DurationRangeError:
            self.add(
                "max_age",
                value,
                "max_age is within Go's duration range (at most 2562047h47m16s either way)",
                f"{_CAPS_TEXT}: write e.g. '2h'",
            )
            return
        except (DurationError, TypeError):
            pass
        else:
            return
        if isinstance(value, str):
            self.add(
                "max_age",
                value,
                "max_age is a Go duration such as '12h', '1h30m', '90s' or '500ms'",
                "write a number with a unit (ns, us, ms, s, m, h), or an int of seconds",
            )
        else:
            self.add(
                "max_age",
                value,
                "max_age is a duration string, a number of seconds or a timedelta",
                "write e.g. '12h' or 43200",
            )

    def _check_status(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 299:
            self.add(
                "options_success_status",
                value,
                "a successful preflight has a 2xx status: browsers fail any other",
                "use 204 (the default) or 200",
            )


def _advice(policy: CORSPolicy) -> list[str]:
    advice: list[str] = []
    if ALL in policy.allow_origins and len(policy.allow_origins) > 1:
        others = [origin for origin in policy.allow_origins if origin != ALL]
        advice.append(f"allow_origins: '*' allows every origin, so {others!r} are redundant")
    if ALL in policy.allow_methods and len(policy.allow_methods) > 1:
        advice.append("allow_methods: '*' allows every method, so the other entries are redundant")
    if ALL in policy.allow_headers and len(policy.allow_headers) > 1:
        advice.append("allow_headers: '*' allows every header, so the other entries are redundant")
    for name in policy.allow_headers:
        if is_forbidden_request_header(name):
            advice.append(
                f"allow_headers: browsers never send {name!r} in a preflight (a script cannot "
                "set it), so listing it has no effect"
            )
        elif name.lower() in ALWAYS_ALLOWED_REQUEST_HEADERS and ALL not in policy.allow_headers:
            advice.append(f"allow_headers: {name!r} is always allowed; listing it is redundant")
    if policy.max_age is not None and policy.max_age > MAX_USEFUL_MAX_AGE:
        advice.append(
            f"max_age: {policy.max_age} s is above what browsers honour (Chromium caps the "
            f"preflight cache at {PREFLIGHT_CACHE_CAPS['chromium']} s, Firefox at "
            f"{PREFLIGHT_CACHE_CAPS['firefox']} s)"
        )
    return advice
