"""System checks: ``manage.py check`` reports every problem of ``settings.WSGICORS``.

Each :class:`~wsgicors.Problem` of the policy becomes an error with the same text and hint,
and each :class:`~wsgicors.PolicyWarning` a warning. The number of an id says what kind of
problem it is; an error and a warning of the same kind share it:

===========  ============================================================================
id           kind
===========  ============================================================================
``001``      ``WSGICORS`` itself: missing, or not a dict, policy or peer name
``002``      ``allow_origins``
``003``      ``allow_methods``
``004``      ``allow_headers``
``005``      ``expose_headers``
``006``      ``max_age``
``007``      ``options_success_status``
``008``      a true/false option given something else
``009``      ``allow_origin_func``
``010``      an unknown option
``011``      path prefixes
``012``      a django-cors-headers setting (``WSGICORS = "django-cors-headers"``)
``013``      the project around the policy: two CORS layers, the order of ``INSTALLED_APPS``
===========  ============================================================================
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from django.conf import settings  # type: ignore[import-untyped]
from django.core import checks  # type: ignore[import-untyped]
from django.core.exceptions import ImproperlyConfigured  # type: ignore[import-untyped]

from ...errors import PolicyError, PolicyWarning, Problem, show

__all__ = ["KINDS", "check_cors_settings", "check_id"]

#: The number of each kind of problem, by option name.
KINDS = {
    "WSGICORS": 1,
    "allow_origins": 2,
    "allow_methods": 3,
    "allow_headers": 4,
    "expose_headers": 5,
    "max_age": 6,
    "options_success_status": 7,
    "allow_credentials": 8,
    "debug": 8,
    "allow_private_network": 8,
    "options_passthrough": 8,
    "auto_options": 8,
    "dangerously_tolerate_insecure_origins": 8,
    "dangerously_tolerate_subdomains_of_public_suffixes": 8,
    "allow_origin_func": 9,
    "unknown option": 10,
    "policy": 11,
    "django-cors-headers": 12,
    "project": 13,
}
_SELF = "wsgicors.integrations.django.DjangoCORSMiddleware"
_PEER_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"


def _kind(option: str, rule: str = "") -> int:
    if rule == "unknown option":
        return KINDS["unknown option"]
    # "['/api'] allow_origins": the option of a path scope.
    name = option.rpartition("] ")[2] if option.startswith("[") else option
    if name.startswith(("CORS_", "corsheaders")):
        return KINDS["django-cors-headers"]
    return KINDS.get(name, KINDS["WSGICORS"])


def check_id(level: str, option: str, rule: str = "") -> str:
    """``wsgicors.E002`` for an error about ``allow_origins``, ``wsgicors.W004`` for a
    warning about ``allow_headers``, ..."""
    return f"wsgicors.{level}{_kind(option, rule):03d}"


def _problem_error(problem: Problem) -> Any:
    return checks.Error(
        f"{problem.option}: {show(problem.value)}: {problem.rule}",
        hint=problem.hint,
        obj="settings.WSGICORS",
        id=check_id("E", problem.option, problem.rule),
    )


def _warning(message: str) -> Any:
    option = message.partition(":")[0]
    return checks.Warning(message, obj="settings.WSGICORS", id=check_id("W", option))


def check_cors_settings(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[Any]:
    """Every problem and warning of ``settings.WSGICORS``, and of the project around it."""
    from . import policy_from_settings

    messages: list[Any] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PolicyWarning)
        try:
            policy_from_settings()
        except ImproperlyConfigured as error:
            messages.append(
                checks.Error(
                    str(error).partition(": ")[0],
                    hint=str(error).partition(": ")[2],
                    obj="settings.WSGICORS",
                    id=check_id("E", "WSGICORS"),
                )
            )
        except PolicyError as error:
            messages.extend(_problem_error(problem) for problem in error.problems)
    messages.extend(
        _warning(str(warning.message))
        for warning in caught
        if issubclass(warning.category, PolicyWarning)
    )
    middleware = list(getattr(settings, "MIDDLEWARE", None) or ())
    if _SELF in middleware and _PEER_MIDDLEWARE in middleware:
        messages.append(
            checks.Error(
                f"settings.MIDDLEWARE holds both {_SELF} and {_PEER_MIDDLEWARE}: two CORS "
                "layers answer twice",
                hint=f"remove {_PEER_MIDDLEWARE} (and 'corsheaders' from INSTALLED_APPS); "
                'WSGICORS = "django-cors-headers" reads its settings as they are',
                obj="settings.MIDDLEWARE",
                id=check_id("E", "project"),
            )
        )
    installed = list(getattr(settings, "INSTALLED_APPS", None) or ())
    ours, static = "wsgicors.integrations.django", "django.contrib.staticfiles"
    if (
        ours in installed
        and static in installed
        and installed.index(static) < installed.index(ours)
    ):
        messages.append(
            checks.Warning(
                f"{static!r} comes before {ours!r} in INSTALLED_APPS, so runserver serves "
                "static files without CORS headers",
                hint=f"move {ours!r} above {static!r}",
                obj="settings.INSTALLED_APPS",
                id=check_id("W", "project"),
            )
        )
    return messages
