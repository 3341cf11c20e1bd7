"""PolicyError (one Problem per bad value, all at once), Problem and PolicyWarning."""

from __future__ import annotations

import json

import pytest
from helpers import problem_lines

from wsgicors import CORSPolicy, PolicyError, PolicyWarning, Problem


def _three_problem_error() -> PolicyError:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy(
            allow_origins=["https://a.example/"],
            allow_methods=["TRACE"],
            options_success_status=404,
        )
    return excinfo.value


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


def test_policy_warning_is_a_user_warning() -> None:
    assert issubclass(PolicyWarning, UserWarning)


def test_several_bad_options_reported_together() -> None:
    error = _three_problem_error()

    assert sorted(problem.option for problem in error.problems) == [
        "allow_methods",
        "allow_origins",
        "options_success_status",
    ]


def test_problems_are_problem_instances() -> None:
    error = _three_problem_error()

    assert all(isinstance(problem, Problem) for problem in error.problems)


def test_problem_value_is_the_offending_value() -> None:
    error = _three_problem_error()

    values = {problem.option: problem.value for problem in error.problems}
    assert values["options_success_status"] == 404
    assert values["allow_methods"] == "TRACE"
    assert values["allow_origins"] == "https://a.example/"


def test_problem_rule_and_hint_are_non_empty_text() -> None:
    error = _three_problem_error()

    for problem in error.problems:
        assert isinstance(problem.rule, str)
        assert problem.rule.strip()
        assert isinstance(problem.hint, str)
        assert problem.hint.strip()


def test_str_lists_every_problem_one_per_line() -> None:
    error = _three_problem_error()

    lines = [line for line in str(error).splitlines() if line.strip()]
    for option in ("allow_origins", "allow_methods", "options_success_status"):
        assert sum(option in line for line in lines) >= 1, option
    assert len(lines) >= len(error.problems)


def test_str_quotes_the_offending_value_with_repr() -> None:
    error = _three_problem_error()

    assert repr("https://a.example/") in str(error)
    assert repr("TRACE") in str(error)


def test_str_line_for_a_problem_names_option_and_value() -> None:
    error = _three_problem_error()

    [line] = [line for line in str(error).splitlines() if repr("TRACE") in line]
    assert "allow_methods" in line


def test_valid_policy_raises_nothing() -> None:
    policy = CORSPolicy(allow_origins=["https://a.example"])

    assert isinstance(policy, CORSPolicy)


def test_config_error_text_is_json_safe() -> None:
    # Values quoted in errors are repr()-escaped: they survive a JSON round trip unchanged.
    [line] = problem_lines(allow_methods=["GET\r\n"])
    assert json.loads(json.dumps(line)) == line
    assert "\r" not in line
    assert "\n" not in line


def test_title_names_the_file_the_policy_came_from() -> None:
    problem = Problem("debug", "yes", "this option is true or false", "write debug=True or False")

    assert [PolicyError([problem]).title, PolicyError([problem], "cors.json").title] == [
        "invalid CORS policy",
        "invalid CORS policy in cors.json",
    ]


def test_unreadable_file_is_one_line_titled_cannot_read() -> None:
    problem = Problem("config", "cors.json", "there is no such file", "check the path")
    error = PolicyError([problem], "cors.json", unreadable=True)

    assert (error.title, str(error)) == (
        "cannot read CORS configuration cors.json",
        "cannot read CORS configuration cors.json: there is no such file; check the path",
    )


def test_unreadable_is_false_for_a_policy_with_problems() -> None:
    assert _three_problem_error().unreadable is False
