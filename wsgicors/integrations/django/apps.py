"""The app that ``INSTALLED_APPS`` names as ``"wsgicors.integrations.django"``."""

from __future__ import annotations

from django.apps import AppConfig  # type: ignore[import-untyped]


class WsgicorsConfig(AppConfig):  # type: ignore[misc]
    """Registers wsgicors' system checks; its ``runserver`` adds CORS to static files."""

    name = "wsgicors.integrations.django"
    label = "wsgicors"
    verbose_name = "wsgicors"

    def ready(self) -> None:
        from django.core import checks  # type: ignore[import-untyped]

        from .checks import check_cors_settings

        checks.register(check_cors_settings, "wsgicors")
