"""Reading django-cors-headers' and flask-cors' settings as they are.

A project that switches keeps its ``CORS_*`` settings: :func:`translate_django_cors_headers`
and :func:`translate_flask_cors` turn them into the equivalent wsgicors options, with the
peer's own defaults for what is not set. What has no safe equivalent is refused, each
refusal a :class:`~wsgicors.Problem` that names the setting and its replacement; what is
translated with a difference worth knowing is a :class:`~wsgicors.PolicyWarning`.

The same reading serves ``settings.WSGICORS = "django-cors-headers"``,
``app.config["WSGICORS"] = "flask-cors"`` (or flask-cors' keys alone) and
``wsgicors migrate``. The settings value ``WSGICORS`` itself, in any of its shapes, is read
by :func:`spec_from_setting`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import PolicyError, PolicyWarning, Problem
from ..headers import ALWAYS_ALLOWED_REQUEST_HEADERS, is_forbidden_request_header
from ..middleware import PolicySpec
from ..origins import ALL
from ..policy import PYTHON_ONLY_OPTIONS, CORSPolicy

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

__all__ = [
    "DJANGO_CORS_HEADERS",
    "DJANGO_SETTINGS",
    "FLASK_CORS",
    "FLASK_SETTINGS",
    "OriginRegexes",
    "Translation",
    "spec_from_setting",
    "translate_django_cors_headers",
    "translate_flask_cors",
]

#: The value of ``WSGICORS`` that asks for django-cors-headers' settings to be read.
DJANGO_CORS_HEADERS = "django-cors-headers"
#: The value of ``WSGICORS`` that asks for flask-cors' configuration keys to be read.
FLASK_CORS = "flask-cors"

#: django-cors-headers' settings, current names first, then the names they replaced.
DJANGO_SETTINGS = (
    "CORS_ALLOWED_ORIGINS",
    "CORS_ALLOWED_ORIGIN_REGEXES",
    "CORS_ALLOW_ALL_ORIGINS",
    "CORS_URLS_REGEX",
    "CORS_ALLOW_METHODS",
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_PREFLIGHT_MAX_AGE",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOW_PRIVATE_NETWORK",
    "CORS_ORIGIN_WHITELIST",
    "CORS_ORIGIN_REGEX_WHITELIST",
    "CORS_ORIGIN_ALLOW_ALL",
    "CORS_REPLACE_HTTPS_REFERER",
    "CORS_MODEL",
)
#: flask-cors' configuration keys.
FLASK_SETTINGS = (
    "CORS_ORIGINS",
    "CORS_METHODS",
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_SUPPORTS_CREDENTIALS",
    "CORS_MAX_AGE",
    "CORS_SEND_WILDCARD",
    "CORS_AUTOMATIC_OPTIONS",
    "CORS_VARY_HEADER",
    "CORS_RESOURCES",
    "CORS_INTERCEPT_EXCEPTIONS",
    "CORS_ALWAYS_SEND",
    "CORS_ALLOW_PRIVATE_NETWORK",
)

# django-cors-headers' defaults (corsheaders.defaults, since 4.0).
_DJANGO_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)
_DJANGO_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
_DJANGO_MAX_AGE = 86400
# flask-cors' defaults (flask_cors.core.DEFAULT_OPTIONS).
_FLASK_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")
# flask-cors reads a string holding any of these as a regular expression.
_FLASK_REGEX_HINTS = frozenset("*\\]?$^[]()")


@attrs.frozen
class OriginRegexes:
    """An ``allow_origin_func`` that allows an origin one of ``patterns`` matches in full.

    Built from the peers' origin regexes; ``re.fullmatch``, so ``r"https://\\w+\\.example\\.com"``
    never allows ``https://a.example.com.evil.example`` (both peers match a prefix only).
    It is called only with a serialised origin (at most 326 bytes), never with other
    request data.
    """

    patterns: tuple[str, ...]
    ignore_case: bool = False
    _compiled: tuple[re.Pattern[str], ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        flags = re.IGNORECASE if self.ignore_case else 0
        object.__setattr__(
            self, "_compiled", tuple(re.compile(pattern, flags) for pattern in self.patterns)
        )

    def __call__(self, origin: str, environ: WSGIEnvironment) -> bool:
        return any(pattern.fullmatch(origin) for pattern in self._compiled)


class _SignalFunc:
    """django-cors-headers' ``check_request_enabled``: an origin is allowed when a receiver
    returns a true value for the request, as django-cors-headers ORs it with its lists."""

    def __init__(self, fallback: Callable[[str, WSGIEnvironment], bool] | None) -> None:
        self.fallback = fallback

    def __call__(self, origin: str, environ: WSGIEnvironment) -> bool:
        if self.fallback is not None and self.fallback(origin, environ):
            return True
        from corsheaders.signals import check_request_enabled
        from django.core.handlers.wsgi import WSGIRequest  # type: ignore[import-untyped]

        replies = check_request_enabled.send(sender=None, request=WSGIRequest(environ))
        return any(reply for _, reply in replies)

    def __repr__(self) -> str:
        inner = "" if self.fallback is None else f"{self.fallback!r} or "
        return f"<{inner}corsheaders.signals.check_request_enabled receivers>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SignalFunc) and other.fallback == self.fallback

    def __hash__(self) -> int:
        return hash((_SignalFunc, self.fallback))


@attrs.frozen
class Translation:
    """The wsgicors equivalent of a peer's settings.

    ``spec`` is what ``WSGICORS`` would hold: the options of one policy, or a mapping of
    path prefixes to options. ``problems`` are the settings refused (each with its fix),
    ``warnings`` the differences worth knowing. :meth:`policy` builds the policy, raising
    one :class:`~wsgicors.PolicyError` with the refusals and every problem the core finds.
    """

    peer: str
    spec: dict[str, Any]
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    scoped: bool = False
    # Values the translation wrote, and the setting (with its value) they came from.
    origins: Mapping[str, tuple[str, object]] = attrs.field(factory=dict, repr=False)

    def policy(self, source: str | None = None) -> PolicySpec:
        """Build the policy; warnings are issued, problems raised together."""
        for message in self.warnings:
            warnings.warn(message, PolicyWarning, stacklevel=_user_stacklevel())
        problems = list(self.problems)
        built: PolicySpec = None
        try:
            built = spec_from_setting(self.spec, source)
        except PolicyError as error:
            problems.extend(self._renamed(problem) for problem in error.problems)
        if problems:
            raise PolicyError(problems, source=source)
        return built

    def _renamed(self, problem: Problem) -> Problem:
        """A core problem with a value this translation wrote names the peer's setting."""
        origin = self.origins.get(problem.value) if isinstance(problem.value, str) else None
        if origin is None:
            return problem
        setting, value = origin
        return attrs.evolve(
            problem,
            option=setting,
            value=value,
            rule=f"read as {problem.value!r}: {problem.rule}",
        )


