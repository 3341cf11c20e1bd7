"""The console messages the engines printed (``console_messages.json``) against the model and
``wsgicors why``.

For every blocked scenario (and every blocked raw answer of ``test_browser_model``) in every
engine whose console was collected: ``why`` reads the first message back to the check the
model says failed, and the model predicts the engine's console lines word for word. Without a
browser these run on the stored data; in a session that played the scenarios, the stored data
must also equal what the engines printed now. docs/debugging.md's table is generated from the
same data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wsgicors.tools.browser import (
    FetchRequest,
    HTTPResponse,
    Verdict,
    console_messages,
    evaluate,
)
from wsgicors.tools.exchange import explain
from wsgicors.tools.why import read_message

from . import console_data
from .scenarios import SCENARIOS, Scenario
from .test_browser_model import RAW_CASES, RAW_PREFIX, Raw, fill

# Fixed ports stand in for the session's; the messages are compared with placeholders.
PORTS = {"P": 8001, "Q": 8002, "A": 8003, "S": 8004}
DATA = console_data.load() if console_data.PATH.exists() else {"versions": {}, "messages": []}
ENTRIES = [
    pytest.param(entry, id=f"{entry['engine']}-{entry['scenario']}") for entry in DATA["messages"]
]
BY_ID: dict[str, Any] = {
    **{param.values[0].id: param.values[0] for param in SCENARIOS},
    **{f"{RAW_PREFIX}{param.values[0].id}": param.values[0] for param in RAW_CASES},
}
DEBUGGING = Path(__file__).parents[2] / "docs" / "debugging.md"
# The statuses of the suite's app (tests/browser/harness.py) that are not 200.
APP_STATUS = {"/boom": 500, "/nope": 404}
# A scenario whose preflight the wrapped app answers is beyond a model of the middleware.
MODELLED = [
    param for param in ENTRIES if getattr(BY_ID[param.values[0]["scenario"]], "explainable", True)
]


def model(entry: dict[str, Any]) -> tuple[FetchRequest, Verdict, str, int]:
    """The request, the engine's verdict in the model, the URL and the failing status."""
    engine = entry["engine"]
    case = BY_ID[entry["scenario"]]
    if isinstance(case, Scenario):
        fetch = case.fetches[0]
        path = f"{fetch.path}?run=1"
        request = FetchRequest(
            case.page_origin(PORTS),
            fetch.method,
            tuple(fetch.headers.items()),
            fetch.credentialed,
            path,
            engine=engine,
        )
        exchange = next(
            e for e in explain(case.policy_spec(PORTS), request).exchanges if e.engine == engine
        )
        failed = exchange.actual_response or exchange.preflight_response
        assert failed is not None
        # explain's echo app answers 200 where the suite's app fails on purpose.
        status = APP_STATUS.get(fetch.path, failed.status) if exchange.actual_response else 0
        status = status or failed.status
        return request, exchange.verdict, f"http://127.0.0.1:{PORTS['A']}{path}", status
    assert isinstance(case, Raw)
    origin = f"http://127.0.0.1:{PORTS['P']}"
    fetch = case.fetch
    request = FetchRequest(
        origin,
        fetch.method,
        tuple(fetch.headers.items()),
        fetch.credentialed,
        "/scripted?run=1",
        engine=engine,
    )
    preflight = HTTPResponse(case.preflight_status, fill(case.preflight, origin))
    verdict = evaluate(
        request,
        preflight if request.needs_preflight else None,
        HTTPResponse(200, fill(case.actual, origin)),
    )
    status = 200 if verdict.cache is not None or not verdict.preflight else case.preflight_status
    return request, verdict, f"http://127.0.0.1:{PORTS['S']}/scripted?run=1", status


