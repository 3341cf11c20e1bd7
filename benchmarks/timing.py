"""timeit-style measurement of WSGI callables, interleaved so that drift hits all alike."""

from __future__ import annotations

import gc
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.apps import WSGIApp
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


def measure(
    variants: dict[str, tuple[WSGIApp, dict[str, Any]]],
    *,
    repeat: int,
    target: float,
    number: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Sample]:
    """Time every variant ``repeat`` times, one batch each per round, rotating the order."""
    counts = {name: number or calibrate(app, env, target) for name, (app, env) in variants.items()}
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
                app, env = variants[name]
                samples[name].per_call.append(time_batch(app, env, counts[name]) / counts[name])
            if gc_was_enabled:
                gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    if progress is not None:
        progress(", ".join(names))
    return samples
