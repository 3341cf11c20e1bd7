"""``CORSPolicy``: what the user allows, validated once, as an immutable value.

The options and their defaults follow KrakenD's ``security/cors`` namespace, so a KrakenD
configuration loads unchanged with :meth:`CORSPolicy.from_dict` or
:meth:`CORSPolicy.from_krakend`. Converters normalise what they are given (tuples instead
of lists, lower-case origins, upper-case standard methods, seconds for ``max_age``);
``__attrs_post_init__`` then checks every option and reports every problem in one
:class:`~wsgicors.errors.PolicyError`.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import attrs

from .durations import DurationError, DurationRangeError, to_seconds
from .errors import PolicyError, PolicyWarning, Problem, show
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

__all__ = [
    "KRAKEND_OPTIONS",
    "PYTHON_ONLY_OPTIONS",
    "CORSPolicy",
    "OriginFunc",
    "python_dict_hints",
    "read_json",
    "read_json_text",
    "reading_file",
]

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

# Where the options being built were written, so that every hint shows its fix in the syntax
# the user wrote them in, and a warning names the file instead of whatever code loaded it:
# the options whose values came from JSON (every other option is a Python keyword), and the
# file, with its text, that the JSON came from.
_JSON_OPTIONS: ContextVar[frozenset[str]] = ContextVar("_JSON_OPTIONS", default=frozenset())
_FILE: ContextVar[tuple[str, str] | None] = ContextVar("_FILE", default=None)
# Set while from_dict reads a Python dict (Django's settings.WSGICORS), not parsed JSON.
_DICT_SYNTAX: ContextVar[bool] = ContextVar("_DICT_SYNTAX", default=False)
# The keywords the constructor did not know, reported with the policy's other problems.
_UNKNOWN_KEYWORDS: ContextVar[tuple[Problem, ...]] = ContextVar("_UNKNOWN_KEYWORDS", default=())


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
        problems = [*_UNKNOWN_KEYWORDS.get(), *_Checker(self).problems()]
        if problems:
            raise PolicyError(problems)
        for option, message in _advice(self):
            _warn(option, message)

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
        return _from_dict(cls, obj, overrides, frozenset())

    @classmethod
    def from_krakend(
        cls, config: str | os.PathLike[str] | Mapping[str, Any], /, **overrides: Any
    ) -> CORSPolicy:
        """Build a policy from a whole KrakenD configuration: a path or a parsed mapping.

        Reads ``extra_config["security/cors"]`` and ``extra_config["router"]["auto_options"]``;
        keyword ``overrides`` replace options as in :meth:`from_dict`.
        """
        if isinstance(config, Mapping):
            return _from_krakend(cls, config, None, overrides)
        source = os.fspath(config)
        data, text = read_json_text(source)
        with reading_file(source, text):
            return _from_krakend(cls, data, source, overrides)


_OPTIONS = tuple(field.name for field in attrs.fields(CORSPolicy))
_attrs_init = CORSPolicy.__init__


# A misspelt keyword (CORSPolicy(allow_origin=[...])) would be a bare TypeError from the
# __init__ attrs writes; here it is one more problem of the PolicyError, with the hint JSON
# gets ("did you mean 'allow_origins'?"), reported together with every other problem. The
# class stays an ordinary @attrs.frozen class, so type checkers, IDEs, attrs.fields() and
# attrs.evolve() see the real signature; only the function behind __init__ is wrapped
# (functools.wraps keeps inspect.signature() and help() showing the attrs signature). No
# metaclass, __new__ or __init_subclass__: those would hide the signature or change the class.
@functools.wraps(_attrs_init)
def _init(self: CORSPolicy, *args: Any, **kwargs: Any) -> None:
    unknown = [key for key in kwargs if key not in _OPTIONS]
    if not unknown:
        _attrs_init(self, *args, **kwargs)
        return
    problems = tuple(_unknown_option(key, kwargs.pop(key), _OPTIONS) for key in unknown)
    token = _UNKNOWN_KEYWORDS.set(problems)
    try:
        _attrs_init(self, *args, **kwargs)
    finally:
        _UNKNOWN_KEYWORDS.reset(token)


CORSPolicy.__init__ = _init  # type: ignore[method-assign]


def _from_krakend(
    cls: type[CORSPolicy], config: object, source: str | None, overrides: dict[str, Any]
) -> CORSPolicy:
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
    written_in_json = frozenset(options) - set(overrides)
    options.update(overrides)
    try:
        return _from_dict(cls, cors, options, written_in_json)
    except PolicyError as error:
        raise PolicyError(error.problems, source=source) from None


def _from_dict(
    cls: type[CORSPolicy],
    obj: object,
    overrides: Mapping[str, Any],
    written_in_json: frozenset[str],
) -> CORSPolicy:
    """``from_dict``, told which of the ``overrides`` were read from JSON too."""
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
        _warn(
            "allow_headers",
            "allow_headers: [] allows only the four always-allowed headers (Accept, "
            "Accept-Language, Content-Language, Content-Type), but KrakenD reads an empty "
            'list as every header: write ["*"] for that',
        )
    from_json = frozenset(kwargs)
    known = [field.name for field in attrs.fields(cls)]
    for key, value in overrides.items():
        if key in known:
            kwargs[key] = value
        else:
            problems.append(_unknown_option(key, value, known))
    token = _JSON_OPTIONS.set((from_json - set(overrides)) | written_in_json)
    try:
        return _build(cls, kwargs, problems)
    finally:
        _JSON_OPTIONS.reset(token)


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
    return read_json_text(path)[0]


def read_json_text(path: str) -> tuple[Any, str]:
    """Parse a JSON file, and return its text too; every way it can fail is a ``PolicyError``
    whose ``unreadable`` is true, with one problem that says where and how to fix it."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError as error:
        raise _unreadable(path, *_os_problem(path, error)) from None
    except UnicodeDecodeError as error:
        raise _unreadable(
            path, f"the file is not UTF-8 ({error.reason})", "save it as UTF-8"
        ) from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as error:
        raise _unreadable(path, *_json_syntax(error)) from None
    except RecursionError:
        raise _unreadable(
            path,
            "the JSON nests arrays or objects too deeply to read",
            "a CORS configuration nests a few levels at most: check the file",
        ) from None
    except ValueError:  # an integer longer than int() converts (sys.get_int_max_str_digits)
        raise _unreadable(
            path,
            "the JSON holds a number too long to read",
            "no CORS option needs more than a few digits: check the file",
        ) from None


