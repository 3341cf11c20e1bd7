"""``CORS(app, ...)``: wsgicors 0.7 options translated to a CORSPolicy, insecure ones refused."""

from __future__ import annotations

from typing import Any

import pytest
import webtest

import wsgicors
from wsgicors import CORS, CORSMiddleware, CORSPolicy, PolicyError, PolicyWarning
from wsgicors.compat import legacy_policy
from wsgicors.headers import ACAC, ACAH, ACAM, ACAO, ACMA, ACRH, ACRM, ORIGIN, VARY

SITE = "https://www.domain.com"


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def test_cors_is_exported_at_package_level() -> None:
    assert wsgicors.CORS is CORS


def test_readme_example_of_0_7_answers_preflight_the_same() -> None:
    client = webtest.TestApp(CORS(app, headers="*", methods="*", maxage="180", origin="*"))

    response = client.options("/", headers={ORIGIN: SITE, ACRM: "PATCH", ACRH: "X-Token"})

    assert (
        response.status,
        response.headers[ACAO],
        response.headers[ACAM],
        response.headers[ACAH],
        response.headers[ACMA],
    ) == ("204 No Content", "*", "PATCH", "X-Token", "180")


def test_listed_origins_with_credentials_are_echoed_with_vary() -> None:
    client = webtest.TestApp(
        CORS(app, origin="https://a.domain.com https://*.shop.domain.com", credentials="true")
    )

    response = client.get("/", headers={ORIGIN: "https://x.shop.domain.com"})

    assert (response.headers[ACAO], response.headers[ACAC], response.headers[VARY]) == (
        "https://x.shop.domain.com",
        "true",
        "Origin",
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({"origin": "copy"}, CORSPolicy(allow_headers=[]), id="copy: every origin"),
        pytest.param(
            {"origin": SITE, "methods": "PUT, DELETE"},
            CORSPolicy(
                allow_origins=[SITE],
                allow_methods=["PUT", "DELETE", "GET", "HEAD", "POST"],
                allow_headers=[],
            ),
            id="methods gain the safelisted three",
        ),
        pytest.param(
            {"origin": SITE, "methods": "GET, *"},
            CORSPolicy(allow_origins=[SITE], allow_methods=["*"], allow_headers=[]),
            id="* among methods: any method",
        ),
        pytest.param(
            {"origin": SITE, "headers": "X-Token, X-Trace", "expose_headers": "ETag"},
            CORSPolicy(
                allow_origins=[SITE], allow_headers=["X-Token", "X-Trace"], expose_headers=["ETag"]
            ),
            id="comma-separated headers",
        ),
        pytest.param(
            {"origin": SITE, "credentials": "false", "maxage": 60},
            CORSPolicy(allow_origins=[SITE], allow_headers=[], max_age=60),
            id="credentials false, maxage as int",
        ),
        pytest.param(
            {"origin": SITE, "credentials": True},
            CORSPolicy(allow_origins=[SITE], allow_headers=[], allow_credentials=True),
            id="credentials as a bool",
        ),
    ],
)
def test_direct_options_translate_to_policy(options: dict[str, Any], expected: CORSPolicy) -> None:
    assert legacy_policy(options) == expected


def test_ini_style_single_policy_translates() -> None:
    options = {"policy": "api", "api_origin": SITE, "api_methods": "PUT", "api_maxage": "180"}

    assert legacy_policy(options) == CORSPolicy(
        allow_origins=[SITE],
        allow_methods=["PUT", "GET", "HEAD", "POST"],
        allow_headers=[],
        max_age=180,
    )


def test_ini_style_policies_differing_only_in_origin_merge() -> None:
    options = {
        "policy": "a,b",
        "matchstrategy": "verbmatch",
        "a_origin": "https://a.domain.com",
        "b_origin": "https://b.domain.com https://a.domain.com",
    }

    assert legacy_policy(options) == CORSPolicy(
        allow_origins=["https://a.domain.com", "https://b.domain.com"], allow_headers=[]
    )


def test_ini_style_merge_with_copy_policy_allows_every_origin() -> None:
    options = {"policy": "a,free", "a_origin": SITE, "free_origin": "copy"}

    assert legacy_policy(options) == CORSPolicy(allow_headers=[])


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="CORS(app) without options"),
        pytest.param({"policy": "deny"}, id="policy = deny"),
    ],
)
def test_deny_leaves_responses_undecorated(options: dict[str, Any]) -> None:
    client = webtest.TestApp(CORS(app, **options))

    response = client.get("/", headers={ORIGIN: SITE})

    assert (ACAO in response.headers, VARY in response.headers) == (False, False)


