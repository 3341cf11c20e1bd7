"""Fixtures for the real-browser suite: one browser per engine, two page servers and the API
per session.

``lab`` is parametrised by engine (Chromium, Firefox ESR, WebKitGTK), so every test that takes
it runs once in each. Without an engine its tests skip locally, with the command that installs
it (said once in the summary); with ``CI`` set in the environment a missing engine fails the run
instead, so CI cannot go green without it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from . import console_data
from .firefox import Firefox
from .harness import (
    CHROMEDRIVER_CANDIDATES,
    CHROMIUM_CANDIDATES,
    FIREFOX_CANDIDATES,
    INSTALL_HINT,
    WEBKIT_CANDIDATES,
    WEBKIT_DRIVER_CANDIDATES,
    XVFB_CANDIDATES,
    Api,
    Browser,
    Engine,
    Lab,
    ScriptedApi,
    ServerThread,
    locate,
    page_app,
)
from .scenarios import ENGINE_NAMES, ENGINES
from .webkit import WebKit

SCENARIO_TEST = "test_conformance.py::test_engine_reports_scenario_outcome["


@dataclass
class _Summary:
    version: str | None = None
    seconds: float = 0.0
    outcomes: dict[str, str] = field(default_factory=dict)


# Engine -> its scenarios' outcomes, for the one line per engine at the end of the run.
_summaries: dict[str, _Summary] = {engine: _Summary() for engine in ENGINES}
# Engine name -> why its tests were skipped; reported once at the end of the run.
_unavailable: dict[str, str] = {}
# The servers' ports ("P", "Q" pages, "A" the API, "S" the scripted API), to take out of
# collected messages.
_ports: dict[str, int] = {}


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


def _located(*candidates: tuple[str, ...]) -> tuple[list[str | None], list[str]]:
    """Each group's first executable candidate, and a description of each group not found."""
    found = [locate(group) for group in candidates]
    missing = [
        " or ".join(group) for group, path in zip(candidates, found, strict=True) if not path
    ]
    return found, missing


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    (binary, driver), missing = _located(CHROMIUM_CANDIDATES, CHROMEDRIVER_CANDIDATES)
    _require("chromium", missing)
    assert binary is not None
    assert driver is not None
    browser = Browser(binary, driver)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="session")
def firefox() -> Iterator[Firefox]:
    (binary,), missing = _located(FIREFOX_CANDIDATES)
    _require("firefox", missing)
    assert binary is not None
    browser = Firefox(binary)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="session")
def webkit() -> Iterator[WebKit]:
    (binary, driver, xvfb), missing = _located(
        WEBKIT_CANDIDATES, WEBKIT_DRIVER_CANDIDATES, XVFB_CANDIDATES
    )
    _require("webkit", missing)
    assert binary is not None
    assert driver is not None
    assert xvfb is not None
    browser = WebKit(binary, driver, xvfb)
    try:
        yield browser
    finally:
        browser.quit()


@dataclass
class Servers:
    api: Api
    ports: dict[str, int]
    # Engine -> its Lab, made once.
    labs: dict[str, Lab] = field(default_factory=dict)


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    with contextlib.ExitStack() as stack:
        pages = [ServerThread(page_app) for _ in range(2)]
        for page in pages:
            stack.callback(page.stop)
        api = Api()
        stack.callback(api.stop)
        ports = {"P": pages[0].port, "Q": pages[1].port}
        _ports.update(ports, A=api.port)
        yield Servers(api, ports)


def lab_for(request: pytest.FixtureRequest, servers: Servers, engine: str) -> Lab:
    """The engine's lab: its browser (started on first use) in front of the shared servers."""
    if engine not in servers.labs:
        browser: Engine = request.getfixturevalue(engine)
        lab = Lab(browser, servers.api, servers.ports)
        lab.set_session_cookie()
        servers.labs[engine] = lab
        _summaries[engine].version = browser.version
    return servers.labs[engine]


@pytest.fixture(scope="session", params=ENGINES)
def lab(request: pytest.FixtureRequest, servers: Servers) -> Lab:
    return lab_for(request, servers, request.param)


@pytest.fixture(scope="session")
def chromium_lab(request: pytest.FixtureRequest, servers: Servers) -> Lab:
    return lab_for(request, servers, "chromium")


@pytest.fixture(scope="session")
def scripted(servers: Servers) -> Iterator[ScriptedApi]:
    api = ScriptedApi()
    _ports["S"] = api.port
    yield api
    api.stop()


@pytest.fixture(scope="session")
def verdicts() -> dict[tuple[str, str], tuple[bool, bool]]:
    """(engine, scenario id) -> (preflight sent, response readable), as the engine decided."""
    return {}


# (engine, scenario id) -> what the engine's console printed for a blocked scenario.
_console_log: dict[tuple[str, str], list[str]] = {}


@pytest.fixture(scope="session")
def console_log() -> dict[tuple[str, str], list[str]]:
    """(engine, scenario id) -> what the engine's console printed for a blocked scenario."""
    return _console_log


def _engine_of(nodeid: str) -> str | None:
    params = nodeid.rpartition("[")[2].rstrip("]").split("-")
    return next((part for part in (params[0], params[-1]) if part in ENGINES), None)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if SCENARIO_TEST not in report.nodeid:
        return
    engine = _engine_of(report.nodeid)
    if engine is None:
        return
    summary = _summaries[engine]
    summary.seconds += report.duration
    if report.when == "call" or report.outcome != "passed":
        summary.outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    if os.environ.get(console_data.UPDATE_VARIABLE) and _console_log:
        versions = {engine: summary.version for engine, summary in _summaries.items()}
        path = console_data.write(_console_log, versions, _ports)
        session.config.get_terminal_writer().line(f"wrote {path}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for message in _unavailable.values():
        terminalreporter.write_line(f"browser suite skipped {message}")
    for engine, summary in _summaries.items():
        outcomes = list(summary.outcomes.values())
        if not outcomes:
            continue
        version = summary.version or "(not started)"
        terminalreporter.write_sep(
            "-",
            f"browser conformance: {len(outcomes)} scenarios in {ENGINE_NAMES[engine]} "
            f"{version}: {outcomes.count('passed')} passed, {outcomes.count('failed')} failed, "
            f"{outcomes.count('skipped')} skipped in {summary.seconds:.1f}s",
        )
