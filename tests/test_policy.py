"""CORSPolicy: defaults, normalisation, and every configuration rule with its message and hint."""

from __future__ import annotations

import datetime
import inspect
import warnings
from typing import Any

import attrs
import pytest
from helpers import call, environ_for, problem_lines, wrapped

from wsgicors import CORSPolicy, PolicyError, PolicyWarning, Problem
from wsgicors.headers import ACAO


def _problems(**options: Any) -> list[Problem]:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy(**options)
    return list(excinfo.value.problems)


def _only_problem(**options: Any) -> Problem:
    problems = _problems(**options)
    assert len(problems) == 1, problems
    return problems[0]


def _allow_true(origin: str, environ: object) -> bool:
    return True


# --- defaults ---------------------------------------------------------------------------


def test_defaults_allow_all_origins() -> None:
    assert list(CORSPolicy().allow_origins) == ["*"]


def test_defaults_allow_safelisted_methods() -> None:
    assert set(CORSPolicy().allow_methods) == {"GET", "HEAD", "POST"}


def test_defaults_allow_any_header() -> None:
    assert list(CORSPolicy().allow_headers) == ["*"]


def test_defaults_expose_no_header() -> None:
    assert list(CORSPolicy().expose_headers) == []


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        pytest.param("max_age", None, id="max_age"),
        pytest.param("allow_credentials", False, id="allow_credentials"),
        pytest.param("debug", False, id="debug"),
        pytest.param("allow_private_network", False, id="allow_private_network"),
        pytest.param("options_passthrough", False, id="options_passthrough"),
        pytest.param("options_success_status", 204, id="options_success_status"),
        pytest.param("auto_options", False, id="auto_options"),
        pytest.param("allow_origin_func", None, id="allow_origin_func"),
        pytest.param("dangerously_tolerate_insecure_origins", False, id="dangerously_tolerate"),
    ],
)
def test_defaults_scalar_option_has_documented_value(option: str, expected: object) -> None:
    assert getattr(CORSPolicy(), option) == expected


# --- the policy object ------------------------------------------------------------------


def test_policy_assignment_raises_frozen_error() -> None:
    policy = CORSPolicy()

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.debug = True  # type: ignore[misc]


def test_policy_list_input_stored_immutable() -> None:
    policy = CORSPolicy(allow_origins=["https://a.example"], allow_methods=["GET"])

    assert isinstance(policy.allow_origins, (tuple, frozenset))
    assert isinstance(policy.allow_methods, (tuple, frozenset))


def test_policies_from_list_and_tuple_compare_equal() -> None:
    assert CORSPolicy(allow_origins=["https://a.example"]) == CORSPolicy(
        allow_origins=("https://a.example",)
    )


def test_policies_with_different_options_compare_unequal() -> None:
    assert CORSPolicy(debug=True) != CORSPolicy(debug=False)


def test_policy_repr_names_class_and_values() -> None:
    text = repr(CORSPolicy(allow_origins=["https://a.example"]))

    assert text.startswith("CORSPolicy(")
    assert "https://a.example" in text


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param("12h", id="go-duration"),
        pytest.param(43200, id="int-seconds"),
        pytest.param(datetime.timedelta(hours=12), id="timedelta"),
    ],
)
def test_max_age_forms_compare_equal(max_age: object) -> None:
    assert CORSPolicy(max_age=max_age) == CORSPolicy(max_age=43200)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("CORSPolicy", id="CORSPolicy"),
        pytest.param("CORSMiddleware", id="CORSMiddleware"),
        pytest.param("PolicyError", id="PolicyError"),
        pytest.param("PolicyWarning", id="PolicyWarning"),
        pytest.param("Problem", id="Problem"),
        pytest.param("wrap", id="wrap"),
    ],
)
def test_public_name_importable_from_package(name: str) -> None:
    import wsgicors

    assert name in wsgicors.__all__
    assert getattr(wsgicors, name) is not None


