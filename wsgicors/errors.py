"""The exceptions and warnings a policy raises when it is built."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["PolicyError", "PolicyWarning", "Problem"]


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
        return f"{self.option}: {self.value!r}: {self.rule}; {self.hint}"


class PolicyError(ValueError):
    """A configuration that cannot be used, with every problem found in it.

    ``problems`` holds all of them, not just the first; ``str(error)`` lists them one per
    line, each naming the option, quoting the value and saying how to fix it. ``source``
    names the file the configuration came from, when it came from one.
    """

    problems: tuple[Problem, ...]
    source: str | None

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(self._message())

    def _message(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        where = f" in {self.source}" if self.source else ""
        lines = [f"invalid CORS policy{where} ({count} {noun}):"]
        lines.extend(f"- {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._message()


class PolicyWarning(UserWarning):
    """Advice about a policy that works but is probably not what was meant."""
