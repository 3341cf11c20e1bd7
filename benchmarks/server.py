"""gunicorn on 127.0.0.1 loaded by wrk: requests per second with and without wsgicors."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from benchmarks import scenarios

REPO_ROOT = Path(__file__).resolve().parent.parent


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages when missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    print("installing wrk from Debian's packages", file=sys.stderr)
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=120"]
    subprocess.run([*apt, "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if found is None:
        subprocess.run([*apt, "update", "-qq"], check=True, capture_output=True)
        subprocess.run([*apt, "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk could not be installed")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(port: int, origin: str) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/", headers={"Origin": origin})
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


@contextmanager
def gunicorn(app: str, ours_module: str, worker_class: str) -> Iterator[int]:
    """A one-worker gunicorn serving ``app`` on a free loopback port; stopped on exit."""
    port = _free_port()
    env = dict(os.environ, BENCHMARKS_OURS=ours_module)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--worker-class",
        worker_class,
        "--threads",
        "4",
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _get(port, scenarios.ALLOWED_ORIGIN)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {' '.join(command)}") from None
                time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wrk(wrk: str, port: int, seconds: float, connections: int) -> dict[str, Any]:
    completed = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "-H",
            f"Origin: {scenarios.ALLOWED_ORIGIN}",
            f"http://127.0.0.1:{port}/",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    out = completed.stdout
    rps = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if rps is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    return {
        "requests_per_second": float(rps.group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else None,
    }


def run(
    ours_module: str,
    *,
    seconds: float,
    rounds: int,
    connections: int = 8,
    worker_class: str = "gthread",
) -> dict[str, Any]:
    """Interleaved wrk runs (bare, ours, ours, bare, ...) against two idle-waiting servers."""
    wrk = ensure_wrk()
    with ExitStack() as stack:
        ports = {
            "bare": stack.enter_context(
                gunicorn("benchmarks.serverapp:bare", ours_module, worker_class)
            ),
            "ours": stack.enter_context(
                gunicorn("benchmarks.serverapp:wrapped()", ours_module, worker_class)
            ),
        }
        # The wrapped server must really be adding CORS headers, and the bare one must not.
        headers = {name: _get(port, scenarios.ALLOWED_ORIGIN)[1] for name, port in ports.items()}
        if "Access-Control-Allow-Origin" not in headers["ours"]:
            raise RuntimeError(f"wrapped server sent no CORS header: {headers['ours']}")
        if "Access-Control-Allow-Origin" in headers["bare"]:
            raise RuntimeError("bare server sent a CORS header")
        for port in ports.values():  # warm-up
            _wrk(wrk, port, 1, connections)
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "ours": []}
        for round_ in range(rounds):
            order = ("bare", "ours") if round_ % 2 == 0 else ("ours", "bare")
            for name in order:
                runs[name].append(_wrk(wrk, ports[name], seconds, connections))
    totals = {
        name: sum(r["requests_per_second"] for r in rs) / len(rs) for name, rs in runs.items()
    }
    return {
        "worker_class": worker_class,
        "threads": 4,
        "connections": connections,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "runs": runs,
        "requests_per_second": totals,
        "ratio": totals["ours"] / totals["bare"],
    }