# --- normalisation on input ----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        pytest.param("HTTPS://A.EXAMPLE", "https://a.example", id="all-upper"),
        pytest.param("https://App.Example.COM:8443", "https://app.example.com:8443", id="mixed"),
        pytest.param("HTTPS://*.Example.com", "https://*.example.com", id="wildcard"),
    ],
)
def test_origin_scheme_and_host_lower_cased(given: str, stored: str) -> None:
    assert list(CORSPolicy(allow_origins=[given]).allow_origins) == [stored]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        pytest.param("get", "GET", id="get"),
        pytest.param("Delete", "DELETE", id="Delete"),
        pytest.param("head", "HEAD", id="head"),
        pytest.param("options", "OPTIONS", id="options"),
        pytest.param("post", "POST", id="post"),
        pytest.param("pUt", "PUT", id="pUt"),
    ],
)
def test_fetch_normalised_method_upper_cased(given: str, stored: str) -> None:
    assert set(CORSPolicy(allow_methods=[given]).allow_methods) == {stored}


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("patch", id="patch"),
        pytest.param("Patch", id="Patch"),
        pytest.param("purge", id="purge"),
    ],
)
def test_other_method_case_kept(method: str) -> None:
    assert set(CORSPolicy(allow_methods=[method]).allow_methods) == {method}


def test_same_method_in_two_cases_kept_as_two() -> None:
    policy = CORSPolicy(allow_methods=["PATCH", "patch"])

    assert set(policy.allow_methods) == {"PATCH", "patch"}


# --- accepted configurations ------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://a.example", id="exact"),
        pytest.param("https://a.example:8443", id="exact-port"),
        pytest.param("http://a.example:8080", id="http-port"),
        pytest.param("https://*.example.com", id="subdomains"),
        pytest.param("https://a.example:*", id="any-port"),
        pytest.param("https://*.example.com:*", id="subdomains-any-port"),
        pytest.param("https://*.example.com:8443", id="subdomains-port"),
        pytest.param("http://[::1]:8080", id="ipv6"),
        pytest.param("http://127.0.0.1:5000", id="ipv4"),
        pytest.param("https://a.example:1", id="port-1"),
        pytest.param("https://a.example:65535", id="port-65535"),
        pytest.param("null", id="null"),
    ],
)
def test_valid_origin_without_credentials_accepted(origin: str) -> None:
    assert len(CORSPolicy(allow_origins=[origin]).allow_origins) == 1


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://a.example", id="https"),
        pytest.param("https://*.example.com", id="https-subdomains"),
        pytest.param("http://localhost", id="localhost"),
        pytest.param("http://localhost:3000", id="localhost-port"),
        pytest.param("http://localhost:*", id="localhost-any-port"),
        pytest.param("http://app.localhost:3000", id="sub-localhost"),
        pytest.param("http://*.localhost:*", id="wildcard-localhost"),
        pytest.param("http://127.0.0.1:8080", id="ipv4-loopback"),
        pytest.param("http://127.8.9.10", id="ipv4-loopback-range"),
        pytest.param("http://[::1]:8080", id="ipv6-loopback"),
    ],
)
def test_secure_or_loopback_origin_with_credentials_accepted(origin: str) -> None:
    policy = CORSPolicy(allow_origins=[origin], allow_credentials=True)

    assert policy.allow_credentials is True


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("null", id="null"),
        pytest.param("http://a.example", id="http"),
        pytest.param("http://*.example.com", id="http-subdomains"),
    ],
)
def test_insecure_origin_with_credentials_and_tolerance_accepted(origin: str) -> None:
    policy = CORSPolicy(
        allow_origins=[origin],
        allow_credentials=True,
        dangerously_tolerate_insecure_origins=True,
    )

    assert policy.dangerously_tolerate_insecure_origins is True


def test_allow_origin_func_alone_accepted() -> None:
    assert CORSPolicy(allow_origin_func=_allow_true).allow_origin_func is _allow_true


def test_allow_origin_func_with_credentials_accepted() -> None:
    policy = CORSPolicy(allow_origin_func=_allow_true, allow_credentials=True)

    assert policy.allow_credentials is True


def test_empty_allow_headers_accepted() -> None:
    assert list(CORSPolicy(allow_headers=[]).allow_headers) == []


def test_wildcard_expose_headers_without_credentials_accepted() -> None:
    assert list(CORSPolicy(expose_headers=["*"]).expose_headers) == ["*"]