def test_policies_after_deny_are_ignored_with_a_warning() -> None:
    options = {"policy": "a,deny,b", "a_origin": SITE, "b_origin": "https://b.domain.com"}

    with pytest.warns(PolicyWarning) as caught:
        policy = legacy_policy(options)

    assert (policy, str(caught[0].message)) == (
        CORSPolicy(allow_origins=[SITE], allow_headers=[]),
        "ignored b_origin: no policy named in policy = 'a,deny,b' owns them (wsgicors 0.7 "
        "ignored them too)",
    )


def test_cfg_mapping_is_read_when_no_keywords() -> None:
    middleware = CORS(app, {"policy": "api", "api_origin": SITE})

    assert (type(middleware), middleware.policy) == (
        CORSMiddleware,
        CORSPolicy(allow_origins=[SITE], allow_headers=[]),
    )


# --- refused: insecure or unclear 0.7 configurations ----------------------------------------


@pytest.mark.parametrize("origin", ["*", "copy"])
def test_every_origin_with_credentials_is_refused_with_safe_replacement(origin: str) -> None:
    with pytest.raises(PolicyError) as caught:
        CORS(app, origin=origin, credentials="true")

    assert str(caught.value) == (
        "invalid CORS policy (1 problem):\n"
        f"- origin: {origin!r}: with credentials, wsgicors 0.7 answered {origin!r} by echoing "
        "every origin, so any website could read responses made with the user's cookies; list "
        "the trusted origins instead, e.g. origin = https://app.example.com https://*.example.com"
    )


def test_several_mistakes_in_ini_policy_are_reported_together_by_0_7_name() -> None:
    options = {
        "policy": "api",
        "api_origin": "https://app.domain.com/ http://x?.domain.com",
        "api_methods": "GET, TRACE",
        "api_credentials": "yes",
        "api_maxage": "3m",
    }

    with pytest.raises(PolicyError) as caught:
        legacy_policy(options, source="/srv/app.ini")

    assert str(caught.value) == (
        "invalid CORS policy in /srv/app.ini (5 problems):\n"
        "- api_credentials: 'yes': wsgicors 0.7 read only 'true' as true, and anything else as "
        "false; write api_credentials = true or api_credentials = false\n"
        "- api_origin: 'http://x?.domain.com': wsgicors 0.7 matched origins as shell patterns; "
        "'?' and '[...]' also match origins an attacker can register; list each origin, or use "
        "'https://*.example.com' for subdomains\n"
        "- api_maxage: '3m': maxage is a number of seconds in ASCII digits (wsgicors 0.7 "
        "copied anything else into Access-Control-Max-Age, where browsers ignore it); write "
        "api_maxage = 180\n"
        "- api_origin: 'https://app.domain.com/': an origin has no path; remove the trailing "
        "'/' (use 'https://app.domain.com')\n"
        "- api_methods: 'TRACE': CONNECT, TRACE and TRACK are forbidden methods: browsers never "
        "send them cross-origin; remove it"
    )


@pytest.mark.parametrize(
    ("options", "option", "value"),
    [
        pytest.param({"methods": "GET"}, "origin", None, id="no origin"),
        pytest.param({"origin": "  "}, "origin", "  ", id="blank origin"),
        pytest.param({"origin": ["https://a"]}, "origin", ["https://a"], id="origin not a string"),
        pytest.param({"origin": f"* {SITE}"}, "origin", "*", id="* among origins"),
        pytest.param({"origin": SITE, "orign": "x"}, "orign", "x", id="unknown option"),
        pytest.param(
            {"policy": "api", "api_origin": SITE, "api_orign": "x"},
            "api_orign",
            "x",
            id="unknown option of a named policy",
        ),
        pytest.param(
            {"policy": "a,b", "a_origin": "*", "a_credentials": "true", "b_origin": SITE},
            "a_origin",
            "*",
            id="insecure origin in one of several policies",
        ),
        pytest.param(
            {"origin": SITE, "matchstrategy": "any"}, "matchstrategy", "any", id="strategy"
        ),
        pytest.param({"policy": ""}, "policy", "", id="empty policy list"),
        pytest.param({"policy": "api"}, "policy", "api", id="policy without options"),
        pytest.param(
            {"origin": SITE, "headers": ["X-A"]}, "headers", ["X-A"], id="list for headers"
        ),
    ],
)
def test_unusable_option_is_named(options: dict[str, Any], option: str, value: object) -> None:
    with pytest.raises(PolicyError) as caught:
        legacy_policy(options)

    assert [(p.option, p.value) for p in caught.value.problems] == [(option, value)]


