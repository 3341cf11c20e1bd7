"""The middleware owns the CORS response headers: the application's own are replaced or dropped."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from helpers import A, B, Serve, cors_header_names

from wsgicors.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ORIGIN,
)


def _setting(make_app: Any, name: str, value: str) -> Any:
    return make_app(headers=[(CONTENT_TYPE, "text/plain"), (CONTENT_LENGTH, "8"), (name, value)])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param(ACAO, "*", id="ACAO"),
        pytest.param(ACAC, "true", id="ACAC"),
        pytest.param(ACAM, "GET, PUT", id="ACAM"),
        pytest.param(ACAH, "X-Secret", id="ACAH"),
        pytest.param(ACEH, "X-Secret", id="ACEH"),
        pytest.param(ACMA, "86400", id="ACMA"),
        pytest.param(ACAPN, "true", id="ACAPN"),
        pytest.param("access-control-allow-origin", "*", id="lower-case-name"),
    ],
)
def test_app_cors_header_dropped_when_origin_not_allowed(
    serve: Serve, make_app: Any, name: str, value: str
) -> None:
    client = serve(wrapped=_setting(make_app, name, value), allow_origins=[A])

    response = client.get("/", headers={ORIGIN: B})

    assert cors_header_names(response) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param(ACAO, "*", id="ACAO"),
        pytest.param(ACMA, "86400", id="ACMA"),
        pytest.param(ACAH, "X-Secret", id="ACAH"),
    ],
)
def test_app_cors_header_dropped_without_origin(
    serve: Serve, make_app: Any, name: str, value: str
) -> None:
    client = serve(wrapped=_setting(make_app, name, value), allow_origins=[A])

    assert cors_header_names(client.get("/")) == []


@pytest.mark.parametrize(
    ("name", "value", "options", "expected"),
    [
        pytest.param(ACAO, "*", {"allow_origins": [A]}, [A], id="allow-origin-replaced"),
        pytest.param(ACAO, A, {}, ["*"], id="allow-origin-replaced-under-all-origins"),
        pytest.param(
            ACEH, "X-Secret", {"expose_headers": ["X-Total"]}, ["X-Total"], id="expose-headers"
        ),
        pytest.param(ACAC, "true", {"allow_origins": [A]}, [], id="credentials-not-in-policy"),
        pytest.param("X-App", "1", {"allow_origins": [A]}, ["1"], id="other-header-kept"),
    ],
)
def test_app_header_answered_by_the_policy(
    serve: Serve,
    make_app: Any,
    name: str,
    value: str,
    options: dict[str, Any],
    expected: list[str],
) -> None:
    client = serve(wrapped=_setting(make_app, name, value), **options)

    assert client.get("/", headers={ORIGIN: A}).headers.getall(name) == expected


def test_app_cors_header_dropped_logged_as_warning_in_debug(
    serve: Serve, make_app: Any, cors_log: Any
) -> None:
    client = serve(wrapped=_setting(make_app, ACAO, "*"), allow_origins=[A], debug=True)

    client.get("/", headers={ORIGIN: A})

    warnings = [r for r in cors_log.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert ACAO.lower() in warnings[0].getMessage().lower()


def test_debug_off_app_cors_header_dropped_silently(
    serve: Serve, make_app: Any, cors_log: Any
) -> None:
    client = serve(wrapped=_setting(make_app, ACAO, "*"), allow_origins=[A])

    client.get("/", headers={ORIGIN: A})

    assert cors_log.records == []
