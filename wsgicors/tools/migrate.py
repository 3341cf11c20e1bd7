"""``wsgicors migrate``: the wsgicors equivalent of django-cors-headers' or flask-cors' settings.

The settings are read by the translations the integrations use at run time
(:mod:`wsgicors.integrations.peers`), so what the command prints is what
``WSGICORS = "django-cors-headers"`` or ``init_app(app)`` would apply: the options as a
``WSGICORS`` dict (``--python``) or a KrakenD ``security/cors`` JSON object, every
difference worth knowing, and every setting refused with its fix.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import warnings
from collections.abc import Mapping
from importlib.machinery import SourceFileLoader
from types import ModuleType
from typing import Any

import attrs

from ..errors import PolicyError, PolicyWarning, Problem
from ..integrations.gunicorn import WrapError, import_app
from ..integrations.peers import (
    DJANGO_CORS_HEADERS,
    OriginRegexes,
    Translation,
    translate_django_cors_headers,
    translate_flask_cors,
)
from ..policy import PYTHON_ONLY_OPTIONS
from . import ToolError

__all__ = ["Migration", "migrate_django", "migrate_flask", "render"]


@attrs.frozen
class Migration:
    """A translation, where its settings came from, and everything said about it."""

    translation: Translation
    source: str
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _checked(translation: Translation, source: str) -> Migration:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PolicyWarning)
        try:
            translation.policy(source)
            problems: tuple[Problem, ...] = ()
        except PolicyError as error:
            problems = error.problems
    found = tuple(
        dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, PolicyWarning))
    )
    return Migration(translation, source, problems, found)


def _importable_from_cwd() -> None:
    """Make the working directory importable, as ``python -m`` and gunicorn do."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def _import_module(target: str) -> ModuleType:
    """A module by dotted name (from the working directory) or by the path of a .py file."""
    if target.endswith(".py"):
        if not os.path.isfile(target):
            raise ToolError(f"{target}: no such file")
        name = os.path.splitext(os.path.basename(target))[0]
        module = ModuleType(f"wsgicors_migrate_{name}")
        module.__file__ = target
        try:
            SourceFileLoader(module.__name__, target).exec_module(module)
        except Exception as error:
            raise ToolError(_not_run(target, error)) from None
        return module
    _importable_from_cwd()
    try:
        return importlib.import_module(target)
    except ImportError as error:
        raise ToolError(
            f"{target}: cannot import it ({error}); give a settings module importable from "
            "the current directory, or the path of a .py file"
        ) from None
    except Exception as error:
        raise ToolError(_not_run(target, error)) from None


def _not_run(target: str, error: Exception) -> str:
    # A settings module often reads the environment (os.environ["SECRET_KEY"]) or imports
    # what only the deployment has: one line, not a traceback.
    return (
        f"{target}: importing it raised {type(error).__name__}: {error}; set what it needs, "
        "or give a file that holds the CORS_* settings alone"
    )


def migrate_django(target: str) -> Migration:
    """django-cors-headers' settings in ``target`` (a module name or a .py file)."""
    module = _import_module(target)
    return _checked(translate_django_cors_headers(module), target)


def migrate_flask(target: str) -> Migration:
    """flask-cors' keys of a Flask app (``MODULE:APP``), or of a config file (.py, .json)."""
    config: Mapping[str, Any]
    if target.endswith(".json"):
        try:
            with open(target, encoding="utf-8") as file:
                loaded = json.load(file)
        except (OSError, ValueError) as error:
            raise ToolError(f"{target}: cannot be read as JSON ({error})") from None
        if not isinstance(loaded, Mapping):
            raise ToolError(f"{target}: holds a JSON {type(loaded).__name__}, not an object")
        config = loaded
    elif target.endswith(".py"):
        module = _import_module(target)
        # Flask's config.from_pyfile: the upper-case names.
        config = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    else:
        _importable_from_cwd()
        try:
            app = import_app(target)
        except WrapError as error:
            raise ToolError(error.reason) from None
        except Exception as error:
            raise ToolError(_not_run(target, error)) from None
        found = getattr(app, "config", None)
        if not isinstance(found, Mapping):
            raise ToolError(
                f"{target} is not a Flask application (it has no config): name the Flask "
                "app itself, e.g. myapp:app or 'myapp:create_app()'"
            )
        config = found
    return _checked(translate_flask_cors(config), target)


def _json_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options as KrakenD JSON: Python-only ones become ``@`` comment keys."""
    result: dict[str, Any] = {}
    for key, value in options.items():
        if key in PYTHON_ONLY_OPTIONS:
            result[f"@{key}"] = f"pass {key}={_python(value)} in Python"
        else:
            result[key] = value
    return result


def _python(value: Any) -> str:
    if isinstance(value, OriginRegexes):
        flags = ", ignore_case=True" if value.ignore_case else ""
        return f"OriginRegexes({value.patterns!r}{flags})"
    return repr(value)


def _python_dict(options: Mapping[str, Any], indent: str) -> str:
    lines = ["{"]
    for key, value in options.items():
        if isinstance(value, Mapping):
            lines.append(f"{indent}    {key!r}: {_python_dict(value, indent + '    ')},")
        else:
            lines.append(f"{indent}    {key!r}: {_python(value)},")
    lines.append(f"{indent}}}")
    return "\n".join(lines)


def render(migration: Migration, *, python: bool = False) -> str:
    """The report: the equivalent options, then warnings, then refusals with their fixes."""
    translation = migration.translation
    spec = translation.spec
    lines = [f"# {translation.peer} settings from {migration.source}"]
    if python:
        uses_regexes = "OriginRegexes(" in _python_dict(spec, "")
        if uses_regexes:
            lines.append("from wsgicors.integrations.peers import OriginRegexes")
        lines.append(f"WSGICORS = {_python_dict(spec, '')}")
    else:
        data = (
            {prefix: _json_options(options) for prefix, options in spec.items()}
            if translation.scoped
            else _json_options(spec)
        )
        lines.append(json.dumps(data, indent=2))
    if translation.peer == DJANGO_CORS_HEADERS:
        lines.append(
            '# or keep the CORS_* settings as they are and write WSGICORS = "django-cors-headers"'
        )
    lines.extend(f"warning: {message}" for message in migration.warnings)
    count = len(migration.problems)
    if count:
        lines.append(f"{count} setting{'s' if count != 1 else ''} refused:")
        for problem in migration.problems:
            lines.append(f"- {problem.option}: {problem.value!r}: {problem.rule}")
            lines.append(f"  fix: {problem.hint}")
    return "\n".join(lines)