def test_policies_differing_beyond_origin_are_refused() -> None:
    options = {
        "policy": "subdom,free",
        "subdom_origin": "https://*.domain.com",
        "subdom_methods": "GET, PUT",
        "free_origin": "copy",
        "free_expose_headers": "ETag",
    }

    with pytest.raises(PolicyError) as caught:
        legacy_policy(options)

    assert str(caught.value) == (
        "invalid CORS policy (1 problem):\n"
        "- policy: 'subdom,free': wsgicors 0.7 chose one of several policies by the request's "
        "origin, and these differ in expose_headers, methods; wsgicors applies one policy (per "
        "path prefix); give the policies the same options apart from origin so that they merge, "
        "or scope policies by path with CORSMiddleware(app, {'/api': CORSPolicy(...)})"
    )


def test_bad_origin_in_merged_policy_is_named_by_its_policy() -> None:
    options = {"policy": "a,b", "a_origin": SITE, "b_origin": "https://B.domain.com/"}

    with pytest.raises(PolicyError) as caught:
        legacy_policy(options)

    assert [p.option for p in caught.value.problems] == ["b_origin"]


# --- maxage: 0.7's values keep their meaning, bad ones are PolicyErrors ---------------------


@pytest.mark.parametrize("maxage", [pytest.param("0", id="'0'"), pytest.param(0, id="0")])
def test_maxage_zero_still_sends_max_age_zero(maxage: object) -> None:
    # 0.7 copied '0' into the header, which turns the preflight cache off; leaving the header
    # out would let browsers cache for 5 s instead.
    client = webtest.TestApp(CORS(app, origin="*", maxage=maxage))

    response = client.options("/", headers={ORIGIN: SITE, ACRM: "GET"})

    assert (response.status, response.headers[ACMA]) == ("204 No Content", "0")


def test_maxage_is_read_as_whole_seconds() -> None:
    assert legacy_policy({"origin": SITE, "maxage": "0180"}) == CORSPolicy(
        allow_origins=[SITE], allow_headers=[], max_age=180
    )


_NOT_SECONDS = (
    "maxage is a number of seconds in ASCII digits (wsgicors 0.7 copied anything else into "
    "Access-Control-Max-Age, where browsers ignore it); write maxage = 180"
)
_TOO_LONG = (
    "maxage is at most 9223372036 seconds (Go's duration range), and browsers cache a "
    "preflight for at most 7200 s (Chromium) or 86400 s (Firefox); write maxage = 7200"
)


