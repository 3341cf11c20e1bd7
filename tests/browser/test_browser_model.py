"""``wsgicors.tools.browser`` (the model behind ``explain`` and ``probe``) against the engines.

The middleware only ever sends well-formed answers, so these cases use a server that sends
hand-written CORS headers: ``*`` lists, duplicate fields, wrong case, a failed status. For each,
each engine and the model of that engine must reach the same verdict: preflight sent or not,
response readable or not, and which of the server's headers the script can read.

The rows of ``engine_cases`` record where Chromium and Firefox were seen to decide differently;
the model must reach each engine's own verdict on every row (that test needs no browser).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from wsgicors.headers import ACAC, ACAH, ACAM, ACAO, ACEH
from wsgicors.tools.browser import FetchRequest, HTTPResponse, evaluate, type_error

from .engine_cases import CASES, Case
from .harness import Lab, Script, ScriptedApi
from .scenarios import Fetch, read_console

# How the console data names these cases, apart from the scenarios.
RAW_PREFIX = "raw/"

Fields = tuple[tuple[str, str], ...]
SAFELISTED = ("content-length", "content-type")


@dataclass(frozen=True)
class Raw:
    fetch: Fetch
    # "{origin}" stands for the page's origin.
    preflight: Fields = ()
    actual: Fields = ()
    allowed: bool = True
    preflight_status: int = 204
    readable: tuple[str, ...] = field(default=SAFELISTED)
    id: str = ""


def raw(id: str, **fields: Any) -> Any:
    return pytest.param(Raw(id=id, **fields), id=id)


STAR = ((ACAO, "*"),)
ECHO = ((ACAO, "{origin}"),)
ECHO_CREDENTIALS = ((ACAO, "{origin}"), (ACAC, "true"))

RAW_CASES = [
    raw(
        "allow-headers-star-covers-authorization-without-credentials",
        # Fetch #cors-preflight-fetch: `*` never covers Authorization; Chromium lets it through.
        fetch=Fetch(headers={"Authorization": "Bearer t0ken"}),
        preflight=(*STAR, (ACAH, "*")),
        actual=STAR,
    ),
    raw(
        "allow-headers-star-is-a-literal-name-with-credentials",
        fetch=Fetch(headers={"X-Custom": "1"}, credentials="include"),
        preflight=(*ECHO_CREDENTIALS, (ACAH, "*")),
        actual=ECHO_CREDENTIALS,
        allowed=False,
    ),
    raw(
        "allow-headers-matched-case-insensitively",
        fetch=Fetch(headers={"X-Custom": "1"}),
        preflight=(*ECHO, (ACAH, "X-CUSTOM")),
        actual=ECHO,
    ),
    raw(
        "allow-headers-list-with-spaces-parsed",
        fetch=Fetch(headers={"X-A": "1", "X-B": "1"}),
        preflight=(*ECHO, (ACAH, "x-a ,  x-b")),
        actual=ECHO,
    ),
    raw(
        "allow-methods-star-allows-put-without-credentials",
        fetch=Fetch("PUT"),
        preflight=(*STAR, (ACAM, "*")),
        actual=STAR,
    ),
    raw(
        "allow-methods-star-is-a-literal-name-with-credentials",
        fetch=Fetch("PUT", credentials="include"),
        preflight=(*ECHO_CREDENTIALS, (ACAM, "*")),
        actual=ECHO_CREDENTIALS,
        allowed=False,
    ),
    raw(
        "allow-methods-compared-case-sensitively",
        fetch=Fetch("patch"),
        preflight=(*ECHO, (ACAM, "PATCH")),
        actual=ECHO,
        allowed=False,
    ),
    raw(
        "preflight-status-403-fails-despite-headers",
        fetch=Fetch("PUT"),
        preflight=(*ECHO, (ACAM, "PUT")),
        preflight_status=403,
        actual=ECHO,
        allowed=False,
    ),
    raw(
        "preflight-status-200-passes",
        fetch=Fetch("PUT"),
        preflight=(*ECHO, (ACAM, "PUT")),
        preflight_status=200,
        actual=ECHO,
    ),
    raw(
        "allow-origin-sent-twice-fails",
        fetch=Fetch(),
        actual=((ACAO, "{origin}"), (ACAO, "{origin}")),
        allowed=False,
    ),
    raw(
        "allow-origin-with-trailing-slash-fails",
        fetch=Fetch(),
        actual=((ACAO, "{origin}/"),),
        allowed=False,
    ),
    raw(
        "allow-origin-star-with-credentials-fails",
        fetch=Fetch(credentials="include"),
        actual=((ACAO, "*"), (ACAC, "true")),
        allowed=False,
    ),
    raw(
        "allow-credentials-wrong-case-fails",
        fetch=Fetch(credentials="include"),
        actual=((ACAO, "{origin}"), (ACAC, "True")),
        allowed=False,
    ),
    raw(
        "expose-star-exposes-all-without-credentials",
        fetch=Fetch(),
        actual=(*ECHO, (ACEH, "*")),
        readable=(
            "access-control-allow-origin",
            "access-control-expose-headers",
            *SAFELISTED,
            "x-visible",
        ),
    ),
    raw(
        "expose-star-is-a-literal-name-with-credentials",
        fetch=Fetch(credentials="include"),
        actual=(*ECHO_CREDENTIALS, (ACEH, "*")),
    ),
]


def fill(fields: Fields, origin: str) -> Fields:
    return tuple((name, value.replace("{origin}", origin)) for name, value in fields)


@pytest.mark.browser
@pytest.mark.parametrize("case", RAW_CASES)
def test_browser_model_matches_engine_on_raw_answer(
    lab: Lab,
    scripted: ScriptedApi,
    console_log: dict[tuple[str, str], list[str]],
    case: Raw,
) -> None:
    origin = lab.page_url().rstrip("/")
    body = ScriptedApi.BODY
    actual = (
        *fill(case.actual, origin),
        ("Content-Type", "text/plain"),
        ("Content-Length", str(len(body))),
        ("X-Visible", "yes"),
    )
    preflight = fill(case.preflight, origin)
    scripted.script = Script(case.preflight_status, preflight, actual)
    lab.open_page()
    scripted.recorder.clear()
    read_console(lab, expect_some=False)
    result = lab.fetch_url(scripted.url(lab.new_run()), case.fetch.init())
    messages = read_console(lab, expect_some=result["kind"] == "error")
    if messages and result["kind"] == "error":
        console_log[lab.engine, f"{RAW_PREFIX}{case.id}"] = messages
    sent = {name.lower() for name, _ in actual}
    browser = (
        any(seen.is_preflight for seen in scripted.recorder.seen),
        result["kind"] == "response",
        sorted(name for name in result.get("headers", {}) if name in sent),
    )

    request = FetchRequest(
        origin,
        case.fetch.method,
        tuple(case.fetch.headers.items()),
        case.fetch.credentialed,
        "/scripted",
        engine=lab.engine,
    )
    verdict = evaluate(
        request,
        HTTPResponse(case.preflight_status, preflight) if request.needs_preflight else None,
        HTTPResponse(200, actual),
    )
    model = (
        verdict.preflight,
        verdict.allowed,
        sorted(name.lower() for name in verdict.readable_headers),
    )

    expected = (
        case.fetch.method not in ("GET", "HEAD", "POST") or bool(case.fetch.headers),
        case.allowed,
        sorted(case.readable) if case.allowed else [],
    )
    assert (browser, model) == (expected, expected)


# --- the model against each engine's observed verdicts --------------------------------------

PAGE = "http://127.0.0.1:8001"


def model_outcome(case: Case, engine: str) -> dict[str, bool]:
    """What the model says ``engine`` does with the row, in the row's own terms."""
    if type_error(case.method, case.headers) is not None:
        return {"preflight": False, "allowed": False}
    request = FetchRequest(
        PAGE, case.method, case.headers, case.credentials, f"/{case.id}", engine=engine
    )
    server = case.server
    preflight = (*server.preflight, *((("Location", server.location),) if server.location else ()))
    verdict = evaluate(
        request,
        HTTPResponse(server.preflight_status, fill(preflight, PAGE)),
        HTTPResponse(200, fill(server.actual, PAGE)),
    )
    outcome = {"preflight": verdict.preflight, "allowed": verdict.allowed}
    if case.probes_cache:
        assert verdict.cache is not None
        # Each repeat follows the one before by `delay` seconds: cached if it outlives that.
        outcome["cached"] = getattr(verdict.cache, engine) > case.delay
    return outcome


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_browser_model_matches_each_engine_on_observed_case(case: Case) -> None:
    model = {engine: model_outcome(case, engine) for engine in case.expected}
    assert model == case.expected