def _user_stacklevel() -> int:
    from ..policy import _caller_stacklevel

    return _caller_stacklevel()


# -- the WSGICORS setting ------------------------------------------------------------------


def spec_from_setting(value: object, source: str | None, setting: str = "WSGICORS") -> PolicySpec:
    """The policy a ``WSGICORS`` value describes: options, a ``CORSPolicy``, or a mapping
    of path prefixes to either (or ``None``). Every problem is one ``PolicyError``."""
    if isinstance(value, CORSPolicy):
        return value
    if not isinstance(value, Mapping):
        raise PolicyError(
            [
                Problem(
                    setting,
                    value,
                    "the setting is a dict of CORS options, a CORSPolicy, a dict of path "
                    f"prefixes, {DJANGO_CORS_HEADERS!r} or {FLASK_CORS!r}",
                    f"write {setting} = {{'allow_origins': ['https://www.example.com']}}",
                )
            ],
            source=source,
        )
    if value and all(isinstance(key, str) and key.startswith("/") for key in value):
        return _scoped(value, source, setting)
    try:
        return _policy(value)
    except PolicyError as error:
        raise PolicyError(error.problems, source=source) from None


def _policy(value: Mapping[str, object] | CORSPolicy | None) -> CORSPolicy | None:
    if value is None or isinstance(value, CORSPolicy):
        return value
    options = {key: item for key, item in value.items() if key not in PYTHON_ONLY_OPTIONS}
    overrides = {key: item for key, item in value.items() if key in PYTHON_ONLY_OPTIONS}
    return CORSPolicy.from_dict(options, **overrides)