@pytest.mark.parametrize(
    "status",
    [pytest.param(200, id="200"), pytest.param(204, id="204"), pytest.param(299, id="299")],
)
def test_success_status_in_2xx_accepted(status: int) -> None:
    assert CORSPolicy(options_success_status=status).options_success_status == status


def test_any_method_wildcard_accepted() -> None:
    assert list(CORSPolicy(allow_methods=["*"]).allow_methods) == ["*"]


def test_max_age_at_firefox_cap_accepted_without_warning() -> None:
    assert CORSPolicy(max_age=86400).max_age == 86400


@pytest.mark.parametrize(
    "origin", ["https://*.example.com", "https://*.me.github.io", "http://*.localhost"]
)
def test_wildcard_under_a_registrable_domain_accepted(origin: str) -> None:
    assert CORSPolicy(allow_origins=[origin]).allow_origins == (origin,)


def test_wildcard_under_a_public_suffix_tolerated_when_asked() -> None:
    policy = CORSPolicy(
        allow_origins=["https://*.github.io"],
        dangerously_tolerate_subdomains_of_public_suffixes=True,
    )

    result = call(wrapped(policy), environ_for("GET", "/", {"Origin": "https://x.github.io"}))

    assert result.values(ACAO) == ["https://x.github.io"]


def test_empty_allow_headers_in_python_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert CORSPolicy(allow_headers=[]).allow_headers == ()


# --- one failing configuration per rule, option and hint checked -------------------------


@pytest.mark.parametrize(
    ("origin", "hint"),
    [
        pytest.param("https://a.example/", "trailing '/'", id="trailing-slash"),
        pytest.param("https://a.example/api", "'https://a.example'", id="path"),
        pytest.param("https://a.example?x=1", "'https://a.example'", id="query"),
        pytest.param("https://a.example#top", "'https://a.example'", id="fragment"),
        pytest.param("https://user@a.example", "'https://a.example'", id="userinfo"),
        pytest.param("https://user:pw@a.example", "'https://a.example'", id="userinfo-password"),
        pytest.param(" https://a.example", "'https://a.example'", id="leading-space"),
        pytest.param("https://a.example ", "'https://a.example'", id="trailing-space"),
        pytest.param("https://a .example", "'https://a.example'", id="inner-space"),
        pytest.param("https://a.example\t", "'https://a.example'", id="tab"),
        pytest.param("a.example", "scheme", id="no-scheme"),
        pytest.param("//a.example", "scheme", id="scheme-relative"),
        pytest.param(
            "https://" + ".".join(["a" * 63] * 5) + ".example",
            "pasted url",
            id="longer-than-any-origin-a-browser-sends",
        ),
    ],
)
def test_malformed_origin_refused(origin: str, hint: str) -> None:
    problem = _only_problem(allow_origins=[origin])

    assert problem.option == "allow_origins"
    assert problem.value == origin
    assert hint in problem.hint.lower()


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://a.example:0", id="port-0"),
        pytest.param("https://a.example:65536", id="port-65536"),
        pytest.param("https://a.example:99999", id="port-99999"),
        pytest.param("https://a.example:http", id="port-name"),
        pytest.param("https://a.example:", id="port-empty"),
        pytest.param("https://a.example:-1", id="port-negative"),
    ],
)
def test_origin_port_out_of_range_refused(origin: str) -> None:
    problem = _only_problem(allow_origins=[origin])

    assert problem.option == "allow_origins"
    assert "65535" in problem.rule
    assert "port" in problem.hint


@pytest.mark.parametrize(
    ("origin", "port"),
    [
        pytest.param("https://a.example:443", ":443", id="https-443"),
        pytest.param("http://a.example:80", ":80", id="http-80"),
        pytest.param("https://*.example.com:443", ":443", id="wildcard-443"),
    ],
)
def test_origin_explicit_default_port_refused(origin: str, port: str) -> None:
    problem = _only_problem(allow_origins=[origin])

    assert problem.option == "allow_origins"
    assert port in problem.hint


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://example.*", id="tld-wildcard"),
        pytest.param("http*", id="scheme-prefix"),
        pytest.param("https://*example.com", id="glued-label"),
        pytest.param("https://a.*.example.com", id="inner-label"),
        pytest.param("*.example.com", id="no-scheme"),
        pytest.param("https://*", id="host-star"),
        pytest.param("https://**.example.com", id="double-star"),
        pytest.param("https://a*.example.com", id="partial-label"),
        pytest.param("*://a.example", id="scheme-star"),
        pytest.param("https://a.example:8*", id="partial-port"),
    ],
)
def test_unsafe_wildcard_origin_refused(origin: str) -> None:
    problem = _only_problem(allow_origins=[origin])

    assert problem.option == "allow_origins"
    assert "attacker" in problem.hint.lower()


