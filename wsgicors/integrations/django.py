"""Django: ``auto_options`` through Django's URL resolver, and a policy in settings.

In a project's ``wsgi.py``, either wrap Django's application yourself::

    application = CORSMiddleware(get_wsgi_application(), CORSPolicy(...))

(the middleware recognises Django's ``WSGIHandler`` and uses ``DjangoRouter``), or keep
the policy in ``settings.WSGICORS`` and import this module's ``get_wsgi_application()``
instead of Django's::

    from wsgicors.integrations.django import get_wsgi_application
    application = get_wsgi_application()

``WSGICORS`` holds the options of :meth:`CORSPolicy.from_dict <wsgicors.CORSPolicy.from_dict>`
(the Python-only ones too), a :class:`~wsgicors.CORSPolicy`, or a mapping of path prefixes to
either (or ``None``), as :class:`~wsgicors.CORSMiddleware` takes them.

``DjangoRouter`` (in ``wsgicors.routes.django``) finds a path's methods with Django's URL resolver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs
from django.conf import settings  # type: ignore[import-untyped]
from django.core.exceptions import ImproperlyConfigured  # type: ignore[import-untyped]
from django.core.wsgi import get_wsgi_application as _django_wsgi_application  # type: ignore[import-untyped]

from ..errors import PolicyError, Problem
from ..middleware import CORSMiddleware, PolicySpec
from ..policy import PYTHON_ONLY_OPTIONS, CORSPolicy
from ..routes.django import DjangoRouter

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

__all__ = [
    "SETTING",
    "DjangoRouter",
    "get_wsgi_application",
    "middleware_from_settings",
    "policy_from_settings",
]

SETTING = "WSGICORS"


def policy_from_settings(setting: str = SETTING) -> PolicySpec:
    """The policy in ``settings.WSGICORS`` (or the setting named).

    Raises ``ImproperlyConfigured`` when the setting is missing (write ``WSGICORS = {}`` for
    the defaults) and :class:`~wsgicors.PolicyError`, naming the setting, for every problem
    in it.
    """
    if not hasattr(settings, setting):
        raise ImproperlyConfigured(
            f"settings.{setting} is not set: add {setting} = {{...}} with the CORS options "
            f"(the keys of a KrakenD 'security/cors' object), or {setting} = {{}} for the "
            "defaults"
        )
    value = getattr(settings, setting)
    source = f"settings.{setting}"
    if isinstance(value, CORSPolicy):
        return value
    if not isinstance(value, Mapping):
        raise PolicyError(
            [
                Problem(
                    setting,
                    value,
                    "the setting is a dict of CORS options, a CORSPolicy, or a dict of path "
                    "prefixes",
                    f"write {setting} = {{'allow_origins': ['https://www.example.com']}}",
                )
            ],
            source=source,
        )
    if value and all(isinstance(key, str) and key.startswith("/") for key in value):
        return _scoped(value, source)
    try:
        return _policy(value)
    except PolicyError as error:
        raise PolicyError(error.problems, source=source) from None


def _policy(value: object) -> CORSPolicy | None:
    if value is None or isinstance(value, CORSPolicy):
        return value
    if not isinstance(value, Mapping):
        return CORSPolicy.from_dict(value)  # type: ignore[arg-type]  # refused, with a hint
    options = {key: item for key, item in value.items() if key not in PYTHON_ONLY_OPTIONS}
    overrides = {key: item for key, item in value.items() if key in PYTHON_ONLY_OPTIONS}
    return CORSPolicy.from_dict(options, **overrides)


def _scoped(value: Mapping[str, object], source: str) -> dict[str, CORSPolicy | None]:
    policies: dict[str, CORSPolicy | None] = {}
    problems: list[Problem] = []
    for prefix, item in value.items():
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


def middleware_from_settings(
    application: WSGIApplication, *, setting: str = SETTING, router: object = None
) -> CORSMiddleware:
    """Wrap ``application`` with the policy in ``settings.WSGICORS``.

    ``router`` defaults to a ``DjangoRouter`` on ``ROOT_URLCONF``, so the application may
    already be wrapped in other middleware.
    """
    return CORSMiddleware(
        application,
        policy_from_settings(setting),
        router=DjangoRouter() if router is None else router,
    )


def get_wsgi_application() -> CORSMiddleware:
    """Django's ``get_wsgi_application()``, wrapped with the policy in ``settings.WSGICORS``."""
    return middleware_from_settings(_django_wsgi_application())