def _unreadable(path: str, rule: str, hint: str) -> PolicyError:
    return PolicyError([Problem("config", path, rule, hint)], source=path, unreadable=True)


def _os_problem(path: str, error: OSError) -> tuple[str, str]:
    if isinstance(error, FileNotFoundError):
        if os.path.isabs(path):
            return "there is no such file", "check the path"
        return (
            "there is no such file",
            f"check the path: a relative path is read from the working directory, {os.getcwd()}",
        )
    if isinstance(error, IsADirectoryError):
        return "it is a directory", "name the JSON file in it"
    if isinstance(error, PermissionError):
        return "permission denied", "make the file readable by the user the server runs as"
    return f"the file cannot be read ({error.strerror or error})", "check the path"


def _json_syntax(error: json.JSONDecodeError) -> tuple[str, str]:
    """The rule and hint for a JSON syntax error, pointing where the mistake is.

    The parser stops at the first character it cannot use, which is often a line after the
    mistake: a missing ',' is found at the next value, a trailing ',' at the closing bracket.
    The message points at the mistake itself, and says the fix.
    """
    text, pos, msg = error.doc, error.pos, error.msg
    # The last character before the one the parser stopped at, skipping whitespace.
    before = len(text[:pos].rstrip()) - 1
    after = text[pos] if pos < len(text) else ""

    def line_of(index: int) -> int:
        return text.count("\n", 0, index) + 1

    def at(index: int) -> str:
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return f"invalid JSON at line {line_of(index)}, column {column}"

    def ends_its_line(index: int) -> bool:
        end = text.find("\n", index + 1)
        return not text[index + 1 : end if end >= 0 else len(text)].strip()

    if not text.strip():
        return "the file is empty", 'write a JSON object, e.g. {"allow_origins": ["*"]}'
    if msg.startswith("Invalid control character") and after in "\r\n":
        return (
            f"{at(text.rfind(chr(34), 0, pos))}: a string is not closed",
            "end it with '\"' on the same line",
        )
    if msg.startswith("Invalid control character"):
        return f"{at(pos)}: a string holds a control character", "write it as \\t, \\n or \\u00XX"
    if pos >= len(text.rstrip()) and msg != "Extra data":
        return (
            f"{at(before)}: the file ends before every object and array is closed",
            "close each '{' with '}' and each '[' with ']'",
        )
    if msg == "Expecting ',' delimiter":
        where = (
            f"at the end of line {line_of(before)}"
            if ends_its_line(before)
            else f"after the value that ends at line {line_of(before)}"
        )
        return f"{at(before + 1)}: a ',' is missing after this value", f"add a ',' {where}"
    if after and after in "}]" and before >= 0 and text[before] == ",":
        return (
            f"{at(before)}: a ',' before '{after}' (JSON allows no trailing comma)",
            f"remove the ',' at the end of line {line_of(before)}"
            if ends_its_line(before)
            else "remove that ','",
        )
    if after == "'":
        return f"{at(pos)}: JSON strings use double quotes", "write \"name\", not 'name'"
    word = text[pos : pos + 5]
    if msg == "Expecting value" and word.startswith(("True", "False", "None")):
        python = next(w for w in ("True", "False", "None") if word.startswith(w))
        json_word = {"True": "true", "False": "false", "None": "null"}[python]
        return f"{at(pos)}: {python} is Python, not JSON", f"write {json_word}"
    if msg.startswith("Expecting property name"):
        return f"{at(pos)}: expected a name in double quotes", 'write each entry as "name": value'
    if msg == "Expecting ':' delimiter":
        return f"{at(pos)}: a ':' is missing after the name", 'write each entry as "name": value'
    if msg == "Extra data":
        return (
            f"{at(pos)}: more text after the JSON object has ended",
            "a configuration file holds one JSON object: remove what follows its closing '}'",
        )
    if msg.startswith("Unterminated string"):
        return f"{at(pos)}: a string is not closed", "end it with '\"' on the same line"
    return f"{at(pos)}: {msg}", "fix the JSON syntax there"


