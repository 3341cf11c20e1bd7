"""Chromium, Firefox ESR and WebKitGTK play every scenario against the middleware; the browsers
are the judges."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

import pytest

from wsgicors import CORSPolicy

from .harness import BLOCKED_ERRORS, SESSION_COOKIE, Lab
from .scenarios import (
    PAGE,
    SCENARIOS,
    Allowed,
    Blocked,
    Fetch,
    Outcome,
    Scenario,
    from_json,
    outcome_of,
    render,
    run,
    text,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_engine_reports_scenario_outcome(
    lab: Lab,
    verdicts: dict[tuple[str, str], tuple[bool, bool]],
    console_log: dict[tuple[str, str], list[str]],
    scenario: Scenario,
) -> None:
    engine = lab.engine
    result = run(lab, scenario)
    verdicts[engine, scenario.id] = (
        result.first_preflighted,
        isinstance(result.outcomes[0], Allowed),
    )
    if result.console and isinstance(result.outcomes[0], Blocked):
        console_log[engine, scenario.id] = result.console

    assert result.outcomes == [scenario.expect_in(engine)] * len(scenario.fetches)
    assert len(lab.api.preflights) == scenario.preflights_in(engine)
    assert lab.api.app_methods == scenario.app_saw_in(engine)


def test_scenario_table_covers_at_least_forty_cases() -> None:
    assert len(SCENARIOS) >= 40


def play(lab: Lab, policy: Mapping[str, Any], fetch: Fetch) -> Outcome:
    """One fetch from the 127.0.0.1 page under ``policy``, with fresh server records."""
    lab.api.install(from_json(render(policy, lab.ports)))
    lab.open_page()
    lab.api.clear()
    return outcome_of(lab.fetch(fetch.path, lab.new_run(), fetch.init()))


def test_credentialed_preflight_carries_no_cookie_actual_request_does(lab: Lab) -> None:
    # Fetch #cors-preflight-fetch: the preflight is sent with credentials mode "omit".
    outcome = play(
        lab,
        {"allow_origins": [PAGE], "allow_methods": ["PUT"], "allow_credentials": True},
        Fetch("PUT", credentials="include"),
    )

    assert (outcome, [(seen.method, seen.cookie) for seen in lab.api.outer.seen]) == (
        text(f"PUT /echo; cookie={SESSION_COOKIE}"),
        [("OPTIONS", None), ("PUT", SESSION_COOKIE)],
    )


def test_preflight_request_headers_lower_cased_sorted_comma_joined(lab: Lab) -> None:
    # Fetch #cors-unsafe-request-header-names: byte-lower-cased, sorted, de-duplicated.
    outcome = play(
        lab,
        {"allow_origins": [PAGE]},
        Fetch(headers={"X-B": "1", "Authorization": "x", "x-a": "1"}),
    )

    assert (outcome, [seen.request_headers for seen in lab.api.preflights]) == (
        text("GET /echo; authorization=x"),
        ["authorization,x-a,x-b"],
    )


def test_policy_swap_on_running_server_changes_browser_verdict(lab: Lab) -> None:
    middleware = lab.api.middleware
    lab.open_page()
    allowing = CORSPolicy.from_dict(render({"allow_origins": [PAGE]}, lab.ports))
    denying = CORSPolicy.from_dict({"allow_origins": ["http://localhost:1"]})

    lab.api.install(allowing)
    before = outcome_of(lab.fetch("/echo", lab.new_run(), Fetch().init()))
    lab.api.install(denying)
    after = outcome_of(lab.fetch("/echo", lab.new_run(), Fetch().init()))

    assert (before, after, lab.api.middleware) == (
        text("GET /echo"),
        Blocked(BLOCKED_ERRORS[lab.engine]),
        middleware,
    )


CONCURRENT_FETCHES = """
Promise.all(%s.map((url) => fetch(url).then(
  (response) => [...response.headers.keys()].sort().join(" "),
  (error) => `${error.name}: ${error.message}`,
)))
"""


def test_policy_swaps_during_concurrent_fetches_never_mix_policies(lab: Lab) -> None:
    # A swap compiles first and assigns once, so each response is decorated
    # entirely by the old policy or entirely by the new one.
    visible, hidden = (
        CORSPolicy.from_dict(
            render({"allow_origins": [PAGE], "expose_headers": [name]}, lab.ports)
        )
        for name in ("X-Visible", "X-Hidden")
    )
    lab.api.install(visible)
    lab.open_page()
    stop = threading.Event()
    swaps = 0

    def swap() -> None:
        nonlocal swaps
        while not stop.is_set():
            lab.api.install(hidden if swaps % 2 == 0 else visible)
            swaps += 1
            stop.wait(0.001)

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        urls = [lab.api_url("/echo", lab.new_run()) for _ in range(40)]
        readable = lab.browser.evaluate(CONCURRENT_FETCHES % json.dumps(urls))
    finally:
        stop.set()
        swapper.join()

    assert swaps > 0
    assert len(readable) == len(urls)
    assert set(readable) <= {
        "content-length content-type x-visible",
        "content-length content-type x-hidden",
    }
