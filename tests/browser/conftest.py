"""Fixtures for the real-browser suite: one Chromium, two page servers and the API per session.

Without Chromium the suite skips locally, with the command that installs it; with ``CI`` set in
the environment a missing browser fails the run instead, so CI cannot go green without it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from .harness import (
    CHROMEDRIVER,
    CHROMIUM,
    INSTALL_HINT,
    Api,
    Browser,
    Lab,
    ScriptedApi,
    ServerThread,
    page_app,
)

SCENARIO_TEST = "test_conformance.py::test_chromium_reports_scenario_outcome["


@dataclass
class _Summary:
    version: str | None = None
    seconds: float = 0.0
    outcomes: dict[str, str] = field(default_factory=dict)


_summary = _Summary()


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if importlib.util.find_spec("selenium") is None:
        missing.append("the selenium package (pip install -e '.[test]')")
    if missing:
        message = f"{' and '.join(missing)} not found; {INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with contextlib.ExitStack() as stack:
        pages = [ServerThread(page_app) for _ in range(2)]
        for page in pages:
            stack.callback(page.stop)
        api = Api()
        stack.callback(api.stop)
        browser = Browser()
        stack.callback(browser.quit)
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