@contextlib.contextmanager
def python_dict_hints() -> Iterator[None]:
    """While :meth:`CORSPolicy.from_dict` reads a dict written in Python (a Django setting),
    its hints are Python too: ``"allow_credentials": True``, not JSON's ``true``."""
    token = _DICT_SYNTAX.set(True)
    try:
        yield
    finally:
        _DICT_SYNTAX.reset(token)


@contextlib.contextmanager
def reading_file(path: str, text: str) -> Iterator[None]:
    """While building a policy from the JSON in ``path``: a warning names the file and the line
    of the option, not the code that loaded it."""
    token = _FILE.set((path, text))
    try:
        yield
    finally:
        _FILE.reset(token)


def _option_line(text: str, option: str) -> int:
    """The line of ``"option"`` in a JSON text (in its ``security/cors`` object if it has
    one), or of that object, or 1."""
    start = text.find('"security/cors"')
    found = text.find(f'"{option}"', max(start, 0))
    index = found if found >= 0 else max(start, 0)
    return text.count("\n", 0, index) + 1


def _warn(option: str, message: str) -> None:
    file = _FILE.get()
    if file is None:
        warnings.warn(message, PolicyWarning, stacklevel=_caller_stacklevel())
    else:
        path, text = file
        warnings.warn_explicit(message, PolicyWarning, path, _option_line(text, option))


