"""django-cors-headers' and flask-cors' settings read as they are.

The tables take their cases from the peers' documentation: each setting, the wsgicors
options it becomes, or the refusal with its fix.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from wsgicors import CORSPolicy, PolicyError, PolicyWarning
from wsgicors.integrations.peers import (
    OriginRegexes,
    spec_from_setting,
    translate_django_cors_headers,
    translate_flask_cors,
)

DJANGO_DEFAULTS: dict[str, Any] = {
    "allow_methods": ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"],
    # accept and content-type are always allowed: listing them changes nothing.
    "allow_headers": ["authorization", "user-agent", "x-csrftoken", "x-requested-with"],
    "max_age": 86400,
}
FLASK_DEFAULTS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_methods": ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"],
    "allow_headers": ["*"],
}


def django(**settings: object) -> Any:
    return translate_django_cors_headers(SimpleNamespace(**settings))


@pytest.mark.parametrize(
    ("settings", "spec"),
    [
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": ["https://example.com", "http://localhost:8080"]},
            {"allow_origins": ["https://example.com", "http://localhost:8080"]},
            id="CORS_ALLOWED_ORIGINS",
        ),
        pytest.param(
            {"CORS_ORIGIN_WHITELIST": ["https://example.com"]},
            {"allow_origins": ["https://example.com"]},
            id="legacy CORS_ORIGIN_WHITELIST",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://.*\.example\.com$"]},
            {"allow_origins": ["https://*.example.com"]},
            id="regex in the subdomain form",
        ),
        pytest.param(
            {"CORS_ORIGIN_REGEX_WHITELIST": [r"^https://.+\.example\.com(:\d+)?$"]},
            {"allow_origins": ["https://*.example.com:*"]},
            id="legacy regex with any port",
        ),
        pytest.param(
            {"CORS_ALLOW_ALL_ORIGINS": True}, {"allow_origins": ["*"]}, id="CORS_ALLOW_ALL_ORIGINS"
        ),
        pytest.param(
            {"CORS_ORIGIN_ALLOW_ALL": True}, {"allow_origins": ["*"]}, id="legacy ORIGIN_ALLOW_ALL"
        ),
        pytest.param(
            {
                "CORS_ALLOWED_ORIGINS": ["https://a.example"],
                "CORS_ALLOW_METHODS": ["GET", "patch"],
            },
            {"allow_origins": ["https://a.example"], "allow_methods": ["GET", "patch"]},
            id="CORS_ALLOW_METHODS kept as written",
        ),
        pytest.param(
            {
                "CORS_ALLOWED_ORIGINS": ["https://a.example"],
                "CORS_ALLOW_HEADERS": ["accept", "x-token", "accept-encoding"],
            },
            {"allow_origins": ["https://a.example"], "allow_headers": ["x-token"]},
            id="CORS_ALLOW_HEADERS without names that change nothing",
        ),
        pytest.param(
            {
                "CORS_ALLOWED_ORIGINS": ["https://a.example"],
                "CORS_EXPOSE_HEADERS": ["ETag"],
                "CORS_PREFLIGHT_MAX_AGE": 0,
                "CORS_ALLOW_CREDENTIALS": True,
                "CORS_ALLOW_PRIVATE_NETWORK": True,
            },
            {
                "allow_origins": ["https://a.example"],
                "allow_credentials": True,
                "expose_headers": ["ETag"],
                "max_age": None,
                "allow_private_network": True,
            },
            id="expose, credentials, no max age, private network",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": ["https://a.example"], "CORS_URLS_REGEX": r"^/api/.*$"},
            {"/api": {"allow_origins": ["https://a.example"]}},
            id="CORS_URLS_REGEX as a path scope",
        ),
    ],
)
def test_django_setting_translates(settings: dict[str, object], spec: dict[str, Any]) -> None:
    translation = django(**settings)
    if next(iter(spec)).startswith("/"):
        expected = {prefix: {**DJANGO_DEFAULTS, **options} for prefix, options in spec.items()}
    else:
        expected = {**DJANGO_DEFAULTS, **spec}
    expected = _without_none(expected)

    assert (translation.spec, translation.problems, translation.warnings) == (expected, (), ())


def _without_none(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _without_none(value) if isinstance(value, dict) else value
        for key, value in spec.items()
        if value is not None
    }


def test_django_regex_other_than_a_wildcard_becomes_a_fullmatch_function() -> None:
    translation = django(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://\w+\.example\.com"])
    func = translation.spec["allow_origin_func"]

    assert func == OriginRegexes((r"^https://\w+\.example\.com",))
    assert (
        func("https://shop.example.com", {}),
        func("https://a.example.com.evil.example", {}),
    ) == (
        True,
        False,
    )
    assert translation.warnings == (
        "CORS_ALLOWED_ORIGIN_REGEXES: '^https://\\\\w+\\\\.example\\\\.com' is not one of the "
        "wildcard forms ('https://*.example.com', 'https://host:*'): it becomes an "
        "allow_origin_func that allows an origin the regex matches in full (re.fullmatch; the "
        "peer matched a prefix); list the origins, or a wildcard form, to drop the function",
    )


@pytest.mark.parametrize(
    ("settings", "option", "value", "hint"),
    [
        pytest.param(
            {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True},
            "CORS_ALLOW_ALL_ORIGINS",
            True,
            "list the trusted origins in CORS_ALLOWED_ORIGINS (or write WSGICORS with "
            "allow_origins), or pass allow_origin_func to decide them in code",
            id="all origins with credentials",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": ["https://a.example"], "CORS_URLS_REGEX": r"^/(api|v2)/.*$"},
            "CORS_URLS_REGEX",
            r"^/(api|v2)/.*$",
            "write WSGICORS as a mapping of path prefixes to options, e.g. {'/api': {...}}, or "
            "mark the views with wsgicors.cors_policy",
            id="CORS_URLS_REGEX that is not a prefix",
        ),
        pytest.param(
            {},
            "CORS_ALLOWED_ORIGINS",
            [],
            "set CORS_ALLOWED_ORIGINS to the origins to allow",
            id="no origin configured",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": ["https://a.example"], "CORS_REPLACE_HTTPS_REFERER": True},
            "CORS_REPLACE_HTTPS_REFERER",
            True,
            "remove it: add the origins to CSRF_TRUSTED_ORIGINS",
            id="removed CORS_REPLACE_HTTPS_REFERER",
        ),
    ],
)
def test_django_setting_without_safe_equivalent_is_refused(
    settings: dict[str, object], option: str, value: object, hint: str
) -> None:
    [problem] = django(**settings).problems

    assert (problem.option, problem.value, problem.hint) == (option, value, hint)


def test_django_regex_over_a_public_suffix_is_refused_by_the_core() -> None:
    translation = django(CORS_ALLOWED_ORIGIN_REGEXES=[r"https://.*\.vercel\.app"])

    with pytest.raises(PolicyError) as caught:
        translation.policy()

    [problem] = caught.value.problems
    assert (problem.option, problem.value) == (
        "CORS_ALLOWED_ORIGIN_REGEXES",
        r"https://.*\.vercel\.app",
    )
    assert problem.rule == (
        "read as 'https://*.vercel.app': 'vercel.app' is a public suffix: anyone can register "
        "a site under it, so '*.vercel.app' would allow origins an attacker controls"
    )


# --- flask-cors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "spec"),
    [
        pytest.param({}, {}, id="defaults"),
        pytest.param(
            {"CORS_ORIGINS": ["http://localhost:3000", "https://example.com"]},
            {"allow_origins": ["http://localhost:3000", "https://example.com"]},
            id="CORS_ORIGINS list",
        ),
        pytest.param(
            {"CORS_ORIGINS": "https://a.example,https://b.example"},
            {"allow_origins": ["https://a.example", "https://b.example"]},
            id="CORS_ORIGINS from an environment variable",
        ),
        pytest.param(
            {"CORS_ORIGINS": r"https://.*\.example\.com"},
            {"allow_origins": ["https://*.example.com"]},
            id="regex origin in the subdomain form",
        ),
        pytest.param(
            {"CORS_METHODS": ["get", "post", "patch"]},
            {"allow_methods": ["GET", "POST", "PATCH"]},
            id="CORS_METHODS upper-cased",
        ),
        pytest.param(
            {"CORS_METHODS": "GET,PUT"}, {"allow_methods": ["GET", "PUT"]}, id="methods split"
        ),
        pytest.param(
            {"CORS_ALLOW_HEADERS": ["Content-Type", "X-Token", r"^X-Exact$"]},
            {"allow_headers": ["X-Token", "X-Exact"]},
            id="header names and an anchored literal regex",
        ),
        pytest.param(
            {"CORS_ALLOW_HEADERS": ".*"}, {"allow_headers": ["*"]}, id="header regex '.*'"
        ),
        pytest.param(
            {"CORS_EXPOSE_HEADERS": "X-Total,ETag", "CORS_MAX_AGE": "600"},
            {"expose_headers": ["X-Total", "ETag"], "max_age": 600},
            id="expose split, max age digits",
        ),
        pytest.param(
            {"CORS_MAX_AGE": timedelta(minutes=10)}, {"max_age": 600}, id="max age timedelta"
        ),
        pytest.param(
            {
                "CORS_ORIGINS": ["https://a.example"],
                "CORS_SUPPORTS_CREDENTIALS": True,
                "CORS_ALLOW_PRIVATE_NETWORK": True,
            },
            {
                "allow_origins": ["https://a.example"],
                "allow_credentials": True,
                "allow_private_network": True,
            },
            id="credentials, private network",
        ),
        pytest.param(
            {
                "CORS_SEND_WILDCARD": True,
                "CORS_AUTOMATIC_OPTIONS": False,
                "CORS_ALWAYS_SEND": False,
            },
            {},
            id="options with nothing to translate",
        ),
        pytest.param(
            {"CORS_RESOURCES": {r"/api/*": {"origins": ["https://a.example"]}}},
            {"/api": {"allow_origins": ["https://a.example"]}},
            id="CORS_RESOURCES as path scopes",
        ),
    ],
)
def test_flask_config_translates(config: dict[str, object], spec: dict[str, Any]) -> None:
    translation = translate_flask_cors(config)
    if translation.scoped:
        expected = {prefix: {**FLASK_DEFAULTS, **options} for prefix, options in spec.items()}
    else:
        expected = {**FLASK_DEFAULTS, **spec}

    assert (translation.spec, translation.problems, translation.warnings) == (expected, (), ())


@pytest.mark.parametrize(
    ("config", "option", "value", "hint"),
    [
        pytest.param(
            {"CORS_SUPPORTS_CREDENTIALS": True},
            "CORS_ORIGINS",
            "*",
            "list the trusted origins, or pass allow_origin_func to decide them in code",
            id="all origins with credentials",
        ),
        pytest.param(
            {"CORS_ALLOW_HEADERS": ["X-Custom-.*"]},
            "CORS_ALLOW_HEADERS",
            "X-Custom-.*",
            "list the header names it should allow, or write '*' to allow every header",
            id="header regex",
        ),
        pytest.param(
            {"CORS_RESOURCES": {r"/api/v[0-9]+/.*": {}}},
            "CORS_RESOURCES",
            r"/api/v[0-9]+/.*",
            "use path prefixes, or mark the views with wsgicors.cors_policy",
            id="resource regex that is not a prefix",
        ),
    ],
)
def test_flask_config_without_safe_equivalent_is_refused(
    config: dict[str, object], option: str, value: object, hint: str
) -> None:
    [problem] = translate_flask_cors(config).problems

    assert (problem.option, problem.value, problem.hint) == (option, value, hint)


def test_flask_regex_origin_becomes_a_case_insensitive_fullmatch_function() -> None:
    translation = translate_flask_cors({"CORS_ORIGINS": [r"https://app[0-9]\.example\.com"]})

    assert translation.spec["allow_origin_func"] == OriginRegexes(
        (r"https://app[0-9]\.example\.com",), ignore_case=True
    )


def test_flask_false_string_is_false_with_a_warning() -> None:
    translation = translate_flask_cors(
        {"CORS_ORIGINS": "https://a.example", "CORS_SUPPORTS_CREDENTIALS": "false"}
    )

    assert ("allow_credentials" in translation.spec, translation.warnings) == (
        False,
        (
            "CORS_SUPPORTS_CREDENTIALS: 'false' is read as False here; flask-cors reads any "
            "non-empty string as True",
        ),
    )


def test_translation_policy_issues_its_warnings() -> None:
    translation = translate_flask_cors({"CORS_VARY_HEADER": False})

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        policy = translation.policy()

    assert policy == CORSPolicy(
        allow_methods=["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]
    )
    assert [(w.category, str(w.message)) for w in caught] == [
        (
            PolicyWarning,
            "CORS_VARY_HEADER: False is not followed: 'Vary: Origin' is always sent when the "
            "answer depends on the Origin, or a shared cache would serve one origin's answer "
            "to another",
        )
    ]


def test_compiled_regex_setting_is_read() -> None:
    translation = django(CORS_ALLOWED_ORIGIN_REGEXES=[re.compile(r"^https://.*\.example\.com$")])

    assert translation.spec["allow_origins"] == ["https://*.example.com"]


# --- django-cors-headers: values its checks refuse ---------------------------------------------

ORIGIN_A = "https://a.example"


@pytest.mark.parametrize(
    ("settings", "problems"),
    [
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": None},
            [("CORS_ALLOWED_ORIGINS", None, "a list of origins")],
            id="CORS_ALLOWED_ORIGINS from an unset environment variable",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": [ORIGIN_A, None]},
            [("CORS_ALLOWED_ORIGINS", None, "an origin is a string")],
            id="an origin from an unset environment variable",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGIN_REGEXES": r"^https://\w+\.example\.com$"},
            [],
            id="one regex, not in a list",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGIN_REGEXES": None},
            [("CORS_ALLOWED_ORIGIN_REGEXES", None, "a list of regular expressions")],
            id="CORS_ALLOWED_ORIGIN_REGEXES not a list",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGIN_REGEXES": [rb"^https://\w+\.example\.com$"]},
            [
                (
                    "CORS_ALLOWED_ORIGIN_REGEXES",
                    rb"^https://\w+\.example\.com$",
                    "an origin regex is a string",
                )
            ],
            id="bytes regex",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://(\w+\.example\.com$"]},
            [
                (
                    "CORS_ALLOWED_ORIGIN_REGEXES",
                    r"^https://(\w+\.example\.com$",
                    "not a regular expression (missing ), unterminated subpattern at position 9)",
                )
            ],
            id="regex that does not compile",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": [ORIGIN_A], "CORS_ALLOW_METHODS": None},
            [("CORS_ALLOW_METHODS", None, "a list of methods")],
            id="CORS_ALLOW_METHODS not a list",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": [ORIGIN_A], "CORS_ALLOW_HEADERS": True},
            [("CORS_ALLOW_HEADERS", True, "a list of header names")],
            id="CORS_ALLOW_HEADERS = True",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": [ORIGIN_A], "CORS_ALLOW_HEADERS": ["x-token", 1]},
            [("CORS_ALLOW_HEADERS", 1, "a header name is a string")],
            id="a header name that is not a string",
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": [ORIGIN_A], "CORS_EXPOSE_HEADERS": True},
            [("CORS_EXPOSE_HEADERS", True, "a list of header names")],
            id="CORS_EXPOSE_HEADERS = True",
        ),
    ],
)
def test_django_setting_of_the_wrong_type_is_refused_alone(
    settings: dict[str, object], problems: list[tuple[str, object, str]]
) -> None:
    translation = django(**settings)

    assert [(p.option, p.value, p.rule) for p in translation.problems] == problems


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        pytest.param("CORS_ALLOW_CREDENTIALS", "False", id="credentials string"),
        pytest.param("CORS_ALLOW_ALL_ORIGINS", "True", id="all origins string"),
        pytest.param("CORS_ORIGIN_ALLOW_ALL", 1, id="legacy all origins number"),
        pytest.param("CORS_ALLOW_PRIVATE_NETWORK", "yes", id="private network string"),
    ],
)
def test_django_flag_that_is_not_a_bool_is_refused_with_its_name(
    setting: str, value: object
) -> None:
    translation = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A], **{setting: value})

    assert [(p.option, p.value, p.rule, p.hint) for p in translation.problems] == [
        (
            setting,
            value,
            "django-cors-headers accepts only True or False here",
            f"write {setting} = True or False (a string from the environment is not False: "
            "compare it, e.g. os.environ.get(...) == 'true')",
        )
    ]
    assert translation.spec == {"allow_origins": [ORIGIN_A], **DJANGO_DEFAULTS}


def test_django_all_origins_not_a_bool_is_not_also_reported_as_unset() -> None:
    translation = django(CORS_ALLOW_ALL_ORIGINS="True")

    assert [p.option for p in translation.problems] == ["CORS_ALLOW_ALL_ORIGINS"]


def test_django_regex_for_every_origin_is_all_origins() -> None:
    translation = django(CORS_ALLOWED_ORIGIN_REGEXES=[r"^.*$"])

    assert (translation.spec, translation.problems) == (
        {"allow_origins": ["*"], **DJANGO_DEFAULTS},
        (),
    )


def test_django_regex_for_every_origin_with_credentials_is_refused() -> None:
    [problem] = django(
        CORS_ALLOWED_ORIGIN_REGEXES=[r"^https?://.*$", r".*"], CORS_ALLOW_CREDENTIALS=True
    ).problems

    assert (problem.option, problem.value) == (
        "CORS_ALLOWED_ORIGIN_REGEXES",
        [r"^https?://.*$", r".*"],
    )


def test_django_allow_headers_star_allows_every_header() -> None:
    translation = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A], CORS_ALLOW_HEADERS=["x-token", "*"])

    assert translation.spec["allow_headers"] == ["*"]


def test_django_empty_expose_headers_sets_nothing() -> None:
    translation = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A], CORS_EXPOSE_HEADERS=[])

    assert translation.spec == {"allow_origins": [ORIGIN_A], **DJANGO_DEFAULTS}


def test_django_urls_regex_with_an_unescaped_dot_is_refused() -> None:
    # '.' matches any character: '^/api/v1.0/.*$' also covers '/api/v1x0/'.
    [problem] = django(
        CORS_ALLOWED_ORIGINS=[ORIGIN_A], CORS_URLS_REGEX=re.compile(r"^/api/v1.0/.*$")
    ).problems

    assert (problem.option, problem.value) == ("CORS_URLS_REGEX", r"^/api/v1.0/.*$")


def test_django_urls_regex_with_an_escaped_dot_is_a_path_scope() -> None:
    translation = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A], CORS_URLS_REGEX=r"^/api/v1\.0/.*$")

    assert translation.spec == {"/api/v1.0": {"allow_origins": [ORIGIN_A], **DJANGO_DEFAULTS}}


def test_django_core_problem_on_a_value_it_did_not_write_keeps_the_core_name() -> None:
    translation = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A], CORS_ALLOW_METHODS=["GET, POST"])

    with pytest.raises(PolicyError) as caught:
        translation.policy()

    [problem] = caught.value.problems
    assert (problem.option, problem.value, problem.hint) == (
        "allow_methods",
        "GET, POST",
        'write the method name alone, e.g. "GET,"',
    )


# --- django-cors-headers: check_request_enabled receivers --------------------------------------


def api_to_everyone(sender: object, request: Any, **kwargs: object) -> bool:
    """django-cors-headers' README example: CORS for every origin on /api/."""
    return bool(request.path.startswith("/api/"))