def test_each_bad_origin_reported_separately() -> None:
    problems = _problems(allow_origins=["https://a.example/", "http*", "https://b.example"])

    assert [(problem.option, problem.value) for problem in problems] == [
        ("allow_origins", "https://a.example/"),
        ("allow_origins", "http*"),
    ]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"allow_origins": ["*"]}, id="explicit-star"),
        pytest.param({}, id="default-star"),
        pytest.param({"allow_origins": ["https://a.example", "*"]}, id="star-among-others"),
    ],
)
def test_all_origins_with_credentials_refused(options: dict[str, Any]) -> None:
    problem = _only_problem(allow_credentials=True, **options)

    assert problem.option == "allow_origins"
    assert "origin" in problem.hint.lower()


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("null", id="null"),
        pytest.param("http://a.example", id="http"),
        pytest.param("http://*.example.com", id="http-subdomains"),
        pytest.param("http://a.example:*", id="http-any-port"),
        pytest.param("http://192.168.1.10:8080", id="private-ip"),
        pytest.param("http://localhost.example.com", id="localhost-lookalike"),
    ],
)
def test_insecure_origin_with_credentials_refused(origin: str) -> None:
    problem = _only_problem(allow_origins=[origin], allow_credentials=True)

    assert problem.option == "allow_origins"
    assert problem.value == origin
    assert "dangerously_tolerate_insecure_origins" in problem.hint


def test_allow_origin_func_beside_allow_origins_accepted() -> None:
    policy = CORSPolicy(allow_origin_func=_allow_true, allow_origins=["https://a.example"])

    assert policy.allow_origins == ("https://a.example",)
    assert policy.allow_origin_func is _allow_true


def test_allow_origin_func_beside_star_and_origins_refused() -> None:
    problem = _only_problem(
        allow_origin_func=_allow_true, allow_origins=["*", "https://a.example"]
    )

    assert problem.option == "allow_origins"
    assert "allow_origin_func would never be asked" in problem.rule


def test_empty_allow_origins_refused() -> None:
    problem = _only_problem(allow_origins=[])

    assert problem.option == "allow_origins"
    assert '["*"]' in problem.hint


def test_empty_allow_methods_refused() -> None:
    problem = _only_problem(allow_methods=[])

    assert problem.option == "allow_methods"
    assert '["*"]' in problem.hint


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("GE T", id="space"),
        pytest.param("GET,POST", id="comma-joined"),
        pytest.param("", id="empty"),
        pytest.param("GET\n", id="newline"),
        pytest.param("GÉT", id="non-ascii"),
        pytest.param("(GET)", id="parentheses"),
    ],
)
def test_method_not_a_token_refused(method: str) -> None:
    problem = _only_problem(allow_methods=[method])

    assert problem.option == "allow_methods"
    assert problem.value == method
    assert "token" in problem.rule.lower() + problem.hint.lower()


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("CONNECT", id="CONNECT"),
        pytest.param("TRACE", id="TRACE"),
        pytest.param("TRACK", id="TRACK"),
    ],
)
def test_forbidden_method_refused(method: str) -> None:
    problem = _only_problem(allow_methods=["GET", method])

    assert problem.option == "allow_methods"
    assert problem.value == method
    assert "remove" in problem.hint.lower()