def _unknown_option(key: str, value: object, known: Iterable[str]) -> Problem:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known options: {', '.join(known)}"
    return Problem(str(key), value, "unknown option", hint)


class _Checker:
    """Collects every problem of a policy, each with the rule it breaks and its fix."""

    def __init__(self, policy: CORSPolicy) -> None:
        self.policy = policy
        self._problems: list[Problem] = []
        self._json = _JSON_OPTIONS.get()
        self._dict = _DICT_SYNTAX.get()

    def add(self, option: str, value: object, rule: str, hint: str) -> None:
        self._problems.append(Problem(option, value, rule, hint))

    # A fix is written in the syntax of the option's value: JSON for what was read from JSON
    # (from_dict, from_krakend, a configuration file), a Python dict entry for a dict written
    # in Python (python_dict_hints), a Python keyword otherwise.

    def _string(self, option: str, value: str) -> str:
        if option not in self._json or self._dict:
            return show(value)
        text = json.dumps(value[:400])
        return text if len(value) <= 400 else text[:-1] + '..."'

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
            if option not in self._json:
                either = f"{option}=True or False"
            elif self._dict:
                either = f'"{option}": True or False'
            else:
                either = f'"{option}": true or false'

            self.add(option, value, "this option is true or false", f"write {either}")

    def _check_strings(self, option: str, value: object) -> bool:
        if isinstance(value, str):
            self.add(
                option,
                value,
                "this option is a list of strings, not a single string",
                f"write [{self._string(option, value)}]",
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
                    "write the method name alone, e.g. "
                    + self._string("allow_methods", method.strip().split()[0])
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
                f"{_CAPS_TEXT}: write e.g. {self._string('max_age', '2h')}",
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
                f"write e.g. {self._string('max_age', '12h')} or 43200",
            )

    def _check_status(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 299:
            self.add(
                "options_success_status",
                value,
                "a successful preflight has a 2xx status: browsers fail any other",
                "use 204 (the default) or 200",
            )


def _advice(policy: CORSPolicy) -> list[tuple[str, str]]:
    """Each piece of advice, with the option it is about."""
    advice: list[tuple[str, str]] = []
    if ALL in policy.allow_origins and len(policy.allow_origins) > 1:
        others = [origin for origin in policy.allow_origins if origin != ALL]
        advice.append(
            (
                "allow_origins",
                f"allow_origins: '*' allows every origin, so {others!r} are redundant",
            )
        )
    if ALL in policy.allow_methods and len(policy.allow_methods) > 1:
        advice.append(
            (
                "allow_methods",
                "allow_methods: '*' allows every method, so the other entries are redundant",
            )
        )
    if ALL in policy.allow_headers and len(policy.allow_headers) > 1:
        advice.append(
            (
                "allow_headers",
                "allow_headers: '*' allows every header, so the other entries are redundant",
            )
        )
    for name in policy.allow_headers:
        if is_forbidden_request_header(name):
            advice.append(
                (
                    "allow_headers",
                    f"allow_headers: browsers never send {name!r} in a preflight (a script "
                    "cannot set it), so listing it has no effect",
                )
            )
        elif name.lower() in ALWAYS_ALLOWED_REQUEST_HEADERS and ALL not in policy.allow_headers:
            advice.append(
                (
                    "allow_headers",
                    f"allow_headers: {name!r} is always allowed; listing it is redundant",
                )
            )
    if policy.max_age is not None and policy.max_age > MAX_USEFUL_MAX_AGE:
        advice.append(
            (
                "max_age",
                f"max_age: {policy.max_age} s is above what browsers honour (Chromium caps the "
                f"preflight cache at {PREFLIGHT_CACHE_CAPS['chromium']} s, Firefox at "
                f"{PREFLIGHT_CACHE_CAPS['firefox']} s)",
            )
        )
    return advice