@pytest.fixture
def receiver() -> Iterator[None]:
    from corsheaders.signals import check_request_enabled
    from helpers import configure_django

    configure_django()
    check_request_enabled.connect(api_to_everyone)
    try:
        yield
    finally:
        check_request_enabled.disconnect(api_to_everyone)


SIGNAL_WARNING = (
    "corsheaders.signals.check_request_enabled has receivers: an origin the settings do not "
    "list is allowed when one of them returns a true value for the request (a "
    "django.http.HttpRequest built from the WSGI environ), as django-cors-headers does; "
    "receivers connected after the policy is built are not seen"
)


@pytest.mark.usefixtures("receiver")
def test_django_signal_receivers_decide_origins_the_settings_do_not_list() -> None:
    from helpers import environ_for

    translation = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A])
    func = translation.spec["allow_origin_func"]

    assert (translation.warnings, translation.problems) == ((SIGNAL_WARNING,), ())
    assert repr(func) == "<corsheaders.signals.check_request_enabled receivers>"
    assert (
        func("https://b.example", environ_for(path="/api/items")),
        func("https://b.example", environ_for(path="/admin/")),
    ) == (True, False)


@pytest.mark.usefixtures("receiver")
def test_django_signal_receivers_are_asked_after_the_origin_regexes() -> None:
    from helpers import environ_for

    regex = r"^https://\w+\.example\.com$"
    func = django(CORS_ALLOWED_ORIGIN_REGEXES=[regex]).spec["allow_origin_func"]

    assert repr(func) == (
        f"<{OriginRegexes((regex,))!r} or corsheaders.signals.check_request_enabled receivers>"
    )
    assert (
        func("https://shop.example.com", environ_for(path="/admin/")),
        func("https://b.example", environ_for(path="/admin/")),
    ) == (True, False)