@pytest.mark.parametrize(
    ("option", "name"),
    [
        pytest.param("allow_headers", "X Bad", id="allow-space"),
        pytest.param("allow_headers", "X-A,X-B", id="allow-comma"),
        pytest.param("allow_headers", "", id="allow-empty"),
        pytest.param("allow_headers", "X-Bad:", id="allow-colon"),
        pytest.param("expose_headers", "X:Bad", id="expose-colon"),
        pytest.param("expose_headers", "X Bad", id="expose-space"),
        pytest.param("expose_headers", "", id="expose-empty"),
        pytest.param("expose_headers", "X-Ünicode", id="expose-non-ascii"),
    ],
)
def test_header_name_not_a_token_refused(option: str, name: str) -> None:
    problem = _only_problem(**{option: [name]})

    assert problem.option == option
    assert problem.value == name
    assert "token" in problem.rule.lower() + problem.hint.lower()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Set-Cookie", id="Set-Cookie"),
        pytest.param("set-cookie", id="set-cookie"),
        pytest.param("Set-Cookie2", id="Set-Cookie2"),
    ],
)
def test_expose_set_cookie_refused(name: str) -> None:
    problem = _only_problem(expose_headers=["X-Total", name])

    assert problem.option == "expose_headers"
    assert problem.value == name
    assert "remove" in problem.hint.lower()


def test_expose_wildcard_with_credentials_refused() -> None:
    problem = _only_problem(
        allow_origins=["https://a.example"], allow_credentials=True, expose_headers=["*"]
    )

    assert problem.option == "expose_headers"
    assert "list" in problem.hint.lower()


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(199, id="199"),
        pytest.param(300, id="300"),
        pytest.param(404, id="404"),
        pytest.param(100, id="100"),
        pytest.param(0, id="0"),
    ],
)
def test_success_status_outside_2xx_refused(status: int) -> None:
    problem = _only_problem(options_success_status=status)

    assert problem.option == "options_success_status"
    assert problem.value == status
    assert "204" in problem.hint


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param("12", id="no-unit"),
        pytest.param("1d", id="day-unit"),
        pytest.param("abc", id="word"),
        pytest.param("", id="empty"),
        pytest.param("h", id="unit-only"),
        pytest.param("1 h", id="inner-space"),
        pytest.param("1h-1m", id="inner-sign"),
        pytest.param("--1s", id="double-sign"),
    ],
)
def test_unparsable_max_age_refused(max_age: str) -> None:
    problem = _only_problem(max_age=max_age)

    assert problem.option == "max_age"
    assert problem.value == max_age
    assert "unit" in problem.hint


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param(True, id="bool"),
        pytest.param([1], id="list"),
        pytest.param(1.5j, id="complex"),
    ],
)
def test_max_age_of_wrong_type_refused(max_age: object) -> None:
    problem = _only_problem(max_age=max_age)

    assert problem.option == "max_age"


@pytest.mark.parametrize(
    ("origin", "hint"),
    [
        pytest.param("https://bücher.example", "xn--", id="non-ascii-host"),
        pytest.param("https://a!b.example", "host", id="bad-label"),
        pytest.param("https://", "https://example.com", id="empty-host"),
        pytest.param("https://:8443", "https://example.com", id="port-only"),
        pytest.param("https://a.example:0443", "443", id="leading-zero-port"),
        pytest.param("https://a.example:80:80", "port", id="two-ports"),
        pytest.param("http://[::1", "[::1]", id="ipv6-unterminated"),
        pytest.param("http://[::1]8080", "[::1]", id="ipv6-port-without-colon"),
        pytest.param("1https://a.example", "scheme", id="bad-scheme"),
    ],
)
def test_malformed_origin_host_or_port_refused(origin: str, hint: str) -> None:
    problem = _only_problem(allow_origins=[origin])

    assert problem.option == "allow_origins"
    assert problem.value == origin
    assert hint in problem.hint


def test_wildcard_over_a_single_label_refused() -> None:
    problem = _only_problem(allow_origins=["https://*.com"])

    assert problem.option == "allow_origins"
    assert problem.value == "https://*.com"


def test_allow_origin_func_not_callable_refused() -> None:
    problem = _only_problem(allow_origin_func="mymodule.decide")

    assert problem.option == "allow_origin_func"
    assert problem.value == "mymodule.decide"


def test_deeply_nested_value_in_code_is_a_policy_error() -> None:
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]

    assert problem_lines(allow_origins=nested) == [
        "- allow_origins: [[[[[...]]]]]: every entry is a string; quote it, or remove it"
    ]


