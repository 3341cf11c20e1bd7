"""A policy change across gunicorn's workers with no downtime: edit the file, send HUP.

gunicorn re-creates its workers on HUP, and ``wrap()`` reads its configuration in each new
worker, so new workers answer under the new policy while old ones finish their requests.
Clients keep sending requests from two origins the whole time (bounded in count and time,
to 127.0.0.1 only); every answer must be a whole answer of the old or of the new policy.
"""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
from pathlib import Path

import pytest
from test_gunicorn import Server, environment, free_port, gunicorn

pytestmark = pytest.mark.server

OLD = "https://old.example"
NEW = "https://new.example"
MAX_REQUESTS = 30_000
MAX_SECONDS = 40.0
ACAO = "access-control-allow-origin"


def answer(origin: str, allowed: list[str]) -> tuple[list[str], list[str]]:
    """(Access-Control-Allow-Origin values, Vary values) of a policy allowing ``allowed``."""
    return ([origin] if origin in allowed else []), ["Origin"]


def test_hup_swaps_the_policy_with_no_failed_or_mixed_answer(tmp_path: Path) -> None:
    config = tmp_path / "cors.json"
    config.write_text(json.dumps({"allow_origins": [OLD]}), encoding="utf-8")
    port = free_port()
    argv = gunicorn(
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--graceful-timeout",
        "10",
        f'wsgicors:wrap("hello:app", config={str(config)!r})',
    )
    server = Server(argv, port, tmp_path / "log", environment())
    results: list[tuple[float, str, int, list[str], list[str]]] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    started = time.monotonic()

    def client(origin: str) -> None:
        while not stop.is_set() and time.monotonic() - started < MAX_SECONDS:
            with lock:
                if len(results) + len(failures) >= MAX_REQUESTS:
                    return
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/api/hello", headers={"Origin": origin})
                response = connection.getresponse()
                response.read()
                acao = [v for k, v in response.getheaders() if k.lower() == ACAO]
                vary = [v for k, v in response.getheaders() if k.lower() == "vary"]
                connection.close()
                with lock:
                    results.append((time.monotonic(), origin, response.status, acao, vary))
            except OSError as error:
                with lock:
                    failures.append(f"{origin}: {error!r}")

    threads = [threading.Thread(target=client, args=(origin,)) for origin in (OLD, NEW, OLD, NEW)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        config.write_text(json.dumps({"allow_origins": [NEW]}), encoding="utf-8")
        reloaded_at = time.monotonic()
        server.process.send_signal(signal.SIGHUP)
        # Wait until the new policy answers, then let the old workers finish and serve on.
        deadline = reloaded_at + 20
        while time.monotonic() < deadline:
            with lock:
                if any(t > reloaded_at and acao == [NEW] for t, _, _, acao, _ in results):
                    break
            time.sleep(0.05)
        swapped_at = time.monotonic()
        time.sleep(2.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    finally:
        stop.set()
        server.stop()

    old, new = [OLD], [NEW]
    assert failures == []
    assert all(status == 200 for _, _, status, _, _ in results)
    for _, origin, _, acao, vary in results:
        assert (acao, vary) in (answer(origin, old), answer(origin, new)), (origin, acao, vary)
    before = [r for r in results if r[0] < reloaded_at]
    assert before
    assert all((r[3], r[4]) == answer(r[1], old) for r in before)
    # Once the old workers are gone (graceful timeout 10 s at most), only the new policy.
    late = [r for r in results if r[0] > swapped_at + 1.5]
    assert late
    assert all((r[3], r[4]) == answer(r[1], new) for r in late)
    assert {r[1] for r in late} == {OLD, NEW}
    assert swapped_at - reloaded_at < 15
    print(
        f"\nreload under load: {len(results)} requests, {len(failures)} failed, new policy "
        f"answering {swapped_at - reloaded_at:.2f} s after HUP"
    )
