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
# Every value a client controls, each under the policies it meets: policy/request/value.
HOSTILE_ORIGINS = {
    "origin_long_host",
    "origin_labels",
    "origin_labels_326",
    "origin_port",
    "origin_commas",
}
HOSTILE_PREFLIGHT_VALUES = {
    "acrm_token",
    "acrm_not_token",
    "acrh_commas",
    "acrh_long",
    "acrh_8k",
    "acrh_bait_comma_spaces",
    "acrh_bait_blanks",
    "acrh_bait_comma_blanks",
}
HOSTILE_PATHS = {"path_slashes", "path_dots", "path_dot_dots", "path_long_segment"}
HOSTILE_SCENARIOS = {
    *(
        f"{policy}/{request}/{value}"
        for policy in ("exact", "wildcard")
        for request in ("actual", "preflight")
        for value in HOSTILE_ORIGINS
    ),
    *(f"exact/preflight/{value}" for value in HOSTILE_PREFLIGHT_VALUES),
    "private_network/preflight/acrpn",
    "exact/actual/method_token",
    *(f"scoped/actual/{value}" for value in HOSTILE_PATHS),
}
NORMAL_SCENARIOS = {
    "exact/actual/normal",
    "exact/preflight/normal",
    "wildcard/actual/normal",
    "wildcard/preflight/normal",
    "private_network/preflight/normal",
    "scoped/actual/normal",
}
SCALE_SCENARIOS = {"actual_allowed", "actual_denied", "preflight_allowed", "actual_wildcard"}
ORIGIN_LISTS = {
    "origins_1",
    "origins_100",
    "origins_10000",
    "origins_1_wildcards_1",
    "origins_10000_wildcards_100",
}
# Per-view policies on a Flask app with 100 routes; on_decision and shadow on the raw app.
VIEW_LAYERS = {"flask", "global", "per_view"}
OBSERVE_LAYERS = {
    "actual_allowed": {"bare", "ours", "on_decision"},
    "shadow_differs": {"bare", "open", "open_shadow"},
}
IN_PROCESS_RATIOS = {
    "actual_added_vs_wsgicors_070",
    "flask_cors_added_over_ours",
    "django_cors_headers_added_over_ours",
    "preflight_vs_wsgicors_070",
    "scale_10k_origins_100_wildcards_vs_1_origin",
    "adversarial_acrh_vs_normal_preflight",
    "hostile_values_vs_normal_request",
    "view_policy_vs_global_policy",
    "on_decision_vs_without",
    "shadow_vs_without",
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
        pytest.param("hostile", HOSTILE_SCENARIOS | NORMAL_SCENARIOS, id="hostile values"),
        pytest.param("views", {"decorated_path"}, id="per-view policies"),
        pytest.param("observe", set(OBSERVE_LAYERS), id="on_decision and shadow"),
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
        pytest.param("hostile", {"bare", "ours"}, id="hostile values"),
        pytest.param("views", VIEW_LAYERS, id="per-view policies"),
    ],
)
def test_quick_run_measures_every_layer(
    quick_run: dict[str, Any], group: str, expected: set[str]
) -> None:
    for by_variant in quick_run["measurements"][group].values():
        assert set(by_variant) == expected


@pytest.mark.parametrize("scenario", sorted(OBSERVE_LAYERS))
def test_quick_run_measures_on_decision_and_shadow(
    quick_run: dict[str, Any], scenario: str
) -> None:
    assert set(quick_run["measurements"]["observe"][scenario]) == OBSERVE_LAYERS[scenario]


def test_quick_run_measures_every_origin_list(quick_run: dict[str, Any]) -> None:
    assert set(quick_run["measurements"]["scale"]["actual_allowed"]) == {"bare"} | ORIGIN_LISTS


def test_quick_run_reports_every_design_ratio(quick_run: dict[str, Any]) -> None:
    assert set(quick_run["ratios"]) == IN_PROCESS_RATIOS | SERVER_RATIOS


@pytest.mark.parametrize("key", [pytest.param(k, id=k) for k in sorted(IN_PROCESS_RATIOS)])
def test_quick_run_states_ratio_and_target(quick_run: dict[str, Any], key: str) -> None:
    row = quick_run["ratios"][key]
    assert set(row) >= {"description", "value", "unbounded", "target", "met"}
    assert row["target"].startswith(("<= ", ">= "))


def test_quick_run_compares_every_hostile_value_with_a_normal_request(
    quick_run: dict[str, Any],
) -> None:
    per_scenario = quick_run["ratios"]["hostile_values_vs_normal_request"]["per_scenario"]
    assert set(per_scenario) == HOSTILE_SCENARIOS


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


def test_quick_run_reports_the_plain_added_time(quick_run: dict[str, Any]) -> None:
    plain = quick_run["informational"]["plain_added"]
    assert plain["added_min"] is not None
    assert plain["from"] == "observe/actual_allowed/ours"
    assert plain["previous"] is None  # a fresh JSON path: no previous run


def test_quick_run_reports_the_import_time(quick_run: dict[str, Any]) -> None:
    imported = quick_run["informational"]["import_time_us"]
    assert len(imported["processes"]) == 1  # one fresh process in quick mode
    assert imported["best"] > 0


def test_run_reports_the_previous_plain_added_time(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    previous = {
        "versions": {"commit": "abc1234"},
        "settings": {"quick": False},
        "measurements": {"wsgi": {"actual_allowed": {"ours": {"added_min": 1.5e-06}}}},
    }
    path.write_text(json.dumps(previous))
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--groups",
            "observe",
            "--number",
            "20",
            "--json",
            str(path),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "previous run 1.500 µs (commit abc1234, from wsgi/actual_allowed/ours)" in (
        completed.stdout
    )
    plain = json.loads(path.read_text())["informational"]["plain_added"]
    assert plain["previous"]["added_min"] == 1.5e-06
    assert "import wsgicors:" not in completed.stdout  # "import" is not in --groups


@pytest.mark.parametrize("layer", ["views/per_view", "observe/on_decision", "observe/open_shadow"])
def test_profile_mode_takes_a_feature_layer(layer: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--profile", layer, "--number", "50"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(f"cProfile of wsgicors.CORSMiddleware, {layer}, 50 calls\n")


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


def test_profile_mode_takes_a_hostile_request() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--profile",
            "scoped/actual/path_dots",
            "--number",
            "50",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(
        "cProfile of wsgicors.CORSMiddleware, scoped/actual/path_dots, 50 calls\n"
    )
