"""Django: CORS as a ``MIDDLEWARE`` entry or around ``wsgi.py``, a policy in settings, checks.

Two forms over one core, :class:`~wsgicors.CORSMiddleware`:

- ``"wsgicors.integrations.django.DjangoCORSMiddleware"`` near the top of ``MIDDLEWARE``
  runs the WSGI middleware on the request's environ, around the rest of Django;
- in ``wsgi.py``, this module's ``get_wsgi_application()`` instead of Django's wraps the
  whole application (``CORSMiddleware(get_wsgi_application(), policy)`` does the same by
  hand).

Both read ``settings.WSGICORS``: the options of
:meth:`CORSPolicy.from_dict <wsgicors.CORSPolicy.from_dict>` (the Python-only ones too), a
:class:`~wsgicors.CORSPolicy`, a mapping of path prefixes to either (or ``None``), or
``"django-cors-headers"`` to read that library's ``CORS_*`` settings as they are. Adding
``"wsgicors.integrations.django"`` to ``INSTALLED_APPS`` registers the system checks
(``manage.py check``) and a ``runserver`` that adds CORS headers to the static files it serves.

``DjangoRouter`` (in ``wsgicors.routes.django``) finds a path's methods with Django's URL resolver.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings  # type: ignore[import-untyped]
from django.core.exceptions import ImproperlyConfigured  # type: ignore[import-untyped]
from django.core.wsgi import get_wsgi_application as _django_wsgi_application  # type: ignore[import-untyped]

from ...middleware import ENVIRON_KEY, CORSMiddleware, PolicySpec, mark_environs
from ...routes.django import DjangoRouter
from ..peers import DJANGO_CORS_HEADERS, spec_from_setting, translate_django_cors_headers

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "SETTING",
    "DjangoCORSMiddleware",
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
    in it. ``WSGICORS = "django-cors-headers"`` reads django-cors-headers' settings.
    """
    if not hasattr(settings, setting):
        raise ImproperlyConfigured(
            f"settings.{setting} is not set: add {setting} = {{...}} with the CORS options "
            f"(the keys of a KrakenD 'security/cors' object), or {setting} = {{}} for the "
            "defaults"
        )
    value = getattr(settings, setting)
    source = f"settings.{setting}"
    if value == DJANGO_CORS_HEADERS:
        return translate_django_cors_headers(settings).policy(source)
    return spec_from_setting(value, source, setting)


def middleware_from_settings(
    application: WSGIApplication, *, setting: str = SETTING, router: object = None
) -> CORSMiddleware:
    """Wrap ``application`` with the policy in ``settings.WSGICORS``.

    ``router`` defaults to a ``DjangoRouter`` on ``ROOT_URLCONF``, so the application may
    already be wrapped in other middleware. With ``DjangoCORSMiddleware`` in
    ``settings.MIDDLEWARE`` too, raises ``ImproperlyConfigured``: two CORS layers.
    """
    if _SELF in (getattr(settings, "MIDDLEWARE", None) or ()):
        raise ImproperlyConfigured(_two_layers(None))
    return CORSMiddleware(
        application,
        policy_from_settings(setting),
        router=DjangoRouter() if router is None else router,
    )


def get_wsgi_application() -> CORSMiddleware:
    """Django's ``get_wsgi_application()``, wrapped with the policy in ``settings.WSGICORS``."""
    return middleware_from_settings(_django_wsgi_application())


# -- the MIDDLEWARE form -----------------------------------------------------------------------

# Where the request rides in its own environ while the core decides, and where the
# response Django made comes back.
_REQUEST_KEY = "wsgicors.django.request"
_RESPONSE_KEY = "wsgicors.django.response"
_SELF = "wsgicors.integrations.django.DjangoCORSMiddleware"


class _Core(CORSMiddleware):
    """The WSGI middleware as ``DjangoCORSMiddleware`` runs it: its class tells it apart
    from a ``CORSMiddleware`` wrapping the whole application."""


