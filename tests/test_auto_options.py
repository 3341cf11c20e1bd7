"""auto_options: plain OPTIONS answered with Allow, from the policy or the app's routes."""

from __future__ import annotations

from typing import Any

import flask
import pytest
from helpers import A, B, Preflight, Serve, allow_set, cors_header_names, tokens

from wsgicors.headers import (
    ACAC,
    ACAM,
    ACAO,
    ACEH,
    ALLOW,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ORIGIN,
    VARY,
)

# --- from allow_methods ----------------------------------------------------------------------


def test_auto_options_plain_options_answered_200(serve: Serve, app: Any) -> None:
    response = serve(auto_options=True).options("/")

    assert response.status == "200 OK"
    assert response.body == b""
    assert app.calls == []


def test_auto_options_allow_from_allow_methods(serve: Serve) -> None:
    response = serve(auto_options=True, allow_methods=["GET", "PUT"]).options("/")

    assert allow_set(response) - {"OPTIONS"} == {"GET", "PUT"}


def test_auto_options_allow_with_options_listed_once(serve: Serve) -> None:
    response = serve(auto_options=True, allow_methods=["GET", "OPTIONS"]).options("/")

    [allow] = response.headers.getall(ALLOW)
    assert sorted(tokens(allow)) == ["GET", "OPTIONS"]


def test_auto_options_empty_response_has_length_and_type(serve: Serve) -> None:
    response = serve(auto_options=True).options("/")

    assert response.headers.getall(CONTENT_LENGTH) == ["0"]
    assert len(response.headers.getall(CONTENT_TYPE)) == 1


def test_auto_options_adds_actual_request_cors_headers(serve: Serve) -> None:
    client = serve(
        auto_options=True, allow_origins=[A], allow_credentials=True, expose_headers=["X-Total"]
    )

    response = client.options("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAC) == ["true"]
    assert response.headers.getall(ACEH) == ["X-Total"]
    assert response.headers.getall(VARY) == ["Origin"]
    assert response.headers.getall(ACAM) == []


def test_auto_options_origin_not_allowed_has_allow_but_no_cors(serve: Serve) -> None:
    response = serve(auto_options=True, allow_origins=[A]).options("/", headers={ORIGIN: B})

    assert response.status == "200 OK"
    assert {"GET", "HEAD", "POST"} <= allow_set(response)
    assert cors_header_names(response) == []
    assert response.headers.getall(VARY) == ["Origin"]


def test_auto_options_all_origins_without_origin_sends_star(serve: Serve) -> None:
    assert serve(auto_options=True).options("/").headers.getall(ACAO) == ["*"]


def test_auto_options_off_passes_plain_options_to_app(serve: Serve, app: Any) -> None:
    response = serve().options("/")

    assert response.body == b"app body"
    assert app.methods_seen == ["OPTIONS"]


def test_auto_options_preflight_still_answered_as_preflight(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(auto_options=True), "POST")

    assert response.status_int == 204
    assert response.headers.getall(ALLOW) == []


# --- from a Flask app's url_map --------------------------------------------------------------


class FlaskSite:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.app = flask.Flask("wsgicors_test_site")

        @self.app.before_request
        def _record() -> None:
            self.seen.append(f"{flask.request.method} {flask.request.path}")

        @self.app.route("/items", methods=["GET", "POST"])
        def items() -> str:
            return "items"

        @self.app.route("/items/<int:item_id>", methods=["DELETE", "PATCH"])
        def item(item_id: int) -> str:
            return f"item {item_id}"


@pytest.fixture
def site() -> FlaskSite:
    return FlaskSite()


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        pytest.param("/items", {"GET", "HEAD", "POST", "OPTIONS"}, id="collection"),
        pytest.param("/items/3", {"DELETE", "PATCH", "OPTIONS"}, id="member"),
    ],
)
def test_auto_options_flask_allow_from_url_map(
    serve: Serve, site: FlaskSite, path: str, methods: set[str]
) -> None:
    response = serve(wrapped=site.app, auto_options=True).options(path)

    assert response.status == "200 OK"
    assert allow_set(response) == methods


def test_auto_options_flask_known_path_not_sent_to_app(serve: Serve, site: FlaskSite) -> None:
    serve(wrapped=site.app, auto_options=True).options("/items")

    assert site.seen == []


def test_auto_options_flask_unknown_path_gets_app_404(serve: Serve, site: FlaskSite) -> None:
    response = serve(wrapped=site.app, auto_options=True).options("/nowhere", status=404)

    assert response.status_int == 404
    assert site.seen == ["OPTIONS /nowhere"]


def test_auto_options_flask_unknown_path_404_decorated(serve: Serve, site: FlaskSite) -> None:
    client = serve(wrapped=site.app, auto_options=True, allow_origins=[A])

    response = client.options("/nowhere", headers={ORIGIN: A}, status=404)

    assert response.headers.getall(ACAO) == [A]


def test_auto_options_flask_with_origin_adds_cors_headers(serve: Serve, site: FlaskSite) -> None:
    client = serve(wrapped=site.app, auto_options=True, allow_origins=[A])

    response = client.options("/items", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(VARY) == ["Origin"]


def test_auto_options_flask_preflight_not_sent_to_app(
    serve: Serve, preflight: Preflight, site: FlaskSite
) -> None:
    response = preflight(serve(wrapped=site.app, auto_options=True), "POST", path="/items")

    assert response.status_int == 204
    assert site.seen == []


def test_auto_options_flask_get_passes_to_app(serve: Serve, site: FlaskSite) -> None:
    response = serve(wrapped=site.app, auto_options=True).get("/items", headers={ORIGIN: A})

    assert response.text == "items"
    assert response.headers.getall(ACAO) == ["*"]