@pytest.mark.usefixtures("receiver")
@pytest.mark.filterwarnings("ignore::wsgicors.PolicyWarning")
def test_django_same_settings_with_receivers_build_equal_policies() -> None:
    first = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A]).policy()
    second = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A]).policy()
    other = django(
        CORS_ALLOWED_ORIGINS=[ORIGIN_A], CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://\w+\.a\.example$"]
    ).policy()

    assert (first, hash(first)) == (second, hash(second))
    assert first != other


@pytest.mark.usefixtures("receiver")
def test_django_receivers_with_a_urls_regex_are_refused() -> None:
    [problem] = django(
        CORS_ALLOWED_ORIGINS=[ORIGIN_A], CORS_URLS_REGEX=re.compile(r"^/api/.*$")
    ).problems

    assert (problem.option, problem.value, problem.hint) == (
        "CORS_URLS_REGEX",
        r"^/api/.*$",
        "remove CORS_URLS_REGEX (the receivers then decide on every path), or write WSGICORS "
        "as a mapping of path prefixes with an allow_origin_func",
    )


def test_django_settings_are_read_once_django_cors_headers_is_uninstalled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "corsheaders.signals", None)  # import fails

    translation = django(CORS_ALLOWED_ORIGINS=[ORIGIN_A])

    assert (translation.spec, translation.warnings) == (
        {"allow_origins": [ORIGIN_A], **DJANGO_DEFAULTS},
        (),
    )