def _scoped(
    value: Mapping[str, object], source: str | None, setting: str
) -> dict[str, CORSPolicy | None]:
    policies: dict[str, CORSPolicy | None] = {}
    problems: list[Problem] = []
    for prefix, item in value.items():
        if item is not None and not isinstance(item, (Mapping, CORSPolicy)):
            problems.append(
                Problem(
                    f"{setting}[{prefix!r}]",
                    item,
                    "the policy of a path prefix is a dict of CORS options, a CORSPolicy, or "
                    "None for no CORS there",
                    f"write {setting} = {{{prefix!r}: {{'allow_origins': [...]}}}}",
                )
            )
            continue
        try:
            policies[prefix] = _policy(item)
        except PolicyError as error:
            problems.extend(
                attrs.evolve(problem, option=f"[{prefix!r}] {problem.option}")
                for problem in error.problems
            )
    if problems:
        raise PolicyError(problems, source=source)
    return policies


# -- shared pieces -------------------------------------------------------------------------


class _Reader:
    """Collects a translation's problems, warnings and where each origin came from."""

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.origins: dict[str, tuple[str, object]] = {}
        # Every refusal, the repeated ones too: a resource repeats the app's settings.
        self.refusals = 0

    def refuse(self, setting: str, value: object, rule: str, hint: str) -> None:
        self.refusals += 1
        problem = Problem(setting, value, rule, hint)
        if problem not in self.problems:
            self.problems.append(problem)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def translation(self, spec: dict[str, Any], scoped: bool = False) -> Translation:
        return Translation(
            self.peer, spec, tuple(self.problems), tuple(self.warnings), scoped, self.origins
        )


_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# A regex that says exactly "any subdomain of DOMAIN" for a serialised origin: the scheme,
# '.*' or '.+' for the labels, the escaped domain, and optionally any port.
_SUBDOMAIN_REGEX = re.compile(
    r"\^?(?P<scheme>https?)://\(?\.[*+]\)?\\\.(?P<domain>" + _DOMAIN + r")"
    r"(?P<port>\(:\\d\+\)\?|\(:\[0-9\]\+\)\?)?(?:\$|\\Z)?"
)
# '.*', '^.*$' and their kin: every origin.
_ALL_REGEX = re.compile(r"\^?\(?\.[*+]\)?(?:\$|\\Z)?")
# An anchored regex that is a literal header name: '^X-Token$'.
_LITERAL_NAME = re.compile(r"\^?(?P<name>[A-Za-z0-9!#%&'+._`|~-]+)(?:\$|\\Z)?")


def _origin_regex(
    reader: _Reader,
    setting: str,
    pattern: object,
    ignore_case: bool,
    origins: list[str],
    regexes: list[str],
) -> bool:
    """Translate one origin regex: into ``origins`` when it is a safe wildcard form, into
    ``regexes`` for an ``allow_origin_func`` otherwise. True when it means every origin."""
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    if not isinstance(text, str):
        reader.refuse(setting, pattern, "an origin regex is a string", "quote it")
        return False
    try:
        re.compile(text)
    except re.error as error:
        reader.refuse(
            setting,
            text,
            f"not a regular expression ({error})",
            "fix it, or list the origins it should allow",
        )
        return False
    if _ALL_REGEX.fullmatch(text):
        return True
    match = _SUBDOMAIN_REGEX.fullmatch(text)
    if match is not None:
        domain = match["domain"].replace("\\.", ".")
        port = ":*" if match["port"] else ""
        origin = f"{match['scheme']}://*.{domain}{port}"
        origins.append(origin)
        reader.origins[origin] = (setting, text)
        return False
    regexes.append(text)
    reader.warn(
        f"{setting}: {text!r} is not one of the wildcard forms ('https://*.example.com', "
        "'https://host:*'): it becomes an allow_origin_func that allows an origin the regex "
        "matches in full (re.fullmatch; the peer matched a prefix); list the origins, or a "
        "wildcard form, to drop the function"
    )
    return False


