"""timeit-style measurement of WSGI callables, interleaved so that drift hits all alike."""

from __future__ import annotations

import contextlib
import gc
import itertools
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.apps import BatchContext, WSGIApp
from benchmarks.scenarios import FRESH_KEYS, PER_CALL


def _write(data: bytes) -> None:
    pass


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return _write


def call_once(app: WSGIApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """One request, keeping what a server would see (for sanity checks, not for timing)."""
    seen: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen[:] = [status, list(headers)]
        return _write

    body = app(environ.copy(), start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return seen[0], seen[1], data


_counter = itertools.count()


def time_batch(app: WSGIApp, environ: dict[str, Any], number: int) -> float:
    """Seconds for ``number`` requests: copy the environ with fresh header strings, call,
    consume and close the body."""
    copy = environ.copy
    per_call_key, per_call = environ.get(PER_CALL, (None, None))
    fresh = tuple((k, environ[k]) for k in FRESH_KEYS if k in environ and k != per_call_key)
    counter = _counter
    start_response = _start_response
    perf_counter = time.perf_counter
    t0 = perf_counter()
    for _ in range(number):
        env = copy()
        for key, value in fresh:
            env[key] = value[:-1] + value[-1:]
        if per_call is not None:
            value = per_call(next(counter))
            env[per_call_key] = value[:-1] + value[-1:]
        body = app(env, start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return perf_counter() - t0


@dataclass
class Sample:
    number: int
    per_call: list[float]

    @property
    def min(self) -> float:
        return min(self.per_call)

    @property
    def median(self) -> float:
        return statistics.median(self.per_call)


def calibrate(app: WSGIApp, environ: dict[str, Any], target: float) -> int:
    """The call count whose batch takes about ``target`` seconds; warms the app up on the way."""
    number = 1
    while True:
        elapsed = time_batch(app, environ, number)
        if elapsed >= target / 4 or number >= 10_000_000:
            return max(1, int(number * target / max(elapsed, 1e-9)))
        number *= 4


# (app, environ), or (app, environ, context entered around each of its batches, or None).
Variant = tuple[WSGIApp, dict[str, Any]] | tuple[WSGIApp, dict[str, Any], BatchContext | None]


def batch_context(variant: Variant) -> contextlib.AbstractContextManager[Any]:
    context = variant[2] if len(variant) > 2 else None
    return contextlib.nullcontext() if context is None else context()


def measure(
    variants: dict[str, Variant],
    *,
    repeat: int,
    target: float,
    number: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Sample]:
    """Time every variant ``repeat`` times, one batch each per round, rotating the order."""
    counts = {}
    for name, variant in variants.items():
        with batch_context(variant):
            counts[name] = number or calibrate(variant[0], variant[1], target)
    samples = {name: Sample(counts[name], []) for name in variants}
    names = list(variants)
    gc_was_enabled = gc.isenabled()
    try:
        gc.collect()
        for round_ in range(repeat):
            # The garbage of the rounds before, which a disabled collector leaves in the
            # youngest generation: a full collection each round would scan every object
            # Django and Flask keep, for nothing.
            gc.collect(0)
            gc.disable()
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                variant = variants[name]
                with batch_context(variant):
                    elapsed = time_batch(variant[0], variant[1], counts[name])
                samples[name].per_call.append(elapsed / counts[name])
            if gc_was_enabled:
                gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    if progress is not None:
        progress(", ".join(names))
    return samples


_IMPORTTIME = re.compile(r"^import time:\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\S+)\s*$")


def import_time(module: str, processes: int, cwd: Path) -> list[int]:
    """Cumulative microseconds of ``import module`` in each of ``processes`` fresh
    interpreters, read from ``python -X importtime`` (run from ``cwd``, so the source tree
    there is what is imported)."""
    times = []
    for _ in range(processes):
        completed = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        for line in completed.stderr.splitlines():
            match = _IMPORTTIME.match(line)
            if match and match[3] == module:
                times.append(int(match[2]))
                break
        else:
            raise RuntimeError(f"-X importtime printed no line for {module}: {completed.stderr}")
    return times