# --- flask-cors: more of its documented forms ---------------------------------------------------


@pytest.mark.parametrize(
    ("config", "spec"),
    [
        pytest.param(
            {"CORS_ORIGINS": re.compile(r"https://.*\.example\.com")},
            {"allow_origins": ["https://*.example.com"]},
            id="one compiled regex",
        ),
        pytest.param({"CORS_ORIGINS": r".*"}, {}, id="regex for every origin"),
        pytest.param(
            {"CORS_SUPPORTS_CREDENTIALS": 1, "CORS_ORIGINS": ORIGIN_A},
            {"allow_origins": [ORIGIN_A], "allow_credentials": True},
            id="credentials 1",
        ),
        pytest.param(
            {"CORS_SUPPORTS_CREDENTIALS": "", "CORS_ORIGINS": ORIGIN_A},
            {"allow_origins": [ORIGIN_A]},
            id="credentials from an empty environment variable",
        ),
        pytest.param({"CORS_EXPOSE_HEADERS": ""}, {}, id="no exposed header"),
        pytest.param(
            {"CORS_RESOURCES": r"/api/*"}, {"/api": {}}, id="CORS_RESOURCES as one string"
        ),
    ],
)
def test_flask_config_form_translates(config: dict[str, object], spec: dict[str, Any]) -> None:
    translation = translate_flask_cors(config)
    if translation.scoped:
        expected = {prefix: {**FLASK_DEFAULTS, **options} for prefix, options in spec.items()}
    else:
        expected = {**FLASK_DEFAULTS, **spec}

    assert (translation.spec, translation.problems, translation.warnings) == (expected, (), ())


