"""``CORS(app, ...)``: the configuration of the old ``wsgicors`` 0.7, translated.

Code written for the ``wsgicors`` 0.7 package on PyPI keeps working::

    from wsgicors import CORS
    application = CORS(app, origin="https://app.example.com", methods="GET, POST",
                       headers="*", credentials="true", maxage="180")

and so do its Paste Deploy keys (``policy = name`` and ``name_origin = ...``; see
``wsgicors.integrations.paste``). Each 0.7 option becomes a :class:`~wsgicors.CORSPolicy`
option, and the result is an ordinary :class:`~wsgicors.CORSMiddleware`:

========================  ================================================================
0.7 option                ``CORSPolicy``
========================  ================================================================
``origin``                ``"*"`` and ``"copy"``: ``allow_origins=["*"]`` (``copy`` echoed
                          every origin; ``*`` says the same to a browser, and is safe to
                          cache). Otherwise space-separated origins, ``https://*.example.com``
                          included, as ``allow_origins``. Missing: refused (0.7 allowed no
                          origin at all).
``methods``               comma-separated, as ``allow_methods``, plus ``GET``, ``HEAD`` and
                          ``POST``: 0.7 decorated requests of every method, and browsers send
                          those three without asking (they are CORS-safelisted methods).
                          ``"*"``: any method. Missing: ``GET``, ``HEAD``, ``POST``.
``headers``               comma-separated, as ``allow_headers``; ``"*"``: any. Missing: only
                          the always-allowed ones, as in 0.7.
``expose_headers``        comma-separated, as ``expose_headers``; ``"*"``: all.
``credentials``           ``"true"``: ``allow_credentials=True``; ``"false"`` or missing:
                          ``False``.
``maxage``                a number of seconds in ASCII digits, as ``max_age``; ``0`` still
                          sends ``Access-Control-Max-Age: 0`` (no preflight caching), as
                          0.7 did, where ``max_age=0`` sends no header.
``policy``                names the policies (``name_origin = ...``); ``deny``, or no
                          ``policy`` and no options, leaves responses undecorated. When one
                          name extends another (``a`` and ``a_b``), a key belongs to the
                          longest name it starts with: ``a_b_origin`` is policy ``a_b``'s.
``matchstrategy``         ``firstmatch`` or ``verbmatch``: several policies are merged into
                          one when they differ only in ``origin``, so both read the same.
========================  ================================================================

Lists are split on ASCII separators only (``,`` between names; spaces, tabs and the line
breaks of a continued ini value between origins): a no-break space or another Unicode
separator stays part of the value, which is then refused, never silently read.

What 0.7 did insecurely is a :class:`~wsgicors.PolicyError` that names the 0.7 option and
the safe replacement: ``*`` or ``copy`` with ``credentials = true`` (0.7 answered every site
with the user's cookies allowed), shell patterns other than a leading ``*.`` subdomain
(``?``, ``[...]``, ``https://*example.com``), and every other rule of
:class:`~wsgicors.CORSPolicy`. Several policies that differ in more than their origins are
refused too: wsgicors applies one policy per path prefix.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .durations import MAX_SECONDS
from .errors import PolicyError, PolicyWarning, Problem
from .middleware import CORSMiddleware
from .origins import ALL
from .policy import CORSPolicy

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

__all__ = ["CORS", "legacy_middleware", "legacy_policy"]

_OPTIONS = ("origin", "methods", "headers", "expose_headers", "credentials", "maxage")
_OLD_NAMES = {
    "allow_origins": "origin",
    "allow_methods": "methods",
    "allow_headers": "headers",
    "expose_headers": "expose_headers",
    "allow_credentials": "credentials",
    "max_age": "maxage",
}
_STRATEGIES = ("firstmatch", "verbmatch")
_DENY = "deny"
# Fetch #cors-safelisted-method: a browser sends these without a preflight, and 0.7
# decorated their responses whatever its 'methods' said.
_SAFELISTED_METHODS = ("GET", "HEAD", "POST")
_ANY_ORIGIN = ("*", "copy")
# str.split() and str.strip() with no argument also act on Unicode separators (U+001C,
# U+00A0, U+3000, ...); 0.7 split on ASCII, and a value holding one is refused whole
# rather than silently split or trimmed.
_ASCII_SPACE = " \t\r\n\f\v"
_ORIGIN_SEPARATOR = re.compile(r"[ \t\r\n\f\v]+")
_NAME_SPACE = " \t"
# [0-9]: str.isdigit() also accepts '²' and other digits int() refuses or reads differently.
_SECONDS = re.compile(r"[0-9]+")
# Whole seconds in Go's duration range have at most this many digits; longer strings are
# refused before int() reads them.
_MAX_SECONDS_DIGITS = len(str(MAX_SECONDS))
# 0.7 sent maxage = 0 verbatim, which turns the preflight cache off; CORSPolicy sends
# 'Access-Control-Max-Age: 0' for a negative max_age (0 there means no header).
_NO_CACHING = -1


def CORS(
    application: WSGIApplication, cfg: Mapping[str, Any] | None = None, **kw: Any
) -> CORSMiddleware:
    """Wrap ``application`` as ``wsgicors.CORS`` 0.7 did, with the same options.

    As in 0.7, keyword options without ``policy`` configure one policy directly; otherwise
    the options (the keywords, else ``cfg``) name policies with ``policy`` and prefix their
    options with the policy's name. Raises :class:`~wsgicors.PolicyError` for every problem.
    """
    if kw:
        return legacy_middleware(application, kw)
    if cfg is not None and not isinstance(cfg, Mapping):
        raise PolicyError(
            [
                Problem(
                    "cfg",
                    cfg,
                    "cfg is a mapping of wsgicors 0.7 options",
                    "write CORS(app, {'origin': 'https://app.example.com'}) or "
                    "CORS(app, origin='https://app.example.com')",
                )
            ]
        )
    return legacy_middleware(application, cfg or {})


def legacy_middleware(
    application: WSGIApplication,
    options: Mapping[str, Any],
    *,
    source: str | None = None,
    shared: Mapping[str, Any] | None = None,
) -> CORSMiddleware:
    """``legacy_policy()`` applied to ``application``; a denying policy decorates nothing."""
    policy = legacy_policy(options, source=source, shared=shared)
    # '/' matches every path, and None there means the middleware does nothing.
    return CORSMiddleware(application, {"/": None} if policy is None else policy)


def legacy_policy(
    options: Mapping[str, Any],
    *,
    source: str | None = None,
    shared: Mapping[str, Any] | None = None,
) -> CORSPolicy | None:
    """The :class:`~wsgicors.CORSPolicy` for 0.7 options, or ``None`` for 0.7's ``deny``.

    ``source`` names the file the options came from, for the error message. ``shared``
    holds options set for a whole Paste Deploy file (its ``[DEFAULT]`` section and
    ``loadapp(global_conf=...)``): as in 0.7, ``options`` are merged over them and win.
    Shared options serve other components too, so only ``policy``, ``matchstrategy`` and
    the keys of the named policies are read from them; the others are ignored silently,
    and a shared key of a named policy that is no 0.7 option is ignored with a
    :class:`~wsgicors.PolicyWarning` (in the component's own options it is refused).
    """
    problems: list[Problem] = []
    shared = shared or {}
    if "policy" in options or "policy" in shared:
        policy = _named({**shared, **options}, problems, local=options if shared else None)
    else:
        policy = _direct(options, problems)
    if problems:
        raise PolicyError(problems, source=source)
    return policy


def _direct(options: Mapping[str, Any], problems: list[Problem]) -> CORSPolicy | None:
    if not options:
        return None  # CORS(app) with no option was 0.7's deny
    values: dict[str, Any] = {}
    for key, value in options.items():
        if key in _OPTIONS:
            values[key] = value
        elif key == "matchstrategy":
            _check_strategy(value, problems)
        else:
            problems.append(_unknown(str(key), value, [*_OPTIONS, "policy", "matchstrategy"]))
    kwargs = _translate(values, "", problems)
    return _build(kwargs, {"": values}, problems)


def _named(
    options: Mapping[str, Any],
    problems: list[Problem],
    *,
    local: Mapping[str, Any] | None = None,
) -> CORSPolicy | None:
    """One policy for the policies named by ``policy``.

    ``local``, when given, holds the keys the component was configured with itself; the
    other keys of ``options`` are shared ones, which are not refused when unknown.
    """
    listed = options["policy"]
    if not isinstance(listed, str) or not listed.strip():
        problems.append(
            Problem(
                "policy",
                listed,
                "policy is a comma-separated list of policy names",
                "write policy = mypolicy and mypolicy_origin = https://app.example.com",
            )
        )
        return None
    # 0.7 read an empty name (policy = a, , b) as a policy that never matched.
    names = [name for name in (name.strip(_NAME_SPACE) for name in listed.split(",")) if name]
    # 0.7 stopped at 'deny': the policies after it were never used.
    active = names[: names.index(_DENY)] if _DENY in names else names
    _check_strategy(options.get("matchstrategy", "firstmatch"), problems)

    per_policy: dict[str, dict[str, Any]] = {name: {} for name in active}
    # Longest first: with policies 'a' and 'a_b', 'a_b_origin' is a_b's origin, not a's
    # unknown option 'b_origin' (0.7 gave each policy the keys after its own prefix).
    by_length = sorted(set(active), key=len, reverse=True)
    ignored: list[str] = []
    ignored_shared: list[str] = []
    for key, value in options.items():
        if key in ("policy", "matchstrategy"):
            continue
        is_local = local is None or key in local
        owner = next((name for name in by_length if str(key).startswith(name + "_")), None)
        if owner is None:
            if is_local:
                ignored.append(str(key))
            continue
        option = str(key)[len(owner) + 1 :]
        if option in _OPTIONS:
            per_policy[owner][option] = value
        elif is_local:
            known = [f"{owner}_{name}" for name in _OPTIONS]
            problems.append(_unknown(str(key), value, known))
        else:
            ignored_shared.append(str(key))
    if ignored:
        warnings.warn(
            f"ignored {', '.join(ignored)}: no policy named in policy = {listed!r} owns "
            "them (wsgicors 0.7 ignored them too)",
            PolicyWarning,
            stacklevel=4,
        )
    if ignored_shared:
        keys = ", ".join(repr(key) for key in ignored_shared)
        warnings.warn(
            f"ignored {keys} in the shared options ([DEFAULT]): not a wsgicors 0.7 option "
            f"({', '.join(_OPTIONS)}) of the policy the key starts with; rename the key if "
            "it belongs to another component, or correct it if it is a misspelt CORS option",
            PolicyWarning,
            stacklevel=4,
        )
    if not active:
        return None
    translated: dict[str, dict[str, Any]] = {}
    for name in active:
        if not per_policy[name]:
            problems.append(
                Problem(
                    "policy",
                    name,
                    f"the policy {name!r} has no options, so wsgicors 0.7 allowed nothing for it",
                    f"define {name}_origin = ..., or remove {name!r} from policy",
                )
            )
            continue
        translated[name] = _translate(per_policy[name], name + "_", problems)
    if len(translated) > 1:
        merged = _merge(translated, listed, problems)
        if merged is None:
            return None
        return _build(merged, per_policy, problems)
    if not translated:
        return None
    ((name, kwargs),) = translated.items()
    return _build(kwargs, {name: per_policy[name]}, problems)


def _translate(values: Mapping[str, Any], prefix: str, problems: list[Problem]) -> dict[str, Any]:
    """CORSPolicy keyword arguments for one 0.7 policy; problems are named as in 0.7."""
    kwargs: dict[str, Any] = {}
    credentials = _credentials(values.get("credentials"), prefix + "credentials", problems)
    kwargs["allow_credentials"] = credentials
    origins = _origins(values.get("origin"), prefix + "origin", credentials, problems)
    if origins is None:
        # Already reported; the other options are still checked, without credentials so that
        # the origin problem is not reported twice.
        kwargs["allow_credentials"] = False
    else:
        kwargs["allow_origins"] = origins
    methods = _names(values.get("methods"), prefix + "methods", problems)
    if methods:
        if ALL not in methods:
            methods += tuple(m for m in _SAFELISTED_METHODS if m not in methods)
        kwargs["allow_methods"] = methods
    headers = _names(values.get("headers"), prefix + "headers", problems)
    kwargs["allow_headers"] = headers or ()
    exposed = _names(values.get("expose_headers"), prefix + "expose_headers", problems)
    if exposed:
        kwargs["expose_headers"] = exposed
    max_age = _max_age(values.get("maxage"), prefix + "maxage", problems)
    if max_age is not None:
        kwargs["max_age"] = max_age
    return kwargs


def _origins(
    value: object, option: str, credentials: bool, problems: list[Problem]
) -> tuple[str, ...] | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(
            Problem(
                option,
                value,
                "an origin is required: without one wsgicors 0.7 allowed no origin at all",
                f"write {option} = https://app.example.com (several: separate with spaces)",
            )
        )
        return None
    if not isinstance(value, str):
        problems.append(_not_string(option, value, "https://a.example.com https://b.example.com"))
        return None
    tokens = _split_origins(value)
    if tokens in (["*"], ["copy"]):
        if credentials:
            problems.append(
                Problem(
                    option,
                    value,
                    f"with credentials, wsgicors 0.7 answered {value.strip()!r} by echoing "
                    "every origin, so any website could read responses made with the user's "
                    "cookies",
                    "list the trusted origins instead, e.g. "
                    f"{option} = https://app.example.com https://*.example.com",
                )
            )
            return None
        return (ALL,)
    kept: list[str] = []
    for token in tokens:
        if token in _ANY_ORIGIN:
            problems.append(
                Problem(
                    option,
                    token,
                    f"{token!r} means every origin only on its own; among other origins "
                    "wsgicors 0.7 ignored it",
                    f"remove {token!r}, or write {option} = * alone",
                )
            )
        elif "?" in token or "[" in token:
            problems.append(
                Problem(
                    option,
                    token,
                    "wsgicors 0.7 matched origins as shell patterns; '?' and '[...]' also "
                    "match origins an attacker can register",
                    "list each origin, or use 'https://*.example.com' for subdomains",
                )
            )
        else:
            kept.append(token)
    return tuple(kept) if kept else None


def _names(value: object, option: str, problems: list[Problem]) -> tuple[str, ...]:
    """A 0.7 comma-separated list; ``"*"`` among the names means any."""
    if value is None:
        return ()
    if not isinstance(value, str):
        problems.append(_not_string(option, value, "X-Requested-With, Content-Type"))
        return ()
    stripped = (name.strip(_NAME_SPACE) for name in value.split(","))
    names = tuple(name for name in stripped if name)
    return (ALL,) if ALL in names else names


def _split_origins(value: str) -> list[str]:
    return [token for token in _ORIGIN_SEPARATOR.split(value) if token]


def _credentials(value: object, option: str, problems: list[Problem]) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value in ("true", "false", ""):
        return value == "true"
    problems.append(
        Problem(
            option,
            value,
            "wsgicors 0.7 read only 'true' as true, and anything else as false",
            f"write {option} = true or {option} = false",
        )
    )
    return False


def _max_age(value: object, option: str, problems: list[Problem]) -> int | None:
    if value is None or value == "":
        return None
    seconds: int | None = None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        seconds = value
    elif isinstance(value, str):
        digits = value.strip(_ASCII_SPACE)
        if _SECONDS.fullmatch(digits):
            # A longer string is out of range anyway; int() never reads thousands of digits.
            seconds = int(digits) if len(digits) <= _MAX_SECONDS_DIGITS else MAX_SECONDS + 1
    if seconds is None:
        problems.append(
            Problem(
                option,
                value,
                "maxage is a number of seconds in ASCII digits (wsgicors 0.7 copied anything "
                "else into Access-Control-Max-Age, where browsers ignore it)",
                f"write {option} = 180",
            )
        )
        return None
    if seconds > MAX_SECONDS:
        problems.append(
            Problem(
                option,
                value,
                f"maxage is at most {MAX_SECONDS} seconds (Go's duration range), and browsers "
                "cache a preflight for at most 7200 s (Chromium) or 86400 s (Firefox)",
                f"write {option} = 7200",
            )
        )
        return None
    return _NO_CACHING if seconds == 0 else seconds


def _check_strategy(value: object, problems: list[Problem]) -> None:
    if not (isinstance(value, str) and value in _STRATEGIES):
        problems.append(
            Problem(
                "matchstrategy",
                value,
                "matchstrategy is 'firstmatch' or 'verbmatch'",
                "write matchstrategy = firstmatch, or remove it",
            )
        )


def _merge(
    translated: dict[str, dict[str, Any]], listed: str, problems: list[Problem]
) -> dict[str, Any] | None:
    """One policy for several that differ only in their origins, else a problem."""
    if any("allow_origins" not in kwargs for kwargs in translated.values()):
        return None  # an origin problem is reported, and credentials were set aside for it
    names = list(translated)
    first = translated[names[0]]
    differing = sorted(
        {
            _OLD_NAMES[key]
            for name in names[1:]
            for key in {*first, *translated[name]} - {"allow_origins"}
            if first.get(key) != translated[name].get(key)
        }
    )
    if differing:
        problems.append(
            Problem(
                "policy",
                listed,
                "wsgicors 0.7 chose one of several policies by the request's origin, and "
                f"these differ in {', '.join(differing)}; wsgicors applies one policy (per "
                "path prefix)",
                "give the policies the same options apart from origin so that they merge, "
                "or scope policies by path with CORSMiddleware(app, {'/api': CORSPolicy(...)})",
            )
        )
        return None
    origins: list[str] = []
    for kwargs in translated.values():
        origins.extend(o for o in kwargs["allow_origins"] if o not in origins)
    # Under firstmatch a policy allowing every origin ends the search: the union is '*'.
    return {**first, "allow_origins": (ALL,) if ALL in origins else tuple(origins)}


def _build(
    kwargs: dict[str, Any], values: Mapping[str, Mapping[str, Any]], problems: list[Problem]
) -> CORSPolicy | None:
    try:
        policy = CORSPolicy(**kwargs)
    except PolicyError as error:
        problems.extend(_renamed(problem, values) for problem in error.problems)
        return None
    return policy if not problems else None


def _renamed(problem: Problem, values: Mapping[str, Mapping[str, Any]]) -> Problem:
    """The problem under the 0.7 name of its option, with the owning policy's prefix."""
    old = _OLD_NAMES.get(problem.option)
    if old is None:
        return problem
    owner = next(iter(values))
    if old == "origin":
        # Merged policies: name the one that listed the origin.
        for name, options in values.items():
            origin = options.get("origin")
            if isinstance(origin, str) and str(problem.value) in _split_origins(origin.lower()):
                owner = name
                break
    return attrs.evolve(problem, option=f"{owner}_{old}" if owner else old)


def _unknown(key: str, value: object, known: list[str]) -> Problem:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"wsgicors 0.7 options: {', '.join(known)}"
    return Problem(key, value, "unknown wsgicors 0.7 option", hint)


def _not_string(option: str, value: object, example: str) -> Problem:
    return Problem(
        option,
        value,
        "wsgicors 0.7 options are strings",
        f"write {option} = {example!r}",
    )
