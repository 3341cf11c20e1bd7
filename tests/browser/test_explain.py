"""``wsgicors explain --json`` must reach Chromium's verdict on every scenario of the table.

The verdict compared is ``engines.chromium``: the overall one also holds for Firefox and WebKit.

Chromium's verdict is the one the conformance test recorded in this session; when that test did
not run, the table's expectation stands in for it (the conformance test holds the table to
Chromium). Path-scoped scenarios are left out: one KrakenD config holds one policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .scenarios import SCENARIOS, Allowed, Scenario, render

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


@pytest.mark.parametrize("scenario", EXPLAINABLE)
def test_explain_verdict_matches_chromium(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    chromium_verdicts: dict[str, tuple[bool, bool]],
    scenario: Scenario,
) -> None:
    config = tmp_path / "krakend.json"
    config.write_text(json.dumps(krakend_config(scenario)))
    chromium = chromium_verdicts.get(
        scenario.id, (scenario.preflights > 0, isinstance(scenario.expect, Allowed))
    )

    status = cli.main(explain_argv(scenario, config))
    verdict = json.loads(capsys.readouterr().out)

    engine = verdict["engines"]["chromium"]
    assert (engine["preflight"], engine["allowed"]) == chromium
    # The exit status is 0 only when every engine allows the request.
    assert status == (0 if all(e["allowed"] for e in verdict["engines"].values()) else 2)