def test_flask_origin_regex_with_a_quantifier_is_not_split_at_its_comma() -> None:
    regex = r"https://[a-z]{3,8}\.example\.com"

    translation = translate_flask_cors({"CORS_ORIGINS": f"{regex},{ORIGIN_A}"})

    assert (translation.spec["allow_origins"], translation.spec["allow_origin_func"]) == (
        [ORIGIN_A],
        OriginRegexes((regex,), ignore_case=True),
    )


def test_flask_wildcard_origin_allows_subdomains_with_a_warning() -> None:
    translation = translate_flask_cors({"CORS_ORIGINS": ["https://*.example.com"]})

    assert (translation.spec["allow_origins"], translation.warnings) == (
        ["https://*.example.com"],
        (
            "CORS_ORIGINS: 'https://*.example.com' is a regular expression to flask-cors, "
            "which never matches a subdomain; here it allows the subdomains it names",
        ),
    )


def test_flask_literal_resource_path_is_a_prefix_with_a_warning() -> None:
    translation = translate_flask_cors({"CORS_RESOURCES": "/api/status"})

    assert (translation.spec, translation.warnings) == (
        {"/api/status": FLASK_DEFAULTS},
        (
            "CORS_RESOURCES: '/api/status' is a literal path in flask-cors (that path only); "
            "the path prefix here also covers the paths below it",
        ),
    )


