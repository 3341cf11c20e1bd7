"""max_age as a Go duration, int seconds or timedelta, sent as Access-Control-Max-Age.

A Go duration is what KrakenD's ``max_age`` holds; its range is Go's int64 nanoseconds.
"""

from __future__ import annotations

import datetime

import pytest
from helpers import Serve, problem_lines

from wsgicors import CORSPolicy, PolicyError, PolicyWarning
from wsgicors.headers import ACMA, ACRM, ORIGIN


def _max_age_header(serve: Serve, max_age: object) -> list[str]:
    client = serve(max_age=max_age)
    response = client.options("/", headers={ORIGIN: "https://a.example", ACRM: "POST"})
    assert response.status_int == 204
    return response.headers.getall(ACMA)


@pytest.mark.parametrize(
    ("max_age", "seconds"),
    [
        pytest.param("12h", "43200", id="12h"),
        pytest.param("1h30m", "5400", id="1h30m"),
        pytest.param("1.5h", "5400", id="1.5h"),
        pytest.param("90s", "90", id="90s"),
        pytest.param("+90s", "90", id="plus-sign"),
        pytest.param("1h1m1s", "3661", id="1h1m1s"),
        pytest.param("0.5h", "1800", id="0.5h"),
        pytest.param(".5m", "30", id="leading-dot"),
        pytest.param("1.9s", "1", id="truncated"),
        pytest.param("3000ms", "3", id="3000ms"),
        pytest.param("2500ms", "2", id="2500ms-truncated"),
        pytest.param("1000000us", "1", id="1000000us"),
        pytest.param("1000000\u00b5s", "1", id="micro-sign"),
        pytest.param("1000000\u03bcs", "1", id="greek-mu"),
        pytest.param("1000000000ns", "1", id="ns"),
        pytest.param("1m0.5s", "60", id="mixed-fraction"),
        pytest.param("30m30m", "3600", id="repeated-unit"),
        pytest.param(3600, "3600", id="int"),
        pytest.param(datetime.timedelta(minutes=5), "300", id="timedelta"),
        pytest.param(datetime.timedelta(milliseconds=1500), "1", id="timedelta-truncated"),
    ],
)
def test_max_age_sent_in_whole_seconds(serve: Serve, max_age: object, seconds: str) -> None:
    assert _max_age_header(serve, max_age) == [seconds]


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param("0", id="go-zero"),
        pytest.param("0s", id="0s"),
        pytest.param("500ms", id="under-a-second"),
        pytest.param("999999us", id="just-under"),
        pytest.param(0, id="int-zero"),
        pytest.param(datetime.timedelta(0), id="timedelta-zero"),
        pytest.param(datetime.timedelta(milliseconds=999), id="timedelta-under-a-second"),
    ],
)
def test_zero_max_age_sends_no_header(serve: Serve, max_age: object) -> None:
    assert _max_age_header(serve, max_age) == []


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param("-1s", id="-1s"),
        pytest.param("-1.5s", id="-1.5s"),
        pytest.param("-12h", id="-12h"),
        pytest.param(-1, id="int"),
        pytest.param(datetime.timedelta(seconds=-5), id="timedelta"),
    ],
)
def test_negative_max_age_sends_zero(serve: Serve, max_age: object) -> None:
    assert _max_age_header(serve, max_age) == ["0"]


def test_max_age_above_caps_still_sent(serve: Serve) -> None:
    with pytest.warns(PolicyWarning):
        client = serve(max_age="48h")

    response = client.options("/", headers={ORIGIN: "https://a.example", ACRM: "POST"})

    assert response.headers.getall(ACMA) == ["172800"]


def test_max_age_at_86400_does_not_warn() -> None:
    assert CORSPolicy(max_age="24h") == CORSPolicy(max_age=86400)


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param("1e3s", id="exponent"),
        pytest.param("1.2.3s", id="two-dots"),
        pytest.param("1H", id="upper-unit"),
        pytest.param("1hh", id="double-unit"),
        pytest.param("1sec", id="long-unit"),
        pytest.param("-", id="sign-only"),
        pytest.param(".s", id="dot-only"),
        pytest.param("12h ", id="trailing-space"),
        pytest.param(" 12h", id="leading-space"),
        pytest.param("P1D", id="iso8601"),
    ],
)
def test_non_go_duration_refused(max_age: str) -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy(max_age=max_age)

    assert [problem.option for problem in excinfo.value.problems] == ["max_age"]


@pytest.mark.parametrize(
    "max_age",
    [pytest.param(float("inf"), id="infinity"), pytest.param(float("nan"), id="nan")],
)
def test_non_finite_max_age_refused(max_age: float) -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy(max_age=max_age)

    assert [problem.option for problem in excinfo.value.problems] == ["max_age"]


GO_RANGE = (
    "max_age is within Go's duration range (at most 2562047h47m16s either way); browsers "
    "cache a preflight for at most 7200 s (Chromium) or 86400 s (Firefox): write e.g. '2h'"
)


NOT_A_DURATION = (
    "max_age is a Go duration such as '12h', '1h30m', '90s' or '500ms'; write a number with "
    "a unit (ns, us, ms, s, m, h), or an int of seconds"
)


@pytest.mark.parametrize(
    ("value", "line"),
    [
        pytest.param(10**5000, f"- max_age: <an int of 16610 bits>: {GO_RANGE}", id="huge-int"),
        pytest.param(2**63, f"- max_age: 9223372036854775808: {GO_RANGE}", id="2**63"),
        pytest.param(10**20, f"- max_age: 100000000000000000000: {GO_RANGE}", id="10**20"),
        pytest.param("2562048h", f"- max_age: '2562048h': {GO_RANGE}", id="hours-past-go"),
        pytest.param(
            "2562047h47m16.854775808s",
            f"- max_age: '2562047h47m16.854775808s': {GO_RANGE}",
            id="one-nanosecond-past-go",
        ),
        pytest.param(1e300, f"- max_age: 1e+300: {GO_RANGE}", id="huge-float"),
        pytest.param(
            "\u0661\u0662h",
            f"- max_age: '\u0661\u0662h': {NOT_A_DURATION}",
            id="arabic-indic-digits",
        ),
        pytest.param(
            "\uff11\uff12h", f"- max_age: '\uff11\uff12h': {NOT_A_DURATION}", id="fullwidth-digits"
        ),
    ],
)
def test_max_age_outside_go_durations_refused(value: object, line: str) -> None:
    assert problem_lines(max_age=value) == [line]


def test_max_age_of_5000_digits_refused_with_its_value_shortened() -> None:
    [line] = problem_lines(max_age="9" * 5000 + "s")

    assert line.startswith("- max_age: '99999")
    assert line.endswith(f": {NOT_A_DURATION}")
    assert len(line) < 600


def test_max_age_at_the_edge_of_go_durations_accepted() -> None:
    with pytest.warns(PolicyWarning, match="above what browsers honour"):
        assert CORSPolicy(max_age="2562047h47m16.854775807s").max_age == 9223372036
    assert CORSPolicy(max_age=-9223372036).max_age == -9223372036
