"""gunicorn on 127.0.0.1 loaded by wrk: requests per second with and without wsgicors."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from benchmarks import scenarios

REPO_ROOT = Path(__file__).resolve().parent.parent
THREADS = 4


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
def gunicorn(app: str, ours_module: str, worker_class: str) -> Iterator[tuple[int, int]]:
    """A one-worker gunicorn serving ``app`` on a free loopback port: (port, master pid).

    Stopped on exit."""
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
        str(THREADS),
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
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _workers(master: int) -> list[int]:
    """The master's child processes (gunicorn's workers)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rpartition(")")[2].split()[1])
            except OSError:
                continue
            if ppid == master:
                children.append(int(entry))
    return children


def _wrk(wrk: str, port: int, seconds: float, connections: int, master: int) -> dict[str, Any]:
    """One wrk run; with the CPU time the server's workers spent on it."""
    workers = _workers(master)
    cpu_before = sum(_cpu_seconds(pid) for pid in workers)
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
    cpu = sum(_cpu_seconds(pid) for pid in workers) - cpu_before
    out = completed.stdout
    rps = re.search(r"Requests/sec:\s*([\d.]+)", out)
    requests = re.search(r"(\d+) requests in", out)
    if rps is None or requests is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    return {
        "requests_per_second": float(rps.group(1)),
        "requests": int(requests.group(1)),
        "worker_cpu_seconds": cpu,
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
    """Interleaved wrk runs, one server at a time, each round in a rotated order.

    Three servers: the bare app, the bare app wrapped in ours, and the bare app sending the
    same headers itself (what the extra header bytes cost gunicorn, which any CORS layer
    pays, apart from the middleware's own work).
    """
    wrk = ensure_wrk()
    apps = {
        "bare": "benchmarks.serverapp:bare",
        "ours": "benchmarks.serverapp:wrapped()",
        "same_headers": "benchmarks.serverapp:same_headers",
    }
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(gunicorn(app, ours_module, worker_class))
            for name, app in apps.items()
        }
        # The wrapped server must really be adding CORS headers, and the bare one must not.
        headers = {
            name: _get(port, scenarios.ALLOWED_ORIGIN)[1] for name, (port, _) in servers.items()
        }
        if "Access-Control-Allow-Origin" not in headers["ours"]:
            raise RuntimeError(f"wrapped server sent no CORS header: {headers['ours']}")
        if "Access-Control-Allow-Origin" in headers["bare"]:
            raise RuntimeError("bare server sent a CORS header")
        for port, master in servers.values():  # warm-up
            _wrk(wrk, port, 1, connections, master)
        names = list(servers)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        for round_ in range(rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                port, master = servers[name]
                runs[name].append(_wrk(wrk, port, seconds, connections, master))

    # Other load on the machine drifts over seconds: compare the runs of each round, which
    # are next to each other in time, and take the median of those ratios.
    def per_round(
        over: str, under: str, measure: Callable[[dict[str, Any]], float]
    ) -> list[float]:
        return [measure(o) / measure(u) for o, u in zip(runs[over], runs[under], strict=True)]

    def rate(run: dict[str, Any]) -> float:
        return float(run["requests_per_second"])

    pair_ratios = per_round("ours", "bare", rate)
    # Requests per CPU-second of the worker: what one saturated worker could serve, less
    # disturbed by other load than wrk's rate (though not immune to it).
    pair_cpu_ratios = per_round("ours", "bare", _per_cpu_second)
    capacity = {
        name: sum(r["requests"] for r in rs) / max(sum(r["worker_cpu_seconds"] for r in rs), 1e-9)
        for name, rs in runs.items()
    }
    means = {name: statistics.fmean(rate(r) for r in rs) for name, rs in runs.items()}
    own = per_round("ours", "same_headers", _per_cpu_second)
    header_bytes = per_round("same_headers", "bare", _per_cpu_second)
    return {
        "worker_class": worker_class,
        "threads": THREADS,
        "connections": connections,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "runs": runs,
        "requests_per_second": means,
        "pair_ratios": pair_ratios,
        "ratio": statistics.median(pair_ratios),
        "ratio_quartiles": _quartiles(pair_ratios),
        "requests_per_cpu_second": capacity,
        "pair_cpu_ratios": pair_cpu_ratios,
        "cpu_ratio": statistics.median(pair_cpu_ratios),
        "cpu_ratio_quartiles": _quartiles(pair_cpu_ratios),
        # Per CPU-second: ours against the bare app sending the same headers (the
        # middleware's own cost), and that app against the bare one (the headers' cost).
        "cpu_ratio_ours_over_same_headers": statistics.median(own),
        "cpu_ratio_same_headers_over_bare": statistics.median(header_bytes),
    }


def _per_cpu_second(run: dict[str, Any]) -> float:
    return float(run["requests"]) / max(float(run["worker_cpu_seconds"]), 1e-9)


def _quartiles(values: list[float]) -> list[float]:
    """First and third quartiles: the spread that says how far to trust the median."""
    if len(values) < 2:
        return [values[0], values[0]] if values else []
    q1, _, q3 = statistics.quantiles(values, n=4)
    return [q1, q3]