@pytest.mark.parametrize(
    ("maxage", "message"),
    [
        pytest.param("\u00b2", f"'²': {_NOT_SECONDS}", id="superscript two: isdigit, not int"),
        pytest.param("\u0663", f"'٣': {_NOT_SECONDS}", id="Arabic-Indic digit"),
        pytest.param(
            "\uff11\uff18\uff10",
            f"'\uff11\uff18\uff10': {_NOT_SECONDS}",
            id="fullwidth digits",
        ),
        pytest.param("180\u00a0", f"'180\\xa0': {_NOT_SECONDS}", id="no-break space"),
        pytest.param("-1", f"'-1': {_NOT_SECONDS}", id="negative"),
        pytest.param("1.5", f"'1.5': {_NOT_SECONDS}", id="fraction"),
        pytest.param("3m", f"'3m': {_NOT_SECONDS}", id="duration"),
        pytest.param(-1, f"-1: {_NOT_SECONDS}", id="negative int"),
        pytest.param(True, f"True: {_NOT_SECONDS}", id="bool"),
        pytest.param(1.5, f"1.5: {_NOT_SECONDS}", id="float"),
        pytest.param("9223372037", f"'9223372037': {_TOO_LONG}", id="beyond Go's range"),
        pytest.param(2**63, f"9223372036854775808: {_TOO_LONG}", id="int beyond Go's range"),
        pytest.param("9" * 5000, f"'{'9' * 197}...{'9' * 198}': {_TOO_LONG}", id="5000 digits"),
        pytest.param(10**5000, f"<an int of 16610 bits>: {_TOO_LONG}", id="5001-digit int"),
    ],
)
def test_bad_maxage_is_a_policy_error_naming_option_and_fix(maxage: object, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        CORS(app, origin=SITE, maxage=maxage)

    assert str(caught.value) == f"invalid CORS policy (1 problem):\n- maxage: {message}"


# --- other 0.7 values: only ASCII separators, every bad value a PolicyError ----------------------


@pytest.mark.parametrize(
    ("options", "option", "value"),
    [
        pytest.param(
            {"origin": "https://a.domain.com\x1chttps://b.domain.com"},
            "origin",
            "https://a.domain.com\x1chttps://b.domain.com",
            id="origins split by a file separator",
        ),
        pytest.param(
            {"origin": "https://a.domain.com\u3000https://b.domain.com"},
            "origin",
            "https://a.domain.com\u3000https://b.domain.com",
            id="origins split by an ideographic space",
        ),
        pytest.param(
            {"origin": SITE, "methods": "PUT\u00a0"}, "methods", "PUT\u00a0", id="method"
        ),
        pytest.param(
            {"origin": SITE, "headers": "\u2003X-Token"}, "headers", "\u2003X-Token", id="header"
        ),
        pytest.param(
            {"policy": "api", "api_origin": SITE, "api_credentials": "True"},
            "api_credentials",
            "True",
            id="credentials 'True'",
        ),
        pytest.param(
            {"policy": "api", "api_origin": SITE, "api_credentials": ["true"]},
            "api_credentials",
            ["true"],
            id="credentials unhashable",
        ),
        pytest.param(
            {"origin": SITE, "matchstrategy": ["firstmatch"]},
            "matchstrategy",
            ["firstmatch"],
            id="unhashable matchstrategy",
        ),
    ],
)
def test_odd_0_7_value_is_a_policy_error_naming_the_option(
    options: dict[str, Any], option: str, value: object
) -> None:
    with pytest.raises(PolicyError) as caught:
        legacy_policy(options)

    assert [(p.option, p.value) for p in caught.value.problems] == [(option, value)]


def test_origins_on_several_ini_lines_are_all_read() -> None:
    # An ini value continued on the next line holds a newline: ASCII whitespace separates.
    options = {"origin": "https://a.domain.com\n  https://b.domain.com\thttps://c.domain.com"}

    assert legacy_policy(options) == CORSPolicy(
        allow_origins=["https://a.domain.com", "https://b.domain.com", "https://c.domain.com"],
        allow_headers=[],
    )


@pytest.mark.parametrize(
    "cfg",
    [
        pytest.param("origin=*", id="a string"),
        pytest.param([("origin", "*")], id="a list of pairs"),
    ],
)
def test_cfg_that_is_not_a_mapping_is_a_policy_error(cfg: object) -> None:
    with pytest.raises(PolicyError) as caught:
        CORS(app, cfg)  # type: ignore[arg-type]

    assert str(caught.value) == (
        "invalid CORS policy (1 problem):\n"
        f"- cfg: {cfg!r}: cfg is a mapping of wsgicors 0.7 options; write "
        "CORS(app, {'origin': 'https://app.example.com'}) or CORS(app, "
        "origin='https://app.example.com')"
    )


def test_empty_names_in_policy_list_are_skipped_as_in_0_7() -> None:
    options = {"policy": "api, ,", "api_origin": SITE}

    assert legacy_policy(options) == CORSPolicy(allow_origins=[SITE], allow_headers=[])


# --- policy names that prefix each other: the longest name owns the key -----------------------


@pytest.mark.parametrize("listed", ["a, a_b", "a_b, a"])
def test_policy_name_prefixing_another_owns_only_its_own_keys(listed: str) -> None:
    options = {
        "policy": listed,
        "a_origin": "https://a.domain.com",
        "a_b_origin": "https://b.domain.com",
        "a_maxage": "60",
        "a_b_maxage": "60",
    }

    assert legacy_policy(options) == CORSPolicy(
        allow_origins=["https://a.domain.com", "https://b.domain.com"]
        if listed == "a, a_b"
        else ["https://b.domain.com", "https://a.domain.com"],
        allow_headers=[],
        max_age=60,
    )


def test_cors_with_prefixing_policy_names_answers_both_origins() -> None:
    client = webtest.TestApp(
        CORS(app, policy="a, a_b", a_origin=SITE, a_b_origin="https://b.domain.com")
    )

    responses = [
        client.options("/", headers={ORIGIN: origin, ACRM: "GET"})
        for origin in (SITE, "https://b.domain.com")
    ]

    assert [(r.status, r.headers[ACAO]) for r in responses] == [
        ("204 No Content", SITE),
        ("204 No Content", "https://b.domain.com"),
    ]


def test_option_of_longer_policy_name_is_not_an_unknown_option_of_the_shorter() -> None:
    options = {"policy": "a, a_b", "a_origin": SITE, "a_b_origin": SITE, "a_b_methods": "PUT"}

    with pytest.raises(PolicyError) as caught:
        legacy_policy(options)

    assert [(p.option, p.rule.split(";")[0]) for p in caught.value.problems] == [
        (
            "policy",
            "wsgicors 0.7 chose one of several policies by the request's origin, and these "
            "differ in methods",
        )
    ]
