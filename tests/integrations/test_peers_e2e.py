"""The same requests through the peer and through wsgicors reading the peer's settings.

Each request is played as the three browser engines play it (wsgicors.tools.exchange, the
model behind ``wsgicors explain``), once against the app with django-cors-headers or
flask-cors, once against the same app with wsgicors reading the same settings. The verdicts
agree, except where the peer is insecure: those differences are listed and asserted.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test.utils import override_settings
from helpers import configure_django
from werkzeug.test import run_wsgi_app

from wsgicors import PolicyWarning
from wsgicors.tools.browser import FetchRequest, HTTPRequest, HTTPResponse
from wsgicors.tools.exchange import Answer, environ_of, play_engines

SITE = "https://www.domain.com"
OTHER = "https://other.example"

REQUESTS = [
    pytest.param(FetchRequest(SITE, "GET", path="/api/status"), id="simple GET, allowed"),
    pytest.param(FetchRequest(OTHER, "GET", path="/api/status"), id="simple GET, other origin"),
    pytest.param(
        FetchRequest(SITE, "PUT", (("Content-Type", "application/json"),), path="/api/status"),
        id="JSON PUT: preflight",
    ),
    pytest.param(FetchRequest(SITE, "PATCH", path="/api/status"), id="PATCH not listed"),
    pytest.param(
        FetchRequest(SITE, "GET", (("X-CSRFToken", "t"),), path="/api/status"),
        id="listed header",
    ),
    pytest.param(
        FetchRequest(SITE, "GET", (("X-Other", "1"),), path="/api/status"),
        id="header not listed",
    ),
    pytest.param(FetchRequest(SITE, "GET", credentials=True, path="/api/status"), id="cookies"),
    pytest.param(
        FetchRequest("https://shop.domain.com", "GET", path="/api/status"),
        id="subdomain by regex",
    ),
]


def sender(app: Any) -> Any:
    def send(request: HTTPRequest) -> Answer:
        app_iter, status, headers = run_wsgi_app(app, environ_of(request), buffered=True)
        body = b"".join(app_iter)
        return HTTPResponse(int(status.split(" ", 1)[0]), headers.to_wsgi_list()), body, ()

    return send


def allowed(app: Any, request: FetchRequest) -> bool:
    return play_engines(request, sender(app)).allowed


# --- django-cors-headers ----------------------------------------------------------------------

DJANGO_SETTINGS = {
    "CORS_ALLOWED_ORIGINS": [SITE],
    "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://.*\.domain\.com$"],
    "CORS_ALLOW_METHODS": ["GET", "POST", "PUT"],
    "CORS_ALLOW_CREDENTIALS": True,
}


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    configure_django()


def django_verdict(middleware: str, request: FetchRequest, **settings: object) -> bool:
    """The verdict on ``request`` with ``middleware`` on top, under ``settings``."""
    from django.core.wsgi import get_wsgi_application

    with override_settings(
        ROOT_URLCONF="djangoproject.urls",
        MIDDLEWARE=[middleware],
        WSGICORS="django-cors-headers",
        **settings,
    ):
        return allowed(get_wsgi_application(), request)


PEER = "corsheaders.middleware.CorsMiddleware"
OURS = "wsgicors.integrations.django.DjangoCORSMiddleware"


@pytest.mark.parametrize("request_", REQUESTS)
def test_django_cors_headers_settings_give_the_peers_verdict(request_: FetchRequest) -> None:
    peer = django_verdict(PEER, request_, **DJANGO_SETTINGS)
    ours = django_verdict(OURS, request_, **DJANGO_SETTINGS)

    assert ours == peer


def test_django_unanchored_regex_difference_is_deliberate() -> None:
    # django-cors-headers uses re.match: without '$' the regex also matches a longer host.
    settings = {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://\w+\.domain\.com"]}
    request = FetchRequest("https://shop.domain.com.evil.example", "GET", path="/api/status")
    peer = django_verdict(PEER, request, **settings)
    with pytest.warns(PolicyWarning, match="re.fullmatch"):
        ours = django_verdict(OURS, request, **settings)

    assert (peer, ours) == (True, False)


# --- flask-cors -------------------------------------------------------------------------------

FLASK_CONFIG = {
    "CORS_ORIGINS": [SITE, r"https://.*\.domain\.com"],
    "CORS_METHODS": ["get", "post", "put"],
    "CORS_ALLOW_HEADERS": ["Content-Type", "X-CSRFToken"],
    "CORS_SUPPORTS_CREDENTIALS": True,
}


def flask_app(with_peer: bool, config: dict[str, object]) -> Any:
    from flask import Flask

    app = Flask(__name__)
    app.config.update(config)

    @app.route("/api/status", methods=["GET", "PUT", "PATCH"])
    def status() -> dict[str, str]:
        return {"status": "ok"}

    if with_peer:
        from flask_cors import CORS

        CORS(app)
    else:
        from wsgicors.integrations.flask import init_app

        init_app(app)
    return app


@pytest.mark.parametrize("request_", REQUESTS)
def test_flask_cors_config_gives_the_peers_verdict(request_: FetchRequest) -> None:
    peer = flask_app(True, FLASK_CONFIG)
    ours = flask_app(False, FLASK_CONFIG)

    assert allowed(ours, request_) == allowed(peer, request_)


def test_flask_prefix_regex_difference_is_deliberate() -> None:
    # flask-cors matches an origin regex with re.match: a prefix is enough.
    config = {"CORS_ORIGINS": [r"https://app[0-9]\.domain\.com"]}
    request = FetchRequest("https://app1.domain.com.evil.example", "GET", path="/api/status")
    peer = flask_app(True, config)
    with pytest.warns(PolicyWarning, match="re.fullmatch"):
        ours = flask_app(False, config)

    assert (allowed(peer, request), allowed(ours, request)) == (True, False)


def test_flask_all_origins_with_credentials_difference_is_a_refusal() -> None:
    # flask-cors reflects every Origin with credentials; wsgicors refuses the configuration.
    from wsgicors import PolicyError

    config = {"CORS_SUPPORTS_CREDENTIALS": True}
    request = FetchRequest(OTHER, "GET", credentials=True, path="/api/status")

    assert allowed(flask_app(True, config), request) is True
    with pytest.raises(PolicyError):
        flask_app(False, config)