def _refuse_asgi() -> None:
    """Refuse to be built by Django's ASGI handler: the middleware reads the WSGI environ."""
    asgi = sys.modules.get("django.core.handlers.asgi")
    if asgi is None:
        return
    frame = sys._getframe(2)
    for _ in range(16):
        if frame is None:
            return
        if frame.f_code.co_name == "load_middleware" and isinstance(
            frame.f_locals.get("self"), asgi.ASGIHandler
        ):
            raise ImproperlyConfigured(
                f"{_SELF} runs under WSGI only, and this project is being served by "
                "Django's ASGI handler (asgi.py): remove it from MIDDLEWARE and serve the "
                "project with a WSGI server (gunicorn, uWSGI, mod_wsgi, runserver), or put "
                "an ASGI CORS middleware in front of the ASGI application"
            )
        frame = frame.f_back  # type: ignore[assignment]


class DjangoCORSMiddleware:
    """The CORS policy of ``settings.WSGICORS`` as an entry of Django's ``MIDDLEWARE``.

    Put ``"wsgicors.integrations.django.DjangoCORSMiddleware"`` near the top of
    ``MIDDLEWARE`` (above ``CommonMiddleware`` and anything that may answer a request
    itself). Each request is decided by the WSGI :class:`~wsgicors.CORSMiddleware` on the
    request's own environ, with the rest of Django as its application: preflights and
    ``auto_options`` are answered before URL resolution, and every response Django makes
    below this entry gets exactly the headers the WSGI form would give it.

    Its name says "Django" so that it cannot be mistaken for the WSGI ``CORSMiddleware``,
    which wraps an application rather than sitting in ``MIDDLEWARE``. It is sync only:
    built by Django's ASGI handler it raises ``ImproperlyConfigured`` at start-up. Used
    together with the WSGI form (or listed twice), the first request raises
    ``ImproperlyConfigured`` naming both places: two CORS layers would answer twice.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        _refuse_asgi()
        # Every CORSMiddleware marks the environ from now on, so a WSGI wrapper in front of
        # Django is seen by __call__ (two CORS layers).
        mark_environs()
        self.get_response = get_response
        self.core = _Core(self._rest_of_django, policy_from_settings(), router=DjangoRouter())

    def _rest_of_django(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The WSGI application the core wraps: the rest of Django's middleware and the view.

        Its status and headers go through the core, which decorates them; the body stays in
        Django's response, which is never read here.
        """
        response = self.get_response(environ[_REQUEST_KEY])
        environ[_RESPONSE_KEY] = response
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return ()

    def __call__(self, request: Any) -> Any:
        environ: WSGIEnvironment | None = getattr(request, "environ", None)
        if environ is None:
            raise ImproperlyConfigured(
                f"{_SELF} got a {type(request).__name__}, not a WSGIRequest: it runs under "
                "WSGI only; serve the project with a WSGI server"
            )
        outer = environ.get(ENVIRON_KEY)
        if outer is not None:
            raise ImproperlyConfigured(_two_layers(outer))
        environ[_REQUEST_KEY] = request
        captured: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            captured[:] = [status, headers]
            return _no_write

        try:
            body = self.core(environ, start_response)
            response = environ.pop(_RESPONSE_KEY, None)
        finally:
            environ.pop(_REQUEST_KEY, None)
        status, headers = captured
        if response is None:
            # The core answered itself (a preflight, auto_options): a response of its own.
            from django.http import HttpResponse  # type: ignore[import-untyped]

            code, _, reason = status.partition(" ")
            response = HttpResponse(b"".join(body), status=int(code), reason=reason)
            for name in list(response.headers):
                del response.headers[name]
        else:
            names = {name.lower() for name, _ in headers}
            for name in [name for name in response.headers if name.lower() not in names]:
                del response.headers[name]
        for name, value in headers:
            response.headers[name] = value
        return response


def _no_write(data: bytes) -> object:
    raise RuntimeError("the write() callable is not used by DjangoCORSMiddleware")


def _two_layers(outer: object) -> str:
    if isinstance(outer, _Core):
        return f"{_SELF} is listed twice in settings.MIDDLEWARE: keep one entry, near the top"
    return (
        f"CORS is applied twice: {_SELF} is in settings.MIDDLEWARE and the WSGI application "
        "is already wrapped in wsgicors.CORSMiddleware (wsgicors.integrations.django."
        "get_wsgi_application() in wsgi.py, wsgicors.wrap() or the Paste filter); keep one: "
        f"remove {_SELF} from MIDDLEWARE, or use Django's own get_wsgi_application() in wsgi.py"
    )
