"""Go-style durations for ``max_age``, as KrakenD writes them (``"12h"``, ``"1h30m"``).

The grammar is Go's ``time.ParseDuration``: an optional sign, then one or more decimal
numbers each followed by a unit (``ns``, ``us``, ``µs``, ``ms``, ``s``, ``m``, ``h``);
a lone ``"0"`` is allowed. Digits are ASCII only, a duration is at most 100 characters, and
its value is within Go's range (a signed 64-bit count of nanoseconds, about ±292 years), as
``time.ParseDuration`` requires; anything else is a :class:`DurationError`.
"""

from __future__ import annotations

import datetime
import math
import re
from fractions import Fraction

__all__ = ["MAX_SECONDS", "DurationError", "DurationRangeError", "parse_duration", "to_seconds"]

# Go's time.Duration is an int64 of nanoseconds.
_MAX_NANOSECONDS = 2**63 - 1
_MIN_NANOSECONDS = -(2**63)
#: The largest whole number of seconds a Go duration holds (2562047h47m16s).
MAX_SECONDS = _MAX_NANOSECONDS // 1_000_000_000
# No real duration is longer; the bound keeps Fraction() away from thousands of digits.
_MAX_LENGTH = 100

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
# [0-9], not \d, which also matches Arabic-Indic and other Unicode digits. A number then a
# unit: no two parts of the pattern can match the same characters, so a failed match gives
# up after one pass (linear in the input).
_COMPONENT = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")


class DurationError(ValueError):
    """A value that is not a Go duration."""


class DurationRangeError(DurationError):
    """A duration outside Go's range (a signed 64-bit count of nanoseconds)."""


def parse_duration(text: str) -> int:
    """Return the whole seconds in a Go duration string, truncated toward zero.

    >>> from wsgicors.durations import parse_duration
    >>> parse_duration("1h30m")
    5400
    >>> parse_duration("-1.5s")
    -1
    """
    if len(text) > _MAX_LENGTH:
        raise DurationError(f"a duration is at most {_MAX_LENGTH} characters")
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
    # Go's ParseDuration counts whole nanoseconds and refuses what overflows an int64.
    nanoseconds = sign * math.trunc(total)
    if not _MIN_NANOSECONDS <= nanoseconds <= _MAX_NANOSECONDS:
        raise DurationRangeError(f"{text!r} is outside Go's duration range")
    return math.trunc(Fraction(nanoseconds, 1_000_000_000))


def to_seconds(value: object) -> int:
    """Whole seconds, truncated toward zero, from a duration string, a number or a timedelta.

    Raises ``DurationError`` for anything else (``DurationRangeError`` beyond Go's range),
    and ``TypeError`` for a bool.
    """
    if isinstance(value, bool):
        raise TypeError("a bool is not a duration")
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise DurationError("a number of seconds is finite")
        seconds = math.trunc(value)
    elif isinstance(value, datetime.timedelta):
        # Exact arithmetic: total_seconds() is a float and can round 0.999999 up.
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
        seconds = math.trunc(Fraction(micros, 1_000_000))
    else:
        raise TypeError(f"{type(value).__name__} is not a duration")
    if not -MAX_SECONDS <= seconds <= MAX_SECONDS:
        raise DurationRangeError("a number of seconds outside Go's duration range")
    return seconds
