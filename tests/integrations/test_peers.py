"""django-cors-headers' and flask-cors' settings read as they are.

The tables take their cases from the peers' documentation: each setting, the wsgicors
options it becomes, or the refusal with its fix.
"""

from __future__ import annotations

import re
import warnings
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from wsgicors import CORSPolicy, PolicyError, PolicyWarning
from wsgicors.integrations.peers import (
    OriginRegexes,
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
