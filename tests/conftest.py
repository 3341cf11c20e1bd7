"""Shared fixtures for the core suite: a recording WSGI app, a WebTest client, request helpers.

The suite talks to the package through its public API (``CORSPolicy``, ``CORSMiddleware`` and
its ``router=`` hook, ``PolicyError``) and the header-name constants of ``wsgicors.headers``;
plain helper functions live in ``helpers.py``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# WebOb (under WebTest) still imports the stdlib ``cgi`` module, deprecated since 3.11; the
# suite runs with warnings as errors, so that one import-time warning is let through here.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    import webtest

from helpers import A, RecordingApp

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACRH, ACRM, ORIGIN


@pytest.fixture
def make_app() -> Callable[..., RecordingApp]:
    """Build a ``RecordingApp``; the default answers ``200`` with a short text body."""
    return RecordingApp


@pytest.fixture
def app() -> RecordingApp:
    return RecordingApp()


@pytest.fixture
def serve(app: RecordingApp) -> Callable[..., webtest.TestApp]:
    """``serve(policy_or_mapping=None, wrapped=None, **policy_options)`` → a WebTest client.

    Keyword options build a ``CORSPolicy``; ``wrapped`` defaults to the ``app`` fixture.
    """

    def _serve(
        policy: object = None,
        wrapped: Any = None,
        *,
        lint: bool = True,
        **options: Any,
    ) -> webtest.TestApp:
        if options:
            assert policy is None, "pass either a policy or options"
            policy = CORSPolicy(**options)
        middleware = CORSMiddleware(wrapped if wrapped is not None else app, policy)  # type: ignore[arg-type]
        return webtest.TestApp(middleware, lint=lint)

    return _serve


def preflight_headers(
    origin: str | None = A,
    method: str | None = "PUT",
    request_headers: str | None = None,
    **extra: str,
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if origin is not None:
        headers[ORIGIN] = origin
    if method is not None:
        headers[ACRM] = method
    if request_headers is not None:
        headers[ACRH] = request_headers
    headers.update(extra)
    return headers


@pytest.fixture
def preflight() -> Callable[..., webtest.TestResponse]:
    """``preflight(client, method="PUT", origin=..., request_headers=None, path="/", **extra)``."""

    def _preflight(
        client: webtest.TestApp,
        method: str | None = "PUT",
        origin: str | None = A,
        request_headers: str | None = None,
        path: str = "/",
        **extra: str,
    ) -> webtest.TestResponse:
        headers = preflight_headers(origin, method, request_headers)
        headers.update(extra)
        return client.options(path, headers=headers, expect_errors=True)

    return _preflight


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@pytest.fixture
def cors_log() -> Iterator[ListHandler]:
    """Records everything sent to the ``wsgicors`` logger, as a user's own handler would."""
    logger = logging.getLogger("wsgicors")
    handler = ListHandler()
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
