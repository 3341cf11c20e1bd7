"""The benchmark suite runs end to end and reports every figure (speed is never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


# Spelled out here rather than imported, so that dropping a scenario or a ratio fails a test.
SCENARIOS = {
    "actual_allowed",
    "actual_denied",
    "no_origin",
    "preflight_allowed",
    "preflight_denied",
    "preflight_uncached",
    "preflight_acrh_commas",
    "preflight_acrh_long",
}
FRAMEWORK_SCENARIOS = SCENARIOS - {
    "preflight_uncached",
    "preflight_acrh_commas",
    "preflight_acrh_long",
}
SCALE_SCENARIOS = {"actual_allowed", "actual_denied", "preflight_allowed", "actual_wildcard"}
ORIGIN_LISTS = {
    "origins_1",
    "origins_100",
    "origins_10000",
    "origins_1_wildcards_1",
    "origins_10000_wildcards_100",
}
IN_PROCESS_RATIOS = {
    "actual_added_vs_wsgicors_070",
    "flask_cors_added_over_ours",
    "django_cors_headers_added_over_ours",
    "preflight_vs_wsgicors_070",
    "scale_10k_origins_100_wildcards_vs_1_origin",
    "adversarial_acrh_vs_normal_preflight",
}
SERVER_RATIOS = {
    "gunicorn_rps_with_over_without",
    "gunicorn_requests_per_cpu_second_with_over_without",
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("benchmarks") / "results.json"
    # A separate interpreter: Django's settings can be configured once per process.
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--repeat",
            "2",
            "--number",
            "20",
            "--json",
            str(path),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        pytest.param("wsgi", SCENARIOS, id="raw WSGI"),
        pytest.param("flask", FRAMEWORK_SCENARIOS, id="Flask"),
        pytest.param("django", FRAMEWORK_SCENARIOS, id="Django"),
        pytest.param("scale", SCALE_SCENARIOS, id="scale"),
    ],
)
def test_quick_run_measures_every_scenario(
    quick_run: dict[str, Any], group: str, expected: set[str]
) -> None:
    assert set(quick_run["measurements"][group]) == expected


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        pytest.param("wsgi", {"bare", "floor", "ours", "wsgicors_070"}, id="raw WSGI"),
        pytest.param("flask", {"flask", "flask_cors", "ours"}, id="Flask"),
        pytest.param("django", {"django", "django_cors_headers", "ours"}, id="Django"),
    ],
)
def test_quick_run_measures_every_layer(
    quick_run: dict[str, Any], group: str, expected: set[str]
) -> None:
    for by_variant in quick_run["measurements"][group].values():
        assert set(by_variant) == expected


def test_quick_run_measures_every_origin_list(quick_run: dict[str, Any]) -> None:
    assert set(quick_run["measurements"]["scale"]["actual_allowed"]) == {"bare"} | ORIGIN_LISTS


def test_quick_run_reports_every_design_ratio(quick_run: dict[str, Any]) -> None:
    assert set(quick_run["ratios"]) == IN_PROCESS_RATIOS | SERVER_RATIOS


@pytest.mark.parametrize("key", [pytest.param(k, id=k) for k in sorted(IN_PROCESS_RATIOS)])
def test_quick_run_states_ratio_and_target(quick_run: dict[str, Any], key: str) -> None:
    row = quick_run["ratios"][key]
    assert set(row) >= {"description", "value", "unbounded", "target", "met"}
    assert row["target"].startswith(("<= ", ">= "))


def test_quick_run_skips_the_server(quick_run: dict[str, Any]) -> None:
    assert quick_run["server"] is None


@pytest.mark.parametrize("key", [pytest.param(k, id=k) for k in sorted(SERVER_RATIOS)])
def test_quick_run_leaves_server_ratio_unmeasured(quick_run: dict[str, Any], key: str) -> None:
    assert quick_run["ratios"][key]["value"] is None


def test_quick_run_records_figures_per_call(quick_run: dict[str, Any]) -> None:
    figures = quick_run["measurements"]["wsgi"]["actual_allowed"]["ours"]
    assert figures["number"] == 20
    assert figures["repeat"] == 2
    assert 0 < figures["min"] <= figures["median"]


def test_profile_mode_prints_the_hot_path() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--profile", "preflight_allowed", "--number", "50"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(
        "cProfile of wsgicors.CORSMiddleware, preflight_allowed, 50 calls\n"
    )
