"""``manage.py runserver`` whose static files get the CORS headers of ``settings.WSGICORS``.

Django's development server serves ``STATIC_URL`` with ``StaticFilesHandler``, which answers
before any middleware runs and outside ``wsgi.py``: neither form of wsgicors would see those
responses. This command (in effect when ``"wsgicors.integrations.django"`` comes before
``"django.contrib.staticfiles"`` in ``INSTALLED_APPS``) puts the WSGI middleware in front of
the static files, and leaves every other request to the application as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps  # type: ignore[import-untyped]
from django.contrib.staticfiles.handlers import StaticFilesHandler  # type: ignore[import-untyped]
from django.contrib.staticfiles.management.commands.runserver import (  # type: ignore[import-untyped]
    Command as StaticfilesRunserver,
)
from django.core.handlers.wsgi import get_path_info  # type: ignore[import-untyped]
from django.core.management.commands.runserver import (  # type: ignore[import-untyped]
    Command as RunserverCommand,
)

from .....middleware import CORSMiddleware
from .....routes.django import DjangoRouter
from ... import policy_from_settings

if TYPE_CHECKING:
    from collections.abc import Iterable
    from wsgiref.types import StartResponse, WSGIEnvironment


class StaticFilesCORS:
    """The static files handler, with the CORS middleware in front of the files it serves."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler
        self.cors = CORSMiddleware(handler, policy_from_settings(), router=DjangoRouter())

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.handler._should_handle(get_path_info(environ)):
            return self.cors(environ, start_response)
        return self.handler(environ, start_response)  # type: ignore[no-any-return]


class Command(StaticfilesRunserver):  # type: ignore[misc]
    def get_handler(self, *args: Any, **options: Any) -> Any:
        if not apps.is_installed("django.contrib.staticfiles"):
            return RunserverCommand.get_handler(self, *args, **options)
        handler = super().get_handler(*args, **options)
        if isinstance(handler, StaticFilesHandler):
            return StaticFilesCORS(handler)
        return handler