def test_flask_app_setting_repeated_by_each_resource_is_reported_once() -> None:
    translation = translate_flask_cors(
        {
            "CORS_RESOURCES": [r"/api/*", r"/v2/*"],
            "CORS_SUPPORTS_CREDENTIALS": True,
            "CORS_VARY_HEADER": False,
        }
    )

    assert ([(p.option, p.value) for p in translation.problems], len(translation.warnings)) == (
        [("CORS_ORIGINS", "*")],
        1,
    )


@pytest.mark.parametrize(
    ("config", "option", "value", "rule", "hint"),
    [
        pytest.param(
            {"CORS_ORIGINS": True},
            "CORS_ORIGINS",
            True,
            "a list of origins",
            "write ['https://...']",
            id="CORS_ORIGINS = True",
        ),
        pytest.param(
            {"CORS_ORIGINS": [ORIGIN_A, None]},
            "CORS_ORIGINS",
            None,
            "an origin is a string",
            "quote it",
            id="an origin from an unset environment variable",
        ),
        pytest.param(
            {"CORS_ORIGINS": ""},
            "CORS_ORIGINS",
            "",
            "flask-cors allows no origin at all with this value, and a wsgicors policy allows "
            "at least one",
            "list the origins to allow; for no CORS on these paths, map their prefix to None "
            "in WSGICORS",
            id="no origin",
        ),
        pytest.param(
            {"CORS_METHODS": True},
            "CORS_METHODS",
            True,
            "a list of methods",
            "write ['GET']",
            id="CORS_METHODS = True",
        ),
        pytest.param(
            {"CORS_ALLOW_HEADERS": True},
            "CORS_ALLOW_HEADERS",
            True,
            "a list of header names",
            "write ['*']",
            id="CORS_ALLOW_HEADERS = True",
        ),
        pytest.param(
            {"CORS_EXPOSE_HEADERS": True},
            "CORS_EXPOSE_HEADERS",
            True,
            "a list of header names",
            "write ['ETag']",
            id="CORS_EXPOSE_HEADERS = True",
        ),
        pytest.param(
            {"CORS_SUPPORTS_CREDENTIALS": "enabled", "CORS_ORIGINS": ORIGIN_A},
            "CORS_SUPPORTS_CREDENTIALS",
            "enabled",
            "this option is true or false",
            "write CORS_SUPPORTS_CREDENTIALS = True",
            id="credentials neither true nor false",
        ),
        pytest.param(
            {"CORS_RESOURCES": True},
            "CORS_RESOURCES",
            True,
            "a path regex, a list of them, or a dict of them to options",
            "write {r'/api/*': {'origins': [...]}}",
            id="CORS_RESOURCES = True",
        ),
        pytest.param(
            {"CORS_RESOURCES": ["api/items"]},
            "CORS_RESOURCES",
            "api/items",
            "wsgicors chooses a policy by path prefix, and this regular expression is not one "
            "(r'/api/*' is)",
            "use path prefixes, or mark the views with wsgicors.cors_policy",
            id="resource path without its leading slash",
        ),
        pytest.param(
            {"CORS_RESOURCES": [(r"/api/*", {"origins": ORIGIN_A})]},
            "CORS_RESOURCES",
            (r"/api/*", {"origins": ORIGIN_A}),
            "wsgicors chooses a policy by path prefix, and this regular expression is not one "
            "(r'/api/*' is)",
            "use path prefixes, or mark the views with wsgicors.cors_policy",
            id="resources as a list of pairs",
        ),
        pytest.param(
            {"CORS_RESOURCES": {r"/api/*": ORIGIN_A}},
            "CORS_RESOURCES['/api/*']",
            ORIGIN_A,
            "the options of a resource are a dict",
            "write {'origins': [...]}",
            id="resource options not a dict",
        ),
    ],
)
def test_flask_config_of_the_wrong_type_is_refused_alone(
    config: dict[str, object], option: str, value: object, rule: str, hint: str
) -> None:
    [problem] = translate_flask_cors(config).problems

    assert (problem.option, problem.value, problem.rule, problem.hint) == (
        option,
        value,
        rule,
        hint,
    )


# --- the WSGICORS setting -----------------------------------------------------------------------


def test_setting_holding_a_policy_is_that_policy() -> None:
    policy = CORSPolicy(allow_origins=[ORIGIN_A])

    assert spec_from_setting(policy, "settings.WSGICORS") is policy


def test_setting_path_prefix_with_a_list_is_refused_with_the_dict_to_write() -> None:
    with pytest.raises(PolicyError) as caught:
        spec_from_setting({"/api": [ORIGIN_A], "/open": None}, "settings.WSGICORS")

    [problem] = caught.value.problems
    assert (problem.option, problem.value, problem.rule, problem.hint) == (
        "WSGICORS['/api']",
        [ORIGIN_A],
        "the policy of a path prefix is a dict of CORS options, a CORSPolicy, or None for no "
        "CORS there",
        "write WSGICORS = {'/api': {'allow_origins': [...]}}",
    )