# A comma between list entries, not one inside a regex quantifier such as '{2,8}'.
_LIST_COMMA = re.compile(r",(?![^{}]*\})")


def _strings(value: object, split: bool) -> list[object] | None:
    """A list of the entries of ``value``: a list, tuple or set; a string is one entry, or
    its comma-separated parts when ``split`` (a setting from an environment variable)."""
    if isinstance(value, str):
        if split:
            return [part.strip() for part in _LIST_COMMA.split(value) if part.strip()]
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if isinstance(value, re.Pattern):
        return [value]
    return None


def _header_names(
    reader: _Reader, setting: str, names: Iterable[object], allow_regexes: bool
) -> list[str] | None:
    """Header names, without those that change nothing (always allowed, or never sent)."""
    kept: list[str] = []
    for name in names:
        if isinstance(name, re.Pattern) or (
            allow_regexes and isinstance(name, str) and not _FLASK_REGEX_HINTS.isdisjoint(name)
        ):
            text = name.pattern if isinstance(name, re.Pattern) else name
            if _ALL_REGEX.fullmatch(text) or text == ALL:
                return [ALL]
            literal = _LITERAL_NAME.fullmatch(text)
            if literal is not None:
                kept.append(literal["name"])
                continue
            reader.refuse(
                setting,
                text,
                "flask-cors matches a header entry holding any of * \\ ] ? $ ^ [ ( ) as a "
                "regular expression, and wsgicors lists header names",
                "list the header names it should allow, or write '*' to allow every header",
            )
            continue
        if not isinstance(name, str):
            reader.refuse(setting, name, "a header name is a string", "quote it")
            continue
        if name == ALL:
            return [ALL]
        kept.append(name)
    return [
        name
        for name in kept
        if name.lower() not in ALWAYS_ALLOWED_REQUEST_HEADERS
        and not is_forbidden_request_header(name)
    ]


def _path_prefix(pattern: object) -> str | None:
    """The path prefix a path regex means, when it means one; ``"/"`` for every path.

    Reads ``^/api/.*$``, ``^/api/``, ``/api/*`` (flask-cors' form), ``/api/.*`` and the
    catch-alls ``^.*$``, ``/*``, ``*``, ``.*``.
    """
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    if not isinstance(text, str):
        return None
    text = text.removeprefix("^").removesuffix("$")
    if text in ("", ".*", "/*", "*", "/.*", "/.+"):
        return "/"
    for ending in ("/.*", "/*", "(/.*)?", "/"):
        if text.endswith(ending):
            prefix = text[: -len(ending)]
            literal = prefix.replace("\\-", "-").replace("\\.", ".")
            if prefix.startswith("/") and re.fullmatch(r"[/A-Za-z0-9_~.-]+", literal):
                if "." in prefix.replace("\\.", ""):
                    return None  # an unescaped '.' matches any character
                return literal
    return None


# -- django-cors-headers ---------------------------------------------------------------------