@pytest.mark.parametrize("entry", MODELLED)
def test_why_reads_collected_message_as_model_cause(entry: dict[str, Any]) -> None:
    _, verdict, _, _ = model(entry)
    reading = read_message(console_data.render(entry["console"][0], PORTS))

    assert reading is not None
    assert (reading.engine, verdict.rejections[0].check in reading.checks) == (
        entry["engine"],
        True,
    )
    # A message that says which response failed says it rightly.
    if reading.preflight is not None:
        assert reading.preflight == (verdict.preflight and verdict.cache is None)


@pytest.mark.parametrize("entry", MODELLED)
def test_model_predicts_collected_console_lines(entry: dict[str, Any]) -> None:
    request, verdict, url, status = model(entry)

    predicted = console_messages(entry["engine"], request, verdict, url, status)

    assert predicted is not None
    assert [console_data.normalise(line, PORTS) for line in predicted] == entry["console"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_collected_line_is_a_known_message(entry: dict[str, Any]) -> None:
    readings = [read_message(line) for line in entry["console"]]

    assert [reading is not None for reading in readings] == [True] * len(readings)


def test_collected_data_covers_each_engine_with_a_console() -> None:
    engines = {entry["engine"] for entry in DATA["messages"]}

    assert engines == {"chromium", "firefox"}


@pytest.mark.browser
def test_stored_console_data_equals_this_session(
    console_log: dict[tuple[str, str], list[str]],
) -> None:
    if not console_log:
        pytest.skip("no engine printed console messages in this session")
    from .conftest import _ports

    stored = {(e["engine"], e["scenario"]): e["console"] for e in DATA["messages"]}
    engines = {engine for engine, _ in console_log}
    now = {
        key: [console_data.normalise(line, _ports) for line in lines]
        for key, lines in console_log.items()
    }

    assert now == {key: lines for key, lines in stored.items() if key[0] in engines}


def test_debugging_page_table_is_generated_from_data() -> None:
    text = DEBUGGING.read_text(encoding="utf-8")
    start = text.index(console_data.TABLE_START) + len(console_data.TABLE_START)
    end = text.index(console_data.TABLE_END)

    assert text[start:end].strip() == console_data.table(DATA).strip()


CHROMIUM_PREFLIGHT = (
    "Access to fetch at 'http://127.0.0.1:8003/items/7' from origin 'https://app.example' has "
    "been blocked by CORS policy: Response to preflight request doesn't pass access control "
    "check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
)


def test_why_with_config_names_policy_cause_and_checked_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wsgicors import cli

    config = tmp_path / "cors.json"
    config.write_text('{"allow_origins": ["https://app.example"]}')

    status = cli.main(["why", CHROMIUM_PREFLIGHT, "--config", str(config), "--method", "PUT"])
    out = capsys.readouterr().out

    assert status == 2
    assert out.splitlines()[-4:] == [
        "because:",
        """- the method 'PUT' is not in allow_methods ["GET", "HEAD", "POST"]""",
        "fix (checked: with this change every engine allows it):",
        "- add 'PUT' to allow_methods",
    ]


def test_why_firefox_message_with_config_needs_the_origin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wsgicors import cli

    config = tmp_path / "cors.json"
    config.write_text('{"allow_origins": ["https://app.example"]}')
    message = console_data.render(DATA["messages"][-1]["console"][0], PORTS)

    status = cli.main(["why", message, "--config", str(config)])

    assert (status, capsys.readouterr().err.strip()) == (
        1,
        "wsgicors: error: Firefox does not name the page's origin in this message: give it "
        "with --origin",
    )


def test_why_unknown_message_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    from wsgicors import cli

    status = cli.main(["why", "Uncaught ReferenceError: x is not defined"])

    assert (status, capsys.readouterr().out.startswith("not a CORS console message")) == (1, True)


def test_why_reads_no_further_than_its_bound() -> None:
    from wsgicors.tools.why import MAX_MESSAGE

    assert read_message(" " * MAX_MESSAGE + CHROMIUM_PREFLIGHT) is None
    assert read_message(CHROMIUM_PREFLIGHT + "x" * 10**6) is not None
