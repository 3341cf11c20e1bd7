"""Every row of ``engine_cases`` played in each real engine: the browsers are the judges.

A server on 127.0.0.1 answers each row as the row says and counts, per engine and row, the
preflights it received and the other requests that reached it. One page load per engine; the
rows run as one batch of concurrent ``fetch()`` calls, except the preflight-cache rows, which
run after a warm-up (Firefox re-sends the preflight for its first would-be cache hits in a new
content process), each as three fetches in a row.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from .engine_cases import ACMA, CASES, ENGINES, PERMIT, Answer, Case, Fields, Outcome
from .harness import Engine, ServerThread, page_app

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

pytestmark = pytest.mark.browser

CACHE_REPEATS = 3
WARM_UP_LIMIT = 8
WARM_UP = Case(
    "warm-up",
    "PUT",
    (),
    {engine: {"preflight": True, "allowed": True, "cached": True} for engine in ENGINES},
    server=Answer(preflight=(*PERMIT, (ACMA, "600"))),
)

# Runs in the page. For each request: build the header list with Headers.append() (so a name
# may repeat, and a value that is not a ByteString throws there), then fetch `times` times in a
# row, each `delay` seconds after the one before; report what the script sees of each.
PLAY = """
(async (requests) => {
  const play = async ({url, method, headers, credentials, times, delay}) => {
    const attempts = [];
    for (let i = 0; i < times; i++) {
      if (i > 0 && delay) await new Promise((resolve) => setTimeout(resolve, delay * 1000));
      try {
        const list = new Headers();
        for (const [name, value] of headers) list.append(name, value);
        const response = await fetch(url, {method, headers: list, credentials});
        attempts.push({kind: "response", status: response.status, body: await response.text()});
      } catch (error) {
        attempts.push({kind: "error", name: error.name, message: error.message});
      }
    }
    return attempts;
  };
  return Promise.all(requests.map(play));
})(%s)
"""


def fill(fields: Fields, origin: str) -> list[tuple[str, str]]:
    return [(name, value.replace("{origin}", origin)) for name, value in fields]


class CaseServer:
    """Answers ``/<engine>/<case id>/resource`` as the row's :class:`Answer` says.

    A preflight for the resource is counted in ``preflights``; every other request under the
    row's path (the actual request, or anything at a redirect's target) in ``reached``.
    """

    BODY = b"ok"

    def __init__(self, cases: Iterable[Case]) -> None:
        self.cases = {case.id: case for case in cases}
        self.preflights: Counter[tuple[str, str]] = Counter()
        self.reached: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self.server = ServerThread(self)
        self.origin = f"http://127.0.0.1:{self.server.port}"

    def url(self, engine: str, case: Case) -> str:
        return f"{self.origin}/{engine}/{case.id}/resource"

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        engine, _, rest = environ.get("PATH_INFO", "").lstrip("/").partition("/")
        case_id, _, leaf = rest.partition("/")
        case = self.cases.get(case_id)
        if case is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        origin = environ.get("HTTP_ORIGIN", "")
        preflight = (
            environ["REQUEST_METHOD"] == "OPTIONS"
            and bool(origin)
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
        )
        answer = case.server
        if preflight and leaf == "resource":
            with self._lock:
                self.preflights[engine, case_id] += 1
            headers = fill(answer.preflight, origin)
            if answer.location is not None:
                headers.append(("Location", answer.location))
            start_response(
                f"{answer.preflight_status} Preflight", [*headers, ("Content-Length", "0")]
            )
            return [b""]
        with self._lock:
            self.reached[engine, case_id] += 1
        headers = fill(answer.actual, origin)
        headers += [("Content-Type", "text/plain"), ("Content-Length", str(len(self.BODY)))]
        start_response("200 OK", headers)
        return [self.BODY]

    def stop(self) -> None:
        self.server.stop()


@dataclass(frozen=True)
class Seen:
    """One row as an engine played it."""

    outcome: Outcome
    reached: int
    errors: tuple[str, ...]


@pytest.fixture(scope="module")
def case_server() -> Iterator[CaseServer]:
    server = CaseServer([*CASES, WARM_UP])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    page = ServerThread(page_app)
    yield f"http://127.0.0.1:{page.port}/"
    page.stop()


def play(browser: Engine, server: CaseServer, cases: list[Case], times: int) -> list[Any]:
    requests = [
        {
            "url": server.url(browser.name, case),
            "method": case.method,
            "headers": [list(pair) for pair in case.headers],
            "credentials": "include" if case.credentials else "same-origin",
            "times": times,
            "delay": case.delay,
        }
        for case in cases
    ]
    result: list[Any] = browser.evaluate(PLAY % json.dumps(requests))
    return result


def warm_up(browser: Engine, server: CaseServer) -> int:
    """Repeat one cacheable preflighted request until a repeat goes without a preflight.

    Returns the number of fetches it took; fails when the engine never used its cache.
    """
    key = (browser.name, WARM_UP.id)
    for attempt in range(1, WARM_UP_LIMIT + 1):
        before = server.preflights[key]
        [[result]] = play(browser, server, [WARM_UP], 1)
        assert result["kind"] == "response", result
        if attempt > 1 and server.preflights[key] == before:
            return attempt
    pytest.fail(f"{browser.name} sent a preflight for each of {WARM_UP_LIMIT} cacheable fetches")


def observe(browser: Engine, server: CaseServer, page_url: str) -> dict[str, Seen]:
    browser.open(page_url)
    batch = [case for case in CASES if not case.probes_cache]
    cache_rows = [case for case in CASES if case.probes_cache]
    played = list(zip(batch, play(browser, server, batch, 1), strict=True))
    warm_up(browser, server)
    played += zip(cache_rows, play(browser, server, cache_rows, CACHE_REPEATS), strict=True)

    seen = {}
    for case, attempts in played:
        key = (browser.name, case.id)
        outcome = {
            "preflight": server.preflights[key] > 0,
            "allowed": all(a.get("status") == 200 and a.get("body") == "ok" for a in attempts),
        }
        if case.probes_cache:
            outcome["cached"] = server.preflights[key] < len(attempts)
        errors = tuple(f"{a['name']}: {a['message']}" for a in attempts if a["kind"] == "error")
        seen[case.id] = Seen(outcome, server.reached[key], errors)
    return seen


class Observations(dict[str, dict[str, Seen]]):
    """Engine -> row id -> what happened; an engine plays every row once, when first asked."""

    def __init__(self, request: pytest.FixtureRequest, server: CaseServer, page_url: str) -> None:
        super().__init__()
        self._request = request
        self._server = server
        self._page_url = page_url
        self._failures: dict[str, BaseException] = {}

    def __missing__(self, engine: str) -> dict[str, Seen]:
        # A failed (or skipped) engine is not played again for each of its rows.
        if engine in self._failures:
            raise self._failures[engine]
        try:
            # The engine's session fixture skips, or under CI fails, when it is not installed.
            browser: Engine = self._request.getfixturevalue(engine)
            seen = self[engine] = observe(browser, self._server, self._page_url)
        except BaseException as error:
            self._failures[engine] = error
            raise
        return seen


@pytest.fixture(scope="module")
def observed(
    request: pytest.FixtureRequest, case_server: CaseServer, page_url: str
) -> Observations:
    return Observations(request, case_server, page_url)


@pytest.mark.parametrize(
    ("engine", "case"),
    [pytest.param(engine, case, id=f"{engine}-{case.id}") for engine in ENGINES for case in CASES],
)
def test_engine_decides_row_as_table_says(
    observed: dict[str, dict[str, Seen]], engine: str, case: Case
) -> None:
    seen = observed[engine][case.id]
    expected = case.expected[engine]
    attempts = CACHE_REPEATS if case.probes_cache else 1
    # A request reaches the server exactly when the page may read its answer, and every failed
    # fetch() is a TypeError (Fetch #concept-network-error, WebIDL ByteString conversion).
    reached = attempts if expected["allowed"] else 0
    error_names = [] if expected["allowed"] else ["TypeError"] * attempts

    assert (seen.outcome, seen.reached, [e.split(":")[0] for e in seen.errors]) == (
        expected,
        reached,
        error_names,
    ), seen.errors