def translate_django_cors_headers(settings: object) -> Translation:
    """django-cors-headers' settings, read from ``settings`` (``django.conf.settings`` or any
    object with the ``CORS_*`` attributes), as wsgicors options.

    Missing settings take django-cors-headers' defaults; the legacy names
    (``CORS_ORIGIN_WHITELIST``, ``CORS_ORIGIN_REGEX_WHITELIST``, ``CORS_ORIGIN_ALLOW_ALL``)
    are read when the current ones are not set, as django-cors-headers reads them.
    """
    reader = _Reader(DJANGO_CORS_HEADERS)

    def get(name: str, legacy: str | None = None, default: object = None) -> tuple[str, object]:
        if hasattr(settings, name):
            return name, getattr(settings, name)
        if legacy is not None and hasattr(settings, legacy):
            return legacy, getattr(settings, legacy)
        return name, default

    for removed, hint in (
        ("CORS_REPLACE_HTTPS_REFERER", "remove it: add the origins to CSRF_TRUSTED_ORIGINS"),
        (
            "CORS_MODEL",
            "remove it: pass allow_origin_func, a function (origin, environ) -> bool that "
            "looks the origin up",
        ),
    ):
        if hasattr(settings, removed):
            reader.refuse(
                removed,
                getattr(settings, removed),
                "django-cors-headers no longer reads this setting",
                hint,
            )

    def flag(name: str, legacy: str | None = None) -> tuple[str, bool | None]:
        """A True/False setting, or None when refused: django-cors-headers' checks refuse
        anything else (corsheaders.E003, E005, E015), a string from the environment too."""
        setting, value = get(name, legacy, default=False)
        if isinstance(value, bool):
            return setting, value
        reader.refuse(
            setting,
            value,
            "django-cors-headers accepts only True or False here",
            f"write {setting} = True or False (a string from the environment is not False: "
            "compare it, e.g. os.environ.get(...) == 'true')",
        )
        return setting, None

    options: dict[str, Any] = {}
    _, credentials = flag("CORS_ALLOW_CREDENTIALS")
    all_name, allow_all = flag("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
    origins_name, listed = get("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ())
    regexes_name, regex_settings = get(
        "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ()
    )

    origins: list[str] = []
    regexes: list[str] = []
    every_origin = allow_all is True
    refusals_before = reader.refusals
    entries = _strings(listed, split=False)
    if entries is None:
        reader.refuse(
            origins_name, listed, "a list of origins", "write ['https://www.example.com']"
        )
    else:
        for entry in entries:
            if isinstance(entry, str):
                origins.append(entry)
                reader.origins.setdefault(entry, (origins_name, entry))
            else:
                reader.refuse(origins_name, entry, "an origin is a string", "quote it")
    patterns = _strings(regex_settings, split=False)
    if patterns is None:
        reader.refuse(
            regexes_name,
            regex_settings,
            "a list of regular expressions",
            "write [r'^https://...$']",
        )
    else:
        for pattern in patterns:
            if _origin_regex(reader, regexes_name, pattern, False, origins, regexes):
                every_origin = True

    signal_func = _django_signal(reader)
    refused_all = every_origin and credentials is True
    if refused_all:
        reader.refuse(
            all_name if allow_all is True else regexes_name,
            True if allow_all is True else regex_settings,
            "with CORS_ALLOW_CREDENTIALS, django-cors-headers reflects every Origin with "
            "'Access-Control-Allow-Credentials: true': any site could read your users' data",
            "list the trusted origins in CORS_ALLOWED_ORIGINS (or write WSGICORS with "
            "allow_origins), or pass allow_origin_func to decide them in code",
        )
    elif every_origin:
        options["allow_origins"] = [ALL]
    elif origins or regexes or signal_func:
        if origins:
            options["allow_origins"] = origins
        func: Callable[[str, WSGIEnvironment], bool] | None = (
            OriginRegexes(tuple(regexes)) if regexes else None
        )
        if signal_func:
            func = _SignalFunc(func)
        if func is not None:
            options["allow_origin_func"] = func
    elif allow_all is not None and reader.refusals == refusals_before:
        reader.refuse(
            origins_name,
            [],
            "django-cors-headers allows no origin until one is configured (neither "
            "CORS_ALLOWED_ORIGINS, CORS_ALLOWED_ORIGIN_REGEXES nor CORS_ALLOW_ALL_ORIGINS is set)",
            "set CORS_ALLOWED_ORIGINS to the origins to allow",
        )
    if credentials and not refused_all:
        options["allow_credentials"] = True

    methods_name, methods = get("CORS_ALLOW_METHODS", default=_DJANGO_METHODS)
    method_list = _strings(methods, split=False)
    if method_list is None:
        reader.refuse(methods_name, methods, "a list of methods", "write ['GET', 'POST']")
    else:
        options["allow_methods"] = method_list
    headers_name, headers = get("CORS_ALLOW_HEADERS", default=_DJANGO_HEADERS)
    header_list = _strings(headers, split=False)
    names = (
        None if header_list is None else _header_names(reader, headers_name, header_list, False)
    )
    if names is None:
        reader.refuse(headers_name, headers, "a list of header names", "write ['x-csrftoken']")
    else:
        options["allow_headers"] = names
    expose_name, expose = get("CORS_EXPOSE_HEADERS", default=())
    expose_list = _strings(expose, split=False)
    if expose_list is None:
        reader.refuse(expose_name, expose, "a list of header names", "write ['ETag']")
    elif expose_list:
        options["expose_headers"] = expose_list
    _, max_age = get("CORS_PREFLIGHT_MAX_AGE", default=_DJANGO_MAX_AGE)
    if max_age:  # django-cors-headers sends no header for 0
        options["max_age"] = max_age
    _, private = flag("CORS_ALLOW_PRIVATE_NETWORK")
    if private:
        options["allow_private_network"] = True

    urls_name, urls = get("CORS_URLS_REGEX", default=r"^.*$")
    urls_shown = urls.pattern if isinstance(urls, re.Pattern) else urls
    prefix = _path_prefix(urls)
    if prefix is None:
        reader.refuse(
            urls_name,
            urls_shown,
            "wsgicors chooses a policy by path prefix, and this regular expression is not "
            "one ('^/api/.*$' is)",
            "write WSGICORS as a mapping of path prefixes to options, e.g. "
            "{'/api': {...}}, or mark the views with wsgicors.cors_policy",
        )
    elif prefix != "/" and signal_func:
        reader.refuse(
            urls_name,
            urls_shown,
            "check_request_enabled receivers also turn CORS on outside CORS_URLS_REGEX in "
            "django-cors-headers, and wsgicors applies a policy by path prefix only",
            "remove CORS_URLS_REGEX (the receivers then decide on every path), or write "
            "WSGICORS as a mapping of path prefixes with an allow_origin_func",
        )
    elif prefix != "/":
        return reader.translation({prefix: options}, scoped=True)
    return reader.translation(options)


def _django_signal(reader: _Reader) -> bool:
    """True when ``check_request_enabled`` has receivers: they are honoured."""
    try:
        from corsheaders.signals import check_request_enabled
    except ImportError:
        return False
    if not check_request_enabled.has_listeners():
        return False
    reader.warn(
        "corsheaders.signals.check_request_enabled has receivers: an origin the settings do "
        "not list is allowed when one of them returns a true value for the request (a "
        "django.http.HttpRequest built from the WSGI environ), as django-cors-headers does; "
        "receivers connected after the policy is built are not seen"
    )
    return True


# -- flask-cors ------------------------------------------------------------------------------


_FLASK_OPTION_NAMES = {
    "CORS_" + name.upper(): name
    for name in (
        "origins",
        "methods",
        "allow_headers",
        "expose_headers",
        "supports_credentials",
        "max_age",
        "send_wildcard",
        "automatic_options",
        "vary_header",
        "resources",
        "intercept_exceptions",
        "always_send",
        "allow_private_network",
    )
}
_FLASK_DEFAULTS: dict[str, object] = {
    "origins": "*",
    "methods": _FLASK_METHODS,
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "automatic_options": True,
    "vary_header": True,
    "resources": r"/*",
    "intercept_exceptions": True,
    "always_send": True,
    "allow_private_network": False,
}
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off", "")


def translate_flask_cors(config: Mapping[str, Any]) -> Translation:
    """flask-cors' ``CORS_*`` keys, read from ``config`` (a Flask ``app.config``), as
    wsgicors options, with flask-cors' defaults for the keys not set (``None`` counts as
    not set, as in flask-cors). Strings from environment variables are read too:
    comma-separated lists are split, ``"true"``/``"false"`` are booleans, digits a number.
    """
    reader = _Reader(FLASK_CORS)
    base = dict(_FLASK_DEFAULTS)
    for key, name in _FLASK_OPTION_NAMES.items():
        if config.get(key) is not None:
            base[name] = config[key]
    resources = base.pop("resources")
    if resources == r"/*" or resources == "*":
        return reader.translation(_flask_options(reader, base, "CORS_"))
    scopes: dict[str, Any] = {}
    if isinstance(resources, Mapping):
        pairs = list(resources.items())
    else:
        entries = _strings(resources, split=True)
        if entries is None:
            reader.refuse(
                "CORS_RESOURCES",
                resources,
                "a path regex, a list of them, or a dict of them to options",
                "write {r'/api/*': {'origins': [...]}}",
            )
            entries = []
        pairs = [(entry, {}) for entry in entries]
    for pattern, overrides in pairs:
        prefix = _path_prefix(pattern)
        shown = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
        if prefix is None and isinstance(pattern, str) and _FLASK_REGEX_HINTS.isdisjoint(pattern):
            prefix = pattern if pattern.startswith("/") else None
            if prefix is not None:
                reader.warn(
                    f"CORS_RESOURCES: {pattern!r} is a literal path in flask-cors (that path "
                    "only); the path prefix here also covers the paths below it"
                )
        if prefix is None:
            reader.refuse(
                "CORS_RESOURCES",
                shown,
                "wsgicors chooses a policy by path prefix, and this regular expression is "
                "not one (r'/api/*' is)",
                "use path prefixes, or mark the views with wsgicors.cors_policy",
            )
            continue
        if not isinstance(overrides, Mapping):
            reader.refuse(
                f"CORS_RESOURCES[{shown!r}]",
                overrides,
                "the options of a resource are a dict",
                "write {'origins': [...]}",
            )
            continue
        options = dict(base)
        options.update({key: value for key, value in overrides.items() if value is not None})
        where = f"CORS_RESOURCES[{shown!r}]"
        scopes.setdefault(prefix, _flask_options(reader, options, f"{where}.", overrides))
    return reader.translation(scopes, scoped=True)


def _flask_bool(reader: _Reader, setting: str, value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        flag = value.strip().lower() in _TRUE
        if not flag and value:
            reader.warn(
                f"{setting}: {value!r} is read as False here; flask-cors reads any "
                "non-empty string as True"
            )
        return flag
    if isinstance(value, int):
        return bool(value)
    reader.refuse(setting, value, "this option is true or false", f"write {setting} = True")
    return None


def _flask_options(
    reader: _Reader,
    options: Mapping[str, Any],
    prefix: str,
    given: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One flask-cors option set as wsgicors options. ``prefix`` names the options in
    messages: ``"CORS_"`` for app config keys, ``"CORS_RESOURCES['/api/*']."`` for one
    resource's."""

    def name(option: str) -> str:
        if given is not None and option in given:
            return f"{prefix}{option}"
        return f"CORS_{option.upper()}"

    result: dict[str, Any] = {}
    credentials = _flask_bool(
        reader, name("supports_credentials"), options["supports_credentials"]
    )
    origins_value = options["origins"]
    entries = _strings(origins_value, split=True)
    origins: list[str] = []
    regexes: list[str] = []
    every_origin = False
    refusals_before = reader.refusals
    if entries is None:
        reader.refuse(name("origins"), origins_value, "a list of origins", "write ['https://...']")
        entries = []
    for entry in entries:
        if entry == ALL:
            every_origin = True
        elif isinstance(entry, re.Pattern) or (
            isinstance(entry, str) and not _FLASK_REGEX_HINTS.isdisjoint(entry)
        ):
            if isinstance(entry, str) and _is_wildcard_form(entry):
                origins.append(entry)
                reader.origins.setdefault(entry, (name("origins"), entry))
                reader.warn(
                    f"{name('origins')}: {entry!r} is a regular expression to flask-cors, "
                    "which never matches a subdomain; here it allows the subdomains it names"
                )
            elif _origin_regex(reader, name("origins"), entry, True, origins, regexes):
                every_origin = True
        elif isinstance(entry, str):
            origins.append(entry)
            reader.origins.setdefault(entry, (name("origins"), entry))
        else:
            reader.refuse(name("origins"), entry, "an origin is a string", "quote it")
    refused_all = bool(every_origin and credentials)
    if refused_all:
        reader.refuse(
            name("origins"),
            origins_value,
            "with supports_credentials, flask-cors reflects every Origin with "
            "'Access-Control-Allow-Credentials: true': any site could read your users' data",
            "list the trusted origins, or pass allow_origin_func to decide them in code",
        )
    elif every_origin:
        result["allow_origins"] = [ALL]
    else:
        if origins:
            result["allow_origins"] = origins
        if regexes:
            result["allow_origin_func"] = OriginRegexes(tuple(regexes), ignore_case=True)
        if not origins and not regexes and reader.refusals == refusals_before:
            reader.refuse(
                name("origins"),
                origins_value,
                "flask-cors allows no origin at all with this value, and a wsgicors policy "
                "allows at least one",
                "list the origins to allow; for no CORS on these paths, map their prefix to "
                "None in WSGICORS",
            )
    if credentials and not refused_all:
        result["allow_credentials"] = True

    methods = _strings(options["methods"], split=True)
    if methods is None:
        reader.refuse(name("methods"), options["methods"], "a list of methods", "write ['GET']")
    else:
        # flask-cors upper-cases every method it is given.
        result["allow_methods"] = [
            method.upper() if isinstance(method, str) else method for method in methods
        ]
    headers = _strings(options["allow_headers"], split=True)
    names = (
        None if headers is None else _header_names(reader, name("allow_headers"), headers, True)
    )
    if names is None:
        reader.refuse(
            name("allow_headers"),
            options["allow_headers"],
            "a list of header names",
            "write ['*']",
        )
    else:
        result["allow_headers"] = names
    expose = options["expose_headers"]
    if expose is not None:
        expose_list = _strings(expose, split=True)
        if expose_list is None:
            reader.refuse(
                name("expose_headers"), expose, "a list of header names", "write ['ETag']"
            )
        elif expose_list:
            result["expose_headers"] = expose_list
    max_age = options["max_age"]
    if isinstance(max_age, str) and max_age.strip().isdigit():
        max_age = int(max_age.strip())
    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())
    if max_age is not None:
        result["max_age"] = max_age
    if _flask_bool(reader, name("allow_private_network"), options["allow_private_network"]):
        result["allow_private_network"] = True
    vary = _flask_bool(reader, name("vary_header"), options["vary_header"])
    if vary is False:
        reader.warn(
            f"{name('vary_header')}: False is not followed: 'Vary: Origin' is always sent "
            "when the answer depends on the Origin, or a shared cache would serve one "
            "origin's answer to another"
        )
    for ignored in ("send_wildcard", "automatic_options", "intercept_exceptions", "always_send"):
        _flask_bool(reader, name(ignored), options[ignored])
    return result


_WILDCARD_FORM = re.compile(r"https?://(?:\*\.)?[a-z0-9.-]+(?::(?:\*|[0-9]+))?")


def _is_wildcard_form(entry: str) -> bool:
    """``https://*.example.com`` or ``https://host:*``: wsgicors' own wildcard forms."""
    return "*" in entry and _WILDCARD_FORM.fullmatch(entry.lower()) is not None
