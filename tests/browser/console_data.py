"""The console messages the engines printed for the blocked scenarios, kept as data.

``console_messages.json`` (beside this module) is written by the browser suite, never by hand::

    WSGICORS_UPDATE_CONSOLE=1 CI=true .venv/bin/python -m pytest tests/browser \\
        -k test_engine_reports_scenario_outcome -p no:cacheprovider

Each entry is one scenario in one engine: every line the console printed while the scenario's
fetches ran, with the servers' ports replaced by ``{P}``/``{Q}`` (the pages) and ``{A}`` (the
API) and the per-test query by ``run={N}``, so that the file only changes when an engine does.
WebKitGTK's driver exposes no console, so WebKit has no entries (see ``webkit.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("console_messages.json")
UPDATE_VARIABLE = "WSGICORS_UPDATE_CONSOLE"
_RUN = re.compile(r"run=\d+")


def normalise(message: str, ports: Mapping[str, int]) -> str:
    """``message`` with the session's ports and run number replaced by placeholders."""
    for name, port in ports.items():
        message = message.replace(f":{port}", f":{{{name}}}")
    return _RUN.sub("run={N}", message)


def render(message: str, ports: Mapping[str, int]) -> str:
    """The inverse of `normalise` for the ports (the run number stays a placeholder)."""
    for name, port in ports.items():
        message = message.replace(f":{{{name}}}", f":{port}")
    return message


def write(
    collected: Mapping[tuple[str, str], list[str]],
    versions: Mapping[str, str | None],
    ports: Mapping[str, int],
) -> Path:
    """Merge ``collected`` into the data file: an engine's entries are replaced by its new ones."""
    data = load() if PATH.exists() else {"versions": {}, "messages": []}
    engines = {engine for engine, _ in collected}
    messages = [entry for entry in data["messages"] if entry["engine"] not in engines]
    messages += [
        {
            "engine": engine,
            "scenario": scenario,
            "console": [normalise(line, ports) for line in lines],
        }
        for (engine, scenario), lines in collected.items()
    ]
    messages.sort(key=lambda entry: (entry["engine"], entry["scenario"]))
    data["versions"].update({engine: versions[engine] for engine in engines})
    data["messages"] = messages
    PATH.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return PATH


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))
    return data


TABLE_START = "<!-- console-table: generated from tests/browser/console_messages.json -->"
TABLE_END = "<!-- end console-table -->"


def table(data: Mapping[str, Any]) -> str:
    """The Markdown table of docs/debugging.md: each distinct first message, per engine, with
    the check ``wsgicors why`` names for it."""
    from wsgicors.tools.why import read_message

    rows: dict[tuple[str, str], str] = {}
    for entry in data["messages"]:
        first = entry["console"][0]
        reading = read_message(first)
        checks = ", ".join(f"`{check}`" for check in reading.checks) if reading else "?"
        # The URL and origin vary; the rest of the message is the engine's wording.
        rows.setdefault((entry["engine"], _generic(first)), checks)
    versions = data["versions"]
    lines = [
        "| engine | the console says | failed check (`wsgicors why`) |",
        "|---|---|---|",
    ]
    for (engine, message), checks in sorted(rows.items()):
        name = {"chromium": "Chromium", "firefox": "Firefox"}[engine]
        escaped = message.replace("|", "\\|").replace("*", "\\*")
        lines.append(f"| {name} {versions[engine]} | {escaped} | {checks} |")
    return "\n".join(lines)


def _generic(message: str) -> str:
    """``message`` with its URL and origins shown as URL and ORIGIN."""
    out = []
    for word in message.split(" "):
        core = word.strip("\u2018\u2019'.,()")
        if core.startswith("http://"):
            kind = "ORIGIN" if "/" not in core[len("http://") :].rstrip("/") else "URL"
            word = word.replace(core, kind)
        out.append(word)
    return " ".join(out)