@pytest.mark.parametrize(
    ("origin", "suffix"),
    [
        pytest.param("https://*.co.uk", "co.uk", id="icann-suffix"),
        pytest.param("https://*.github.io", "github.io", id="private-suffix-github"),
        pytest.param("https://*.vercel.app", "vercel.app", id="private-suffix-vercel"),
        pytest.param("https://*.co.uk:*", "co.uk", id="with-any-port"),
        pytest.param("https://*.github.io.", "github.io", id="trailing-dot"),
    ],
)
@pytest.mark.parametrize("credentials", [False, True])
def test_wildcard_under_a_public_suffix_refused(
    origin: str, suffix: str, credentials: bool
) -> None:
    assert problem_lines(allow_origins=[origin], allow_credentials=credentials) == [
        f"- allow_origins: {origin!r}: {suffix!r} is a public suffix: anyone can register a "
        f"site under it, so '*.{suffix}' would allow origins an attacker controls; list your "
        f"own sites (e.g. 'https://myapp.{suffix}'), or set "
        "dangerously_tolerate_subdomains_of_public_suffixes=True if you accept that"
    ]


NEVER_MATCHES_V4 = (
    "browsers send an IPv4 address as four decimal parts without leading zeros, so this "
    "entry would never match"
)


@pytest.mark.parametrize(
    ("origin", "line"),
    [
        pytest.param(
            "http://127.000.000.001",
            f"{NEVER_MATCHES_V4}; write 'http://127.0.0.1'",
            id="leading-zeros",
        ),
        pytest.param(
            "http://0x7f000001:8080",
            f"{NEVER_MATCHES_V4}; write 'http://127.0.0.1:8080'",
            id="hex",
        ),
        pytest.param("https://123", f"{NEVER_MATCHES_V4}; write 'https://0.0.0.123'", id="number"),
        pytest.param(
            "http://127.0.0.1.", f"{NEVER_MATCHES_V4}; write 'http://127.0.0.1'", id="dot"
        ),
        pytest.param(
            "http://[0:0:0:0:0:0:0:1]",
            "browsers send an IPv6 address in its compressed lower-case form, so this entry "
            "would never match; write 'http://[::1]'",
            id="ipv6-uncompressed",
        ),
        pytest.param(
            "http://[.]",
            "an IPv6 host is an IPv6 address in brackets; write e.g. 'http://[::1]:8080'",
            id="ipv6-garbage",
        ),
        pytest.param(
            "http://1.2.3.999",
            "a host ending in a number is an IPv4 address, and this one is not valid; write "
            "four decimal parts from 0 to 255, e.g. '127.0.0.1'",
            id="ipv4-out-of-range",
        ),
        pytest.param(
            "http://*.0.0.1",
            "a wildcard cannot stand for part of an IP address; list each address, e.g. "
            "'http://127.0.0.1:8080'",
            id="wildcard-ip",
        ),
    ],
)
def test_ip_host_no_browser_sends_refused_with_canonical_form(origin: str, line: str) -> None:
    assert problem_lines(allow_origins=[origin]) == [f"- allow_origins: {origin!r}: {line}"]


@pytest.mark.parametrize(
    ("origin", "hint"),
    [
        pytest.param(
            "https://a\x00b.example", "remove them: write 'https://ab.example'", id="nul"
        ),
        pytest.param("https://a\x85b.example", "remove them: write 'https://ab.example'", id="c1"),
        pytest.param("\x00", "remove the entry", id="only-nul"),
    ],
)
def test_hint_never_echoes_a_control_character(origin: str, hint: str) -> None:
    [line] = problem_lines(allow_origins=[origin])

    assert line.endswith(": an origin contains no whitespace or control characters; " + hint)
    assert line.isprintable()


# --- warnings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param(86401, id="one-over"),
        pytest.param("48h", id="two-days"),
        pytest.param(datetime.timedelta(days=7), id="week"),
    ],
)
def test_max_age_above_browser_caps_warns(max_age: object) -> None:
    with pytest.warns(PolicyWarning, match="max_age"):
        CORSPolicy(max_age=max_age)


