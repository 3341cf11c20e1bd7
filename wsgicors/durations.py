"""Go-style durations for ``max_age``, as KrakenD writes them (``"12h"``, ``"1h30m"``).

The grammar is Go's ``time.ParseDuration``: an optional sign, then one or more decimal
numbers each followed by a unit (``ns``, ``us``, ``µs``, ``ms``, ``s``, ``m``, ``h``);
a lone ``"0"`` is allowed.
"""

from __future__ import annotations

import datetime
import math
import re
from fractions import Fraction

__all__ = ["DurationError", "parse_duration", "to_seconds"]

_NANOSECONDS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 MICRO SIGN
    "μs": 1_000,  # U+03BC GREEK SMALL LETTER MU, also accepted by Go
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_COMPONENT = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


class DurationError(ValueError):
    """A string that is not a Go duration."""


def parse_duration(text: str) -> int:
    """Return the whole seconds in a Go duration string, truncated toward zero.

    >>> from wsgicors.durations import parse_duration
    >>> parse_duration("1h30m")
    5400
    >>> parse_duration("-1.5s")
    -1
    """
    body = text
    sign = 1
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if body == "0":
        return 0
    if not body:
        raise DurationError(f"{text!r} is not a duration")
    total = Fraction(0)
    position = 0
    while position < len(body):
        match = _COMPONENT.match(body, position)
        if match is None:
            raise DurationError(f"{text!r} is not a duration")
        number, unit = match.groups()
        total += Fraction(number) * _NANOSECONDS[unit]
        position = match.end()
    return sign * math.trunc(total / 1_000_000_000)


def to_seconds(value: object) -> int:
    """Whole seconds, truncated toward zero, from a duration string, a number or a timedelta.

    Raises ``DurationError`` for anything else, and ``TypeError`` for a bool.
    """
    if isinstance(value, bool):
        raise TypeError("a bool is not a duration")
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DurationError(f"{value!r} is not a finite number of seconds")
        return math.trunc(value)
    if isinstance(value, datetime.timedelta):
        # Exact arithmetic: total_seconds() is a float and can round 0.999999 up.
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
        return math.trunc(Fraction(micros, 1_000_000))
    raise TypeError(f"{type(value).__name__} is not a duration")
