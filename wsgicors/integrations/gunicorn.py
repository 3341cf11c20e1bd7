"""``wrap()``: add CORS to any WSGI application from the gunicorn command line.

gunicorn calls an application factory written as ``module:function(literal arguments)``::

    gunicorn 'wsgicors:wrap("myproject.wsgi:application", config="krakend.json")'

``wrap`` imports the application, reads the policy (``config``, else the file named by
``$WSGICORS_CONFIG``, else the defaults) and returns the wrapped application. Everything
that can be wrong is found there, when gunicorn loads the application, and is reported as a
``WrapError`` whose message is one line naming the import string, the file or the
option.

Under gunicorn the error is also a ``gunicorn.errors.AppImportError``, which gunicorn prints
as that one line (no traceback) before it stops with "App failed to load.", and a
``RuntimeError``, which ``gunicorn --preload`` prints as ``Error: <the line>``. Under
``gunicorn --check-config`` (or ``--print-config``), which prints any exception with its whole
traceback, ``wrap`` prints the line itself and exits with status 1.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from ..config import CONFIG_ENV, policy_from_config
from ..errors import PolicyError, Problem
from ..middleware import CORSMiddleware

if TYPE_CHECKING:
    from types import FrameType
    from wsgiref.types import WSGIApplication

__all__ = ["WrapError", "import_app", "wrap"]

_PREFIX = "wsgicors: "


class WrapError(RuntimeError):
    """The application or the policy given to ``wrap()`` cannot be used.

    ``str(error)`` is one line, and ``reason`` the same without the leading ``wsgicors:``.
    ``problems`` holds the policy's problems when the policy was the cause (empty otherwise)
    and ``source`` the configuration file, when there was one.
    """

    problems: tuple[Problem, ...]
    source: str | None
    reason: str

    def __init__(
        self, message: str, problems: tuple[Problem, ...] = (), source: str | None = None
    ) -> None:
        super().__init__(message)
        self.problems = problems
        self.source = source
        self.reason = message.removeprefix(_PREFIX)


_FLAVOURS: dict[type[Exception], type[WrapError]] = {}


def _with_base(base: type[Exception]) -> type[WrapError]:
    flavour = _FLAVOURS.get(base)
    if flavour is None:
        flavour = _FLAVOURS[base] = type("WrapError", (WrapError, base), {"__module__": __name__})
    return flavour


def _error(
    message: str, problems: tuple[Problem, ...] = (), source: str | None = None
) -> WrapError:
    # gunicorn prints an AppImportError raised while loading the application as its message
    # alone and stops; any other exception is a traceback from every worker it boots. The
    # class is looked up, never imported: outside gunicorn this is a plain WrapError.
    gunicorn_errors = sys.modules.get("gunicorn.errors")
    base = getattr(gunicorn_errors, "AppImportError", None)
    cls = _with_base(base) if isinstance(base, type) and issubclass(base, Exception) else WrapError
    return cls(_PREFIX + message, problems, source)


def import_app(target: str) -> WSGIApplication:
    """Import a WSGI application from ``module``, ``module:name`` or ``module:factory(...)``.

    This is gunicorn's syntax: ``module`` alone means ``module:application``; a dotted
    ``name`` follows attributes; a call's arguments are Python literals.
    """
    module_name, _, expression = target.partition(":")
    expression = expression or "application"
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        node = None
    args: list[Any] | None = None
    kwargs: dict[str, Any] = {}
    if isinstance(node, ast.Call) and all(kw.arg is not None for kw in node.keywords):
        try:
            args = [ast.literal_eval(arg) for arg in node.args]
            kwargs = {str(kw.arg): ast.literal_eval(kw.value) for kw in node.keywords}
        except ValueError:
            node = None
        else:
            node = node.func
    path = _dotted(node)
    if path is None or not module_name or module_name.startswith("."):
        raise _error(
            f"cannot read {target!r} as an application: write 'module:name' or "
            f"'module:factory(...)' with literal arguments, e.g. 'myproject.wsgi:application'"
        )
    try:
        app: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise _error(f"cannot import module {module_name!r} for {target!r}: {error}") from error
    for index, name in enumerate(path):
        try:
            app = getattr(app, name)
        except AttributeError:
            owner = ".".join([module_name, *path[:index]])
            raise _error(f"{owner!r} has no attribute {name!r} (looking for {target!r})") from None
    if args is not None:
        if not callable(app):
            raise _error(f"{target!r} calls {'.'.join(path)!r}, which is not callable")
        app = app(*args, **kwargs)
    if not callable(app):
        raise _error(
            f"{target!r} is {type(app).__name__} {_short_repr(app)}, not a WSGI application: "
            "name the callable, e.g. 'myproject.wsgi:application'"
        )
    return app  # type: ignore[no-any-return]


def _dotted(node: ast.expr | None) -> list[str] | None:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return names[::-1]


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def wrap(
    app_or_import_string: WSGIApplication | str,
    config: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> CORSMiddleware:
    """Wrap an application in :class:`~wsgicors.CORSMiddleware`, as a gunicorn factory.

    ``app_or_import_string`` is a WSGI application or gunicorn's ``module:name`` string.
    ``config`` names a JSON file (a whole ``krakend.json`` or a bare ``security/cors``
    object); without it the file named by ``$WSGICORS_CONFIG`` is read, and with neither
    the default policy applies. Keyword ``overrides`` set options on top of the file, the
    Python-only ones included (``wrap(app, config="cors.json", debug=True)``). A relative
    path is read from the working directory (gunicorn's ``--chdir``).

    Raises ``WrapError``, whose message is one line, for anything that cannot be used.
    """
    try:
        return _wrap(app_or_import_string, config, overrides)
    except WrapError as error:
        if _gunicorn_checking_config():
            print(error, file=sys.stderr)
            raise SystemExit(1) from None
        raise


def _gunicorn_checking_config() -> bool:
    """True when gunicorn loads the application for --check-config or --print-config.

    gunicorn then prints any exception as its traceback, chained causes included, and exits
    with 1; a SystemExit passes through that handler, so the one line can stand alone. The
    frame of gunicorn's ``BaseApplication.run`` says which mode it runs in; under any other
    server, or a gunicorn whose internals differ, this is False and the WrapError is raised.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if (
            frame.f_globals.get("__name__") == "gunicorn.app.base"
            and frame.f_code.co_name == "run"
        ):
            cfg = getattr(frame.f_locals.get("self"), "cfg", None)
            return bool(getattr(cfg, "check_config", False) or getattr(cfg, "print_config", False))
        frame = frame.f_back
    return False


def _wrap(
    app_or_import_string: WSGIApplication | str,
    config: str | os.PathLike[str] | None,
    overrides: dict[str, Any],
) -> CORSMiddleware:
    if isinstance(app_or_import_string, str):
        app = import_app(app_or_import_string)
    elif callable(app_or_import_string):
        app = app_or_import_string
    else:
        raise _error(
            f"{type(app_or_import_string).__name__} {_short_repr(app_or_import_string)} is "
            "not a WSGI application: pass the application or its 'module:name'"
        )
    for key, value in overrides.items():
        if difflib.get_close_matches(key, ["config"], n=1, cutoff=0.8):
            raise _error(f"wrap() got {key}={value!r}: did you mean config={value!r}?")
    from_env = config is None and bool(os.environ.get(CONFIG_ENV))
    try:
        policy = policy_from_config(config, **overrides)
    except PolicyError as error:
        raise _error(_one_line(error, from_env), error.problems, error.source) from error
    return CORSMiddleware(app, policy)


def _one_line(error: PolicyError, from_env: bool) -> str:
    title = error.title
    if error.source and from_env:
        title += f" (named by ${CONFIG_ENV})"
    if error.unreadable and len(error.problems) == 1:
        [problem] = error.problems
        return f"{title}: {problem.rule}; {problem.hint}"
    count = len(error.problems)
    noun = "problem" if count == 1 else "problems"
    listed = " ".join(f"({number}) {problem}" for number, problem in enumerate(error.problems, 1))
    return f"{title} ({count} {noun}): {listed}"
