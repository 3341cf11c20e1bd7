"""``wsgicors explain --json`` must reach each engine's verdict on every scenario of the table.

For each engine, ``engines.<engine>`` is compared with the verdict that engine reached in the
conformance test of this session; when that test did not run in an engine, the table's
expectation for the engine stands in for it (the conformance test holds the table to each
engine). Path-scoped scenarios are left out: one KrakenD config holds one policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .scenarios import ENGINES, SCENARIOS, Allowed, Scenario, render

cli = pytest.importorskip("wsgicors.cli", reason="wsgicors.cli (the explain command) is missing")

pytestmark = pytest.mark.browser

# Real ports do not change a verdict; any fixed pair will do for the model.
PORTS = {"P": 8001, "Q": 8002}


def krakend_config(scenario: Scenario) -> dict[str, Any]:
    cors = dict(render(scenario.policy or {}, PORTS))
    extra: dict[str, Any] = {"security/cors": cors}
    if "auto_options" in cors:
        extra["router"] = {"auto_options": cors.pop("auto_options")}
    return {"version": 3, "extra_config": extra}


def explain_argv(scenario: Scenario, config: Path) -> list[str]:
    fetch = scenario.fetches[0]
    argv = [
        "explain",
        str(config),
        "--json",
        "--origin",
        scenario.page_origin(PORTS),
        "--method",
        fetch.method,
        "--path",
        fetch.path,
    ]
    for name, value in fetch.headers.items():
        argv += ["--header", f"{name}: {value}"]
    if fetch.credentialed:
        argv.append("--credentials")
    return argv


EXPLAINABLE = [
    param for param in SCENARIOS if param.values[0].paths is None and param.values[0].explainable
]


def observed(
    verdicts: dict[tuple[str, str], tuple[bool, bool]], scenario: Scenario, engine: str
) -> tuple[bool, bool]:
    """(preflight sent, response readable) in ``engine``: seen in this session, or the table's."""
    expected = (
        scenario.preflights_in(engine) > 0,
        isinstance(scenario.expect_in(engine), Allowed),
    )
    return verdicts.get((engine, scenario.id), expected)


@pytest.mark.parametrize("scenario", EXPLAINABLE)
def test_explain_verdict_matches_every_engine(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    verdicts: dict[tuple[str, str], tuple[bool, bool]],
    scenario: Scenario,
) -> None:
    config = tmp_path / "krakend.json"
    config.write_text(json.dumps(krakend_config(scenario)))

    status = cli.main(explain_argv(scenario, config))
    verdict = json.loads(capsys.readouterr().out)

    model = {
        engine: (verdict["engines"][engine]["preflight"], verdict["engines"][engine]["allowed"])
        for engine in ENGINES
    }
    assert model == {engine: observed(verdicts, scenario, engine) for engine in ENGINES}
    # The exit status is 0 only when every engine allows the request.
    assert status == (0 if all(allowed for _, allowed in model.values()) else 2)
