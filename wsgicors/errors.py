"""The exceptions and warnings a policy raises when it is built."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable

import attrs

__all__ = ["PolicyError", "PolicyWarning", "Problem", "show"]

_SHOW = reprlib.Repr()
_SHOW.maxlevel = 4
_SHOW.maxstring = _SHOW.maxother = _SHOW.maxlong = 400
_SHOW.maxlist = _SHOW.maxtuple = _SHOW.maxdict = _SHOW.maxset = _SHOW.maxfrozenset = 20


def show(value: object) -> str:
    """``repr(value)``, bounded in size and depth, for messages that quote a value.

    Whatever a configuration holds (a 5000-digit number, a list nested 100,000 deep, a
    4 MB string, an object whose ``repr`` raises), the message stays short and printable:
    ``repr`` escapes control characters, and the bounds keep one bad value from burying
    the others.
    """
    if isinstance(value, int) and value.bit_length() > 1024:
        return f"<an int of {value.bit_length()} bits>"
    try:
        return _SHOW.repr(value)
    except Exception:  # a huge int (sys.set_int_max_str_digits), a failing __repr__, ...
        return f"<{type(value).__name__} that cannot be shown>"


@attrs.frozen
class Problem:
    """One thing wrong with a configuration.

    ``option`` names the option (``"allow_origins"``), ``value`` is the offending value as
    given, ``rule`` says what the option requires and ``hint`` says how to fix it.
    """

    option: str
    value: object
    rule: str
    hint: str

    def __str__(self) -> str:
        return f"{self.option}: {show(self.value)}: {self.rule}; {self.hint}"


class PolicyError(ValueError):
    """A configuration that cannot be used, with every problem found in it.

    ``problems`` holds all of them, not just the first; ``str(error)`` lists them one per
    line, each naming the option, quoting the value and saying how to fix it. ``source``
    names the file the configuration came from, when it came from one. ``unreadable`` is
    true when that file could not be read as JSON at all (missing, not UTF-8, malformed):
    then there is no policy to speak of, and the message says so.
    """

    problems: tuple[Problem, ...]
    source: str | None
    unreadable: bool

    def __init__(
        self,
        problems: Iterable[Problem],
        source: str | None = None,
        *,
        unreadable: bool = False,
    ) -> None:
        self.problems = tuple(problems)
        self.source = source
        self.unreadable = unreadable
        super().__init__(self._message())

    @property
    def title(self) -> str:
        """The first line: what went wrong, and where."""
        if self.unreadable and self.source:
            return f"cannot read CORS configuration {self.source}"
        return f"invalid CORS policy in {self.source}" if self.source else "invalid CORS policy"

    def _message(self) -> str:
        if self.unreadable and len(self.problems) == 1:
            # The option is the file and the value its name, both already in the title.
            [problem] = self.problems
            return f"{self.title}: {problem.rule}; {problem.hint}"
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{self.title} ({count} {noun}):"]
        lines.extend(f"- {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._message()


class PolicyWarning(UserWarning):
    """Advice about a policy that works but is probably not what was meant."""
