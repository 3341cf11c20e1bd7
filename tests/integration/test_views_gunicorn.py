"""Per-view policies under a real gunicorn on 127.0.0.1, for a Flask app and a Django project.

Each app is written to a temporary folder and served by ``gunicorn --chdir``; two views with
different policies answer the same origin differently.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_gunicorn import Server, environment, free_port, gunicorn

pytestmark = pytest.mark.server

SHOP = "https://shop.example"
BLOG = "https://blog.example"

FLASK_APP = """
from flask import Flask

from wsgicors import CORSMiddleware, CORSPolicy, cors_policy

app = Flask(__name__)


@app.get("/products")
@cors_policy(CORSPolicy(allow_origins=["*"]))
def products():
    return ["tea"]


@app.get("/orders")
def orders():
    return []


@app.put("/orders")
@cors_policy(CORSPolicy(allow_origins=["https://shop.example"], allow_methods=["PUT"]))
def replace_orders():
    return []


app.wsgi_app = CORSMiddleware(
    app.wsgi_app, CORSPolicy(allow_origins=["https://shop.example"]), router=app
)
"""

DJANGO_FILES = {
    "site_settings.py": """
        SECRET_KEY = "test"
        DEBUG = False
        ALLOWED_HOSTS = ["127.0.0.1"]
        ROOT_URLCONF = "site_urls"
        MIDDLEWARE = []
        INSTALLED_APPS = []
        WSGICORS = {"allow_origins": ["https://shop.example"]}
    """,
    "site_urls.py": """
        from django.http import JsonResponse
        from django.urls import path
        from django.views import View

        from wsgicors import CORSPolicy, cors_policy


        @cors_policy(CORSPolicy(allow_origins=["*"]))
        class Products(View):
            def get(self, request):
                return JsonResponse(["tea"], safe=False)


        def orders(request):
            return JsonResponse([], safe=False)


        urlpatterns = [path("products", Products.as_view()), path("orders", orders)]
    """,
    "site_wsgi.py": """
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_settings")

        from wsgicors.integrations.django import get_wsgi_application

        application = get_wsgi_application()
    """,
}


def serve(tmp_path: Path, files: dict[str, str], target: str) -> Server:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    port = free_port()
    argv = gunicorn("--chdir", str(tmp_path), "--bind", f"127.0.0.1:{port}", target)
    return Server(argv, port, tmp_path / "log", environment())


def acao(server: Server, method: str, path: str, headers: dict[str, str]) -> tuple[int, list[str]]:
    status, response_headers, _ = server.request(method, path, headers)
    return status, [v for k, v in response_headers if k.lower() == "access-control-allow-origin"]


def test_flask_views_answer_by_their_own_policy_under_gunicorn(tmp_path: Path) -> None:
    server = serve(tmp_path, {"shop.py": FLASK_APP}, "shop:app")
    try:
        assert acao(server, "GET", "/products", {"Origin": BLOG}) == (200, ["*"])
        assert acao(server, "GET", "/orders", {"Origin": BLOG}) == (200, [])
        assert acao(server, "GET", "/orders", {"Origin": SHOP}) == (200, [SHOP])
        preflight = {"Origin": SHOP, "Access-Control-Request-Method": "PUT"}
        assert acao(server, "OPTIONS", "/orders", preflight) == (204, [SHOP])
    finally:
        server.stop()


def test_django_views_answer_by_their_own_policy_under_gunicorn(tmp_path: Path) -> None:
    server = serve(tmp_path, DJANGO_FILES, "site_wsgi:application")
    try:
        assert acao(server, "GET", "/products", {"Origin": BLOG}) == (200, ["*"])
        assert acao(server, "GET", "/orders", {"Origin": BLOG}) == (200, [])
        assert acao(server, "GET", "/orders", {"Origin": SHOP}) == (200, [SHOP])
    finally:
        server.stop()
