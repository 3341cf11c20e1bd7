"""Fixtures for the real-browser suite: one browser per engine, two page servers and the API
per session.

Without an engine its tests skip locally, with the command that installs it (said once in the
summary); with ``CI`` set in the environment a missing engine fails the run instead, so CI
cannot go green without it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from .firefox import Firefox
from .harness import (
    CHROMEDRIVER_CANDIDATES,
    CHROMIUM_CANDIDATES,
    FIREFOX_CANDIDATES,
    INSTALL_HINT,
    Api,
    Browser,
    Lab,
    ScriptedApi,
    ServerThread,
    locate,
    page_app,
)

SCENARIO_TEST = "test_conformance.py::test_chromium_reports_scenario_outcome["


@dataclass
class _Summary:
    version: str | None = None
    seconds: float = 0.0
    outcomes: dict[str, str] = field(default_factory=dict)


_summary = _Summary()
# Engine name -> why its tests were skipped; reported once at the end of the run.
_unavailable: dict[str, str] = {}


def _require(engine: str, missing: list[str]) -> None:
    """Skip (or, under CI, fail) every test of ``engine`` when something it needs is missing."""
    if importlib.util.find_spec("selenium") is None:
        # selenium also brings websocket-client, which the Firefox driver uses.
        missing.append("the selenium package (pip install -e '.[test]')")
    if not missing:
        return
    message = f"{engine}: {' and '.join(missing)} not found; {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    _unavailable[engine] = message
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    binary = locate(CHROMIUM_CANDIDATES)
    driver = locate(CHROMEDRIVER_CANDIDATES)
    _require(
        "chromium",
        [
            *([] if binary else [" or ".join(CHROMIUM_CANDIDATES)]),
            *([] if driver else [" or ".join(CHROMEDRIVER_CANDIDATES)]),
        ],
    )
    assert binary is not None
    assert driver is not None
    browser = Browser(binary, driver)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="session")
def firefox() -> Iterator[Firefox]:
    binary = locate(FIREFOX_CANDIDATES)
    _require("firefox", [] if binary else [" or ".join(FIREFOX_CANDIDATES)])
    assert binary is not None
    browser = Firefox(binary)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="session")
def lab(chromium: Browser) -> Iterator[Lab]:
    with contextlib.ExitStack() as stack:
        pages = [ServerThread(page_app) for _ in range(2)]
        for page in pages:
            stack.callback(page.stop)
        api = Api()
        stack.callback(api.stop)
        browser = chromium
        _summary.version = browser.version
        lab = Lab(browser, api, {"P": pages[0].port, "Q": pages[1].port})
        lab.set_session_cookie()
        yield lab


@pytest.fixture(scope="session")
def scripted(lab: Lab) -> Iterator[ScriptedApi]:
    api = ScriptedApi()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def chromium_verdicts() -> dict[str, tuple[bool, bool]]:
    """Scenario id -> (preflight sent, response readable), as Chromium decided them."""
    return {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if SCENARIO_TEST not in report.nodeid:
        return
    _summary.seconds += report.duration
    if report.when == "call" or report.outcome != "passed":
        _summary.outcomes[report.nodeid] = report.outcome


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for message in _unavailable.values():
        terminalreporter.write_line(f"browser suite skipped {message}")
    outcomes = list(_summary.outcomes.values())
    if not outcomes:
        return
    version = _summary.version or "(not started)"
    terminalreporter.write_sep(
        "-",
        f"browser conformance: {len(outcomes)} scenarios in Chromium {version}: "
        f"{outcomes.count('passed')} passed, {outcomes.count('failed')} failed, "
        f"{outcomes.count('skipped')} skipped in {_summary.seconds:.1f}s",
    )
