"""Real Django projects written to a directory: ``manage.py``, settings, URLs, a static file.

Each project runs in its own interpreter (``manage.py check``, ``runserver``), so its settings
never meet the ones the in-process tests configured.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MANAGE = """\
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""

URLS = """\
from django.http import HttpResponse
from django.urls import path

def hello(request):
    return HttpResponse("hello")

urlpatterns = [path("api/hello", hello)]
"""


def write_project(directory: Path, settings: str) -> Path:
    """A project in ``directory`` whose settings end with ``settings``; returns it."""
    (directory / "manage.py").write_text(MANAGE, encoding="utf-8")
    (directory / "site_urls.py").write_text(URLS, encoding="utf-8")
    static = directory / "static"
    static.mkdir(exist_ok=True)
    (static / "app.js").write_text("console.log('hi');\n", encoding="utf-8")
    base = f"""\
        SECRET_KEY = "test-only"
        DEBUG = True
        ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
        ROOT_URLCONF = "site_urls"
        USE_TZ = True
        STATIC_URL = "static/"
        STATICFILES_DIRS = [{str(static)!r}]
        DATABASES = {{}}
        """
    (directory / "site_settings.py").write_text(
        textwrap.dedent(base) + textwrap.dedent(settings), encoding="utf-8"
    )
    return directory


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return env


def manage(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=directory,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def runserver(directory: Path) -> Iterator[str]:
    """``manage.py runserver`` on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=directory,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    _, errors = process.communicate(timeout=10)
                    raise RuntimeError(f"runserver did not start: {errors}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=30)


def fetch(
    url: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    """Status and headers of one request; an error status is an answer too."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback
            return response.status, dict(response.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items())
