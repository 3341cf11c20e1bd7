"""examples/demo.py, the README's in-process demo, runs and shows the answers it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo.py"


def run_demo() -> list[str]:
    result = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stderr == ""
    return result.stdout.split("\n--- ")


def test_demo_default_policy_answers_star_and_refuses_put_preflight() -> None:
    sections = run_demo()

    assert sections[1].splitlines()[-1] == "< Access-Control-Allow-Origin: *"
    assert "< 403 Forbidden" in sections[2].splitlines()


def test_demo_strict_policy_allows_subdomain_with_credentials() -> None:
    sections = run_demo()
    preflight, actual, other = sections[3].splitlines(), sections[4].splitlines(), sections[5]

    assert preflight[preflight.index("< 204 No Content") + 1 :] == [
        "< Access-Control-Allow-Origin: https://app.example.com",
        "< Access-Control-Allow-Methods: PUT",
        "< Access-Control-Allow-Headers: content-type,x-request-id",
        "< Access-Control-Allow-Credentials: true",
        "< Access-Control-Max-Age: 3600",
        "< Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    ]
    assert "< Access-Control-Allow-Credentials: true" in actual
    assert "Access-Control-Allow-Origin" not in other
    assert "< Vary: Origin" in other.splitlines()