def test_max_age_above_caps_still_kept() -> None:
    with pytest.warns(PolicyWarning):
        policy = CORSPolicy(max_age=90000)

    assert policy.max_age == 90000


def test_all_origins_with_other_entries_warns_redundant() -> None:
    with pytest.warns(PolicyWarning, match="allow_origins"):
        CORSPolicy(allow_origins=["*", "https://a.example"])


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Origin", id="Origin"),
        pytest.param("Cookie", id="Cookie"),
        pytest.param("Host", id="Host"),
        pytest.param("Content-Length", id="Content-Length"),
        pytest.param("Accept-Encoding", id="Accept-Encoding"),
        pytest.param("Sec-Fetch-Mode", id="Sec-prefix"),
        pytest.param("Proxy-Authorization", id="Proxy-prefix"),
        pytest.param("Access-Control-Request-Method", id="ACRM"),
        pytest.param("referer", id="lower-case"),
    ],
)
def test_never_sent_allow_header_warns(name: str) -> None:
    with pytest.warns(PolicyWarning, match=name):
        CORSPolicy(allow_headers=["X-Custom", name])


@pytest.mark.parametrize(
    "name",
    [pytest.param("Origin", id="Origin"), pytest.param("Sec-Fetch-Mode", id="Sec-prefix")],
)
def test_never_sent_allow_header_kept(name: str) -> None:
    with pytest.warns(PolicyWarning):
        policy = CORSPolicy(allow_headers=["X-Custom", name])

    assert name.lower() in [header.lower() for header in policy.allow_headers]


@pytest.mark.parametrize(
    ("option", "values"),
    [
        pytest.param("allow_methods", ["*", "GET"], id="methods"),
        pytest.param("allow_headers", ["*", "X-Custom"], id="headers"),
    ],
)
def test_star_with_other_entries_warns_redundant(option: str, values: list[str]) -> None:
    with pytest.warns(PolicyWarning, match=f"{option}.*redundant"):
        CORSPolicy(**{option: values})


# --- a misspelt keyword ---------------------------------------------------------------------


def test_misspelt_keyword_is_a_problem_with_a_suggestion() -> None:
    assert problem_lines(allow_origin=["https://a.example"]) == [
        "- allow_origin: ['https://a.example']: unknown option; did you mean 'allow_origins'?"
    ]


def test_misspelt_keyword_reported_with_the_other_problems() -> None:
    assert problem_lines(
        allow_origin=["https://a.example"], allow_methods=["TRACE"], alow_credentials=True
    ) == [
        "- allow_origin: ['https://a.example']: unknown option; did you mean 'allow_origins'?",
        "- alow_credentials: True: unknown option; did you mean 'allow_credentials'?",
        "- allow_methods: 'TRACE': CONNECT, TRACE and TRACK are forbidden methods: browsers "
        "never send them cross-origin; remove it",
    ]


def test_unknown_keyword_without_a_close_match_lists_the_options() -> None:
    [line] = problem_lines(cors=True)

    assert line == "- cors: True: unknown option; known options: " + ", ".join(
        field.name for field in attrs.fields(CORSPolicy)
    )


def test_unknown_keyword_stops_the_warnings_of_a_policy_that_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PolicyError):
            CORSPolicy(allow_origin=["*"], allow_headers=["Origin"])


def test_constructor_signature_is_the_attrs_one() -> None:
    parameters = list(inspect.signature(CORSPolicy).parameters)

    assert parameters == [field.name for field in attrs.fields(CORSPolicy)]


def test_evolve_with_a_misspelt_option_is_a_policy_error() -> None:
    with pytest.raises(PolicyError) as excinfo:
        attrs.evolve(CORSPolicy(), max_ages=10)

    assert [(p.option, p.hint) for p in excinfo.value.problems] == [
        ("max_ages", "did you mean 'max_age'?")
    ]


def test_python_hint_is_a_python_keyword() -> None:
    assert problem_lines(allow_credentials="true", allow_methods="GET") == [
        "- allow_credentials: 'true': this option is true or false; write "
        "allow_credentials=True or False",
        "- allow_methods: 'GET': this option is a list of strings, not a single string; "
        "write ['GET']",
    ]
