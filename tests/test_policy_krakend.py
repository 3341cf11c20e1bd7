"""KrakenD configuration: CORSPolicy.from_dict and CORSPolicy.from_krakend."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import webtest

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError, PolicyWarning
from wsgicors.config import load_policy
from wsgicors.headers import ACAH, ACAM, ACAO, ACEH, ACMA, ACRH, ACRM, ORIGIN
from wsgicors.policy import python_dict_hints

# The example of KrakenD's CORS documentation page ("Configuration" section), verbatim.
KRAKEND_EXAMPLE = """
{
  "version": 3,
  "extra_config": {
    "security/cors": {
      "allow_origins": [
        "*"
      ],
      "allow_methods": [
        "GET",
        "HEAD",
        "POST"
      ],
      "expose_headers": [
        "Content-Length",
        "Content-Type"
      ],
      "allow_headers": [
        "Accept-Language"
      ],
      "max_age": "12h",
      "allow_credentials": false,
      "debug": false
    }
  }
}
"""

# The seed lists Accept-Language, which browsers may always send: advice, not an error.
REDUNDANT_ACCEPT_LANGUAGE = pytest.mark.filterwarnings(
    "ignore:allow_headers.*Accept-Language:wsgicors.PolicyWarning"
)

EXPECTED = dict(
    allow_origins=["*"],
    allow_methods=["GET", "HEAD", "POST"],
    expose_headers=["Content-Length", "Content-Type"],
    allow_headers=["Accept-Language"],
    max_age="12h",
    allow_credentials=False,
    debug=False,
)


def seed() -> dict[str, Any]:
    return json.loads(KRAKEND_EXAMPLE)  # type: ignore[no-any-return]


def seed_cors() -> dict[str, Any]:
    return seed()["extra_config"]["security/cors"]  # type: ignore[no-any-return]


def write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "krakend.json"
    path.write_text(text, encoding="utf-8")
    return path


def write_config(tmp_path: Path, config: object) -> Path:
    return write_text(tmp_path, json.dumps(config))


def _problems(obj: object, **overrides: Any) -> list[Any]:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_dict(obj, **overrides)  # type: ignore[arg-type]
    return list(excinfo.value.problems)


# --- the seed's example -------------------------------------------------------------------


@REDUNDANT_ACCEPT_LANGUAGE
def test_seed_example_through_from_dict_equals_python_policy() -> None:
    assert CORSPolicy.from_dict(seed_cors()) == CORSPolicy(**EXPECTED)


@REDUNDANT_ACCEPT_LANGUAGE
def test_seed_example_through_from_krakend_path_equals_python_policy(tmp_path: Path) -> None:
    path = tmp_path / "krakend.json"
    path.write_text(KRAKEND_EXAMPLE, encoding="utf-8")

    assert CORSPolicy.from_krakend(path) == CORSPolicy(**EXPECTED)


@REDUNDANT_ACCEPT_LANGUAGE
def test_seed_example_through_from_krakend_str_path(tmp_path: Path) -> None:
    path = tmp_path / "krakend.json"
    path.write_text(KRAKEND_EXAMPLE, encoding="utf-8")

    assert CORSPolicy.from_krakend(str(path)) == CORSPolicy(**EXPECTED)


@REDUNDANT_ACCEPT_LANGUAGE
def test_seed_example_through_from_krakend_mapping() -> None:
    assert CORSPolicy.from_krakend(seed()) == CORSPolicy(**EXPECTED)


def test_seed_example_warns_accept_language_redundant() -> None:
    with pytest.warns(PolicyWarning, match="Accept-Language"):
        CORSPolicy.from_dict(seed_cors())


@REDUNDANT_ACCEPT_LANGUAGE
def test_seed_example_preflight_answer() -> None:
    client = webtest.TestApp(CORSMiddleware(_app, CORSPolicy.from_dict(seed_cors())))

    response = client.options(
        "/", headers={ORIGIN: "https://www.domain.com", ACRM: "POST", ACRH: "accept-language"}
    )

    assert response.status == "204 No Content"
    assert response.headers.getall(ACAO) == ["*"]
    assert response.headers.getall(ACAM) == ["POST"]
    assert response.headers.getall(ACAH) == ["accept-language"]
    assert response.headers.getall(ACMA) == ["43200"]


@REDUNDANT_ACCEPT_LANGUAGE
def test_seed_example_actual_answer() -> None:
    client = webtest.TestApp(CORSMiddleware(_app, CORSPolicy.from_dict(seed_cors())))

    response = client.get("/", headers={ORIGIN: "https://www.domain.com"})

    assert response.headers.getall(ACAO) == ["*"]
    [expose] = response.headers.getall(ACEH)
    assert [name.strip() for name in expose.split(",")] == ["Content-Length", "Content-Type"]


@REDUNDANT_ACCEPT_LANGUAGE
def test_seed_example_refuses_put_preflight() -> None:
    client = webtest.TestApp(CORSMiddleware(_app, CORSPolicy.from_dict(seed_cors())))

    response = client.options(
        "/", headers={ORIGIN: "https://www.domain.com", ACRM: "PUT"}, expect_errors=True
    )

    assert response.status_int == 403


def _app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


# --- from_dict ----------------------------------------------------------------------------


def test_from_dict_empty_object_gives_defaults() -> None:
    assert CORSPolicy.from_dict({}) == CORSPolicy()


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("@comment", id="at"),
        pytest.param("$schema", id="dollar"),
        pytest.param("_note", id="underscore"),
        pytest.param("#todo", id="hash"),
    ],
)
def test_from_dict_comment_key_ignored(key: str) -> None:
    policy = CORSPolicy.from_dict({key: "anything at all", "allow_origins": ["https://a.example"]})

    assert policy == CORSPolicy(allow_origins=["https://a.example"])


def test_from_dict_comment_key_with_any_value_type_ignored() -> None:
    obj = {"@comment": {"nested": [1, None]}, "_x": None, "#y": 3, "$z": ["*"]}

    assert CORSPolicy.from_dict(obj) == CORSPolicy()


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        pytest.param("allow_origin", "allow_origins", id="singular"),
        pytest.param("allowed_origins", "allow_origins", id="allowed"),
        pytest.param("allow_method", "allow_methods", id="method"),
        pytest.param("expose_header", "expose_headers", id="expose"),
        pytest.param("maxage", "max_age", id="maxage"),
        pytest.param("allow_credential", "allow_credentials", id="credential"),
        pytest.param("AllowOrigins", "allow_origins", id="camel"),
    ],
)
def test_from_dict_misspelt_key_refused_with_suggestion(key: str, suggestion: str) -> None:
    [problem] = _problems({key: ["*"]})

    assert problem.option == key
    assert "did you mean" in problem.hint.lower()
    assert suggestion in problem.hint


def test_from_dict_unknown_key_refused() -> None:
    [problem] = _problems({"frobnicate": True})

    assert problem.option == "frobnicate"
    assert problem.value is True


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("allow_origin_func", "mymodule.decide", id="allow_origin_func"),
        pytest.param("dangerously_tolerate_insecure_origins", True, id="tolerate"),
    ],
)
def test_from_dict_python_only_key_refused_with_keyword_hint(key: str, value: object) -> None:
    [problem] = _problems({key: value})

    assert problem.option == key
    assert "keyword" in problem.hint.lower()


def test_from_dict_keyword_override_sets_python_only_option() -> None:
    def decide(origin: str, environ: object) -> bool:
        return origin.endswith(".example")

    obj = {"allow_methods": ["GET"]}

    policy = CORSPolicy.from_dict(obj, allow_origin_func=decide)

    assert policy == CORSPolicy(allow_methods=["GET"], allow_origin_func=decide)


def test_from_dict_keyword_override_replaces_json_value() -> None:
    policy = CORSPolicy.from_dict({"debug": False, "max_age": "1h"}, debug=True)

    assert policy == CORSPolicy(debug=True, max_age=3600)


def test_from_dict_keyword_tolerate_insecure_origins() -> None:
    obj = {"allow_origins": ["http://a.example"], "allow_credentials": True}

    policy = CORSPolicy.from_dict(obj, dangerously_tolerate_insecure_origins=True)

    assert policy.dangerously_tolerate_insecure_origins is True


@pytest.mark.parametrize(
    "option",
    [
        pytest.param("allow_origins", id="allow_origins"),
        pytest.param("allow_methods", id="allow_methods"),
        pytest.param("allow_headers", id="allow_headers"),
        pytest.param("expose_headers", id="expose_headers"),
        pytest.param("max_age", id="max_age"),
        pytest.param("allow_credentials", id="allow_credentials"),
        pytest.param("debug", id="debug"),
        pytest.param("allow_private_network", id="allow_private_network"),
        pytest.param("options_passthrough", id="options_passthrough"),
        pytest.param("options_success_status", id="options_success_status"),
        pytest.param("auto_options", id="auto_options"),
    ],
)
def test_from_dict_json_null_refused(option: str) -> None:
    [problem] = _problems({option: None})

    assert problem.option == option
    assert problem.value is None


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("allow_origins", "https://a.example", id="allow_origins"),
        pytest.param("allow_methods", "GET", id="allow_methods"),
        pytest.param("allow_headers", "X-Custom", id="allow_headers"),
        pytest.param("expose_headers", "X-Total", id="expose_headers"),
        pytest.param("allow_methods", "GET,POST", id="comma-string"),
    ],
)
def test_from_dict_string_instead_of_list_refused(option: str, value: str) -> None:
    [problem] = _problems({option: value})

    assert problem.option == option
    assert problem.value == value
    assert f'["{value}"]' in problem.hint or f"[{value!r}]" in problem.hint


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("allow_credentials", "true", id="credentials-string"),
        pytest.param("allow_credentials", 1, id="credentials-int"),
        pytest.param("debug", "false", id="debug-string"),
        pytest.param("allow_private_network", "yes", id="pna-string"),
        pytest.param("options_passthrough", 0, id="passthrough-int"),
        pytest.param("auto_options", "true", id="auto-options-string"),
        pytest.param("options_success_status", "204", id="status-string"),
        pytest.param("options_success_status", 204.0, id="status-float"),
        pytest.param("options_success_status", True, id="status-bool"),
        pytest.param("max_age", True, id="max-age-bool"),
        pytest.param("max_age", ["12h"], id="max-age-list"),
        pytest.param("allow_origins", {"https://a.example": True}, id="origins-object"),
        pytest.param("allow_methods", 7, id="methods-number"),
    ],
)
def test_from_dict_wrong_type_refused(option: str, value: object) -> None:
    [problem] = _problems({option: value})

    assert problem.option == option
    assert problem.value == value


@pytest.mark.parametrize(
    ("option", "item"),
    [
        pytest.param("allow_origins", 1, id="origin-number"),
        pytest.param("allow_methods", None, id="method-null"),
        pytest.param("allow_headers", ["X-A"], id="header-list"),
        pytest.param("expose_headers", True, id="expose-bool"),
    ],
)
def test_from_dict_list_item_of_wrong_type_refused(option: str, item: object) -> None:
    problems = _problems({option: [item]})

    assert [problem.option for problem in problems] == [option]


def test_from_dict_not_an_object_refused() -> None:
    with pytest.raises(PolicyError):
        CORSPolicy.from_dict(["allow_origins"])  # type: ignore[arg-type]


def test_from_dict_reports_every_problem_together() -> None:
    problems = _problems(
        {"allow_origin": ["*"], "allow_methods": None, "max_age": "soon", "debug": "no"}
    )

    assert sorted(problem.option for problem in problems) == [
        "allow_methods",
        "allow_origin",
        "debug",
        "max_age",
    ]


@pytest.mark.parametrize(
    ("max_age", "expected"),
    [
        pytest.param(3600, 3600, id="int"),
        pytest.param(90.0, 90, id="float"),
        pytest.param(1.9, 1, id="fraction-truncated"),
        pytest.param("90s", 90, id="string"),
        pytest.param(-1, -1, id="negative"),
    ],
)
def test_from_dict_max_age_number_of_seconds(max_age: object, expected: int) -> None:
    assert CORSPolicy.from_dict({"max_age": max_age}) == CORSPolicy(max_age=expected)


def test_from_dict_auto_options_key_read() -> None:
    assert CORSPolicy.from_dict({"auto_options": True}).auto_options is True


def test_from_dict_does_not_modify_its_argument() -> None:
    obj = seed_cors() | {"@comment": "x"}
    before = json.dumps(obj, sort_keys=True)

    with pytest.warns(PolicyWarning):
        CORSPolicy.from_dict(obj)

    assert json.dumps(obj, sort_keys=True) == before


# --- from_krakend -------------------------------------------------------------------------


def test_from_krakend_router_auto_options_read(tmp_path: Path) -> None:
    config = {
        "version": 3,
        "extra_config": {
            "router": {"auto_options": True},
            "security/cors": {"allow_origins": ["https://a.example"]},
        },
    }

    policy = CORSPolicy.from_krakend(write_config(tmp_path, config))

    assert policy == CORSPolicy(allow_origins=["https://a.example"], auto_options=True)


def test_from_krakend_router_without_auto_options_leaves_default() -> None:
    config = {"extra_config": {"router": {"return_error_msg": True}, "security/cors": {}}}

    assert CORSPolicy.from_krakend(config).auto_options is False


def test_from_krakend_cors_comment_keys_ignored(tmp_path: Path) -> None:
    config = {
        "version": 3,
        "extra_config": {
            "security/cors": {"@comment": "...CORS configuration inside this block..."}
        },
    }

    assert CORSPolicy.from_krakend(write_config(tmp_path, config)) == CORSPolicy()


def test_from_krakend_rest_of_file_ignored(tmp_path: Path) -> None:
    config = seed() | {
        "endpoints": [{"@comment": "x", "endpoint": "/cors/no-op", "backend": []}],
        "port": 8080,
    }
    config["extra_config"]["security/cors"]["allow_headers"] = ["X-Custom"]

    policy = CORSPolicy.from_krakend(write_config(tmp_path, config))

    assert policy.allow_headers == CORSPolicy(allow_headers=["X-Custom"]).allow_headers


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"version": 3}, id="no-extra-config"),
        pytest.param({"version": 3, "extra_config": {}}, id="empty-extra-config"),
        pytest.param(
            {"version": 3, "extra_config": {"router": {"auto_options": True}}}, id="router-only"
        ),
    ],
)
def test_from_krakend_without_security_cors_refused(tmp_path: Path, config: object) -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(write_config(tmp_path, config))

    assert "security/cors" in str(excinfo.value)


def test_from_krakend_mapping_without_security_cors_refused() -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend({"version": 3, "extra_config": {}})

    assert "security/cors" in str(excinfo.value)


def test_from_krakend_problems_in_file_reported(tmp_path: Path) -> None:
    config = {"extra_config": {"security/cors": {"allow_origins": ["https://a.example/"]}}}

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(write_config(tmp_path, config))

    assert [problem.option for problem in excinfo.value.problems] == ["allow_origins"]
    assert "trailing '/'" in excinfo.value.problems[0].hint


def test_from_krakend_error_names_the_file(tmp_path: Path) -> None:
    config = {"extra_config": {"security/cors": {"allow_origins": []}}}
    path = write_config(tmp_path, config)

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(path)

    assert str(path) in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            '{\n  "allow_origins": ["https://a.example"]\n  "allow_credentials": true\n}\n',
            "invalid JSON at line 2, column 41: a ',' is missing after this value; add a ',' at "
            "the end of line 2",
            id="missing-comma-at-end-of-line",
        ),
        pytest.param(
            '{"allow_methods": ["GET" "PUT"]}',
            "invalid JSON at line 1, column 25: a ',' is missing after this value; add a ',' "
            "after the value that ends at line 1",
            id="missing-comma-inside-a-line",
        ),
        pytest.param(
            '{\n  "allow_origins": ["*"],\n}\n',
            "invalid JSON at line 2, column 25: a ',' before '}' (JSON allows no trailing "
            "comma); remove the ',' at the end of line 2",
            id="trailing-comma-in-object",
        ),
        pytest.param(
            '{"allow_methods": ["GET", "PUT",]}',
            "invalid JSON at line 1, column 32: a ',' before ']' (JSON allows no trailing "
            "comma); remove that ','",
            id="trailing-comma-in-list",
        ),
        pytest.param(
            '{"extra_config": {"security/cors": {}}',
            "invalid JSON at line 1, column 38: the file ends before every object and array is "
            "closed; close each '{' with '}' and each '[' with ']'",
            id="truncated",
        ),
        pytest.param(
            "{'extra_config': {}}",
            'invalid JSON at line 1, column 2: JSON strings use double quotes; write "name", '
            "not 'name'",
            id="single-quotes",
        ),
        pytest.param(
            '{"allow_credentials": True}',
            "invalid JSON at line 1, column 23: True is Python, not JSON; write true",
            id="python-true",
        ),
        pytest.param(
            '{"max_age": None}',
            "invalid JSON at line 1, column 13: None is Python, not JSON; write null",
            id="python-none",
        ),
        pytest.param(
            '{allow_origins: ["*"]}',
            "invalid JSON at line 1, column 2: expected a name in double quotes; write each "
            'entry as "name": value',
            id="unquoted-name",
        ),
        pytest.param(
            '{"allow_origins" ["*"]}',
            "invalid JSON at line 1, column 18: a ':' is missing after the name; write each "
            'entry as "name": value',
            id="missing-colon",
        ),
        pytest.param(
            '{"allow_origins": ["*"]}\n{"debug": true}\n',
            "invalid JSON at line 2, column 1: more text after the JSON object has ended; a "
            "configuration file holds one JSON object: remove what follows its closing '}'",
            id="two-objects",
        ),
        pytest.param(
            '{"allow_origins": ["https://a.example]}\n',
            "invalid JSON at line 1, column 20: a string is not closed; end it with '\"' on the "
            "same line",
            id="unclosed-string",
        ),
        pytest.param(
            '{"allow_headers": ["X-A\tB"]}',
            "invalid JSON at line 1, column 24: a string holds a control character; write it as "
            "\\t, \\n or \\u00XX",
            id="tab-in-string",
        ),
        pytest.param(
            "",
            'the file is empty; write a JSON object, e.g. {"allow_origins": ["*"]}',
            id="empty-file",
        ),
    ],
)
def test_from_krakend_invalid_json_points_at_the_mistake(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write_text(tmp_path, text)

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(path)

    assert (str(excinfo.value), excinfo.value.unreadable) == (
        f"cannot read CORS configuration {path}: {message}",
        True,
    )


@pytest.mark.parametrize(
    "config",
    [
        pytest.param([1, 2], id="list"),
        pytest.param({"extra_config": []}, id="extra-config-list"),
        pytest.param({"extra_config": {"security/cors": ["*"]}}, id="cors-list"),
        pytest.param({"extra_config": {"security/cors": None}}, id="cors-null"),
        pytest.param(
            {"extra_config": {"security/cors": {}, "router": {"auto_options": "yes"}}},
            id="auto-options-string",
        ),
    ],
)
def test_from_krakend_wrong_structure_refused(tmp_path: Path, config: object) -> None:
    with pytest.raises(PolicyError):
        CORSPolicy.from_krakend(write_config(tmp_path, config))


def test_from_krakend_missing_file_says_it_cannot_read_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "krakend.json"

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(path)

    assert str(excinfo.value) == (
        f"cannot read CORS configuration {path}: there is no such file; check the path"
    )


def test_from_krakend_missing_relative_file_names_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend("krakend.json")

    assert str(excinfo.value) == (
        "cannot read CORS configuration krakend.json: there is no such file; check the path: "
        f"a relative path is read from the working directory, {Path.cwd()}"
    )


def test_from_krakend_directory_says_it_is_one(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(tmp_path)

    assert str(excinfo.value) == (
        f"cannot read CORS configuration {tmp_path}: it is a directory; name the JSON file in it"
    )


# --- fixes in the syntax the option was written in ------------------------------------------


@pytest.mark.parametrize(
    ("options", "line"),
    [
        pytest.param(
            {"allow_credentials": "true"},
            "- allow_credentials: 'true': this option is true or false; write "
            '"allow_credentials": true or false',
            id="bool",
        ),
        pytest.param(
            {"allow_methods": "GET"},
            "- allow_methods: 'GET': this option is a list of strings, not a single string; "
            'write ["GET"]',
            id="string-for-list",
        ),
        pytest.param(
            {"allow_methods": ["GET PUT"]},
            "- allow_methods: 'GET PUT': a method is an HTTP token (letters, digits, and "
            '!#$%&\'*+-.^_`|~); write the method name alone, e.g. "GET"',
            id="method",
        ),
        pytest.param(
            {"max_age": [12]},
            "- max_age: [12]: max_age is a duration string, a number of seconds or a timedelta; "
            'write e.g. "12h" or 43200',
            id="max-age",
        ),
    ],
)
def test_from_dict_hint_is_written_in_json(options: dict[str, Any], line: str) -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_dict(options)

    assert str(excinfo.value).splitlines()[1:] == [line]


def test_from_dict_keyword_override_hint_is_written_in_python() -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_dict({"debug": "yes"}, allow_credentials="true")

    assert str(excinfo.value).splitlines()[1:] == [
        "- allow_credentials: 'true': this option is true or false; write "
        "allow_credentials=True or False",
        "- debug: 'yes': this option is true or false; write \"debug\": true or false",
    ]


def test_from_krakend_router_auto_options_hint_is_written_in_json() -> None:
    config = {"extra_config": {"security/cors": {}, "router": {"auto_options": "yes"}}}

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(config)

    assert str(excinfo.value).splitlines()[1:] == [
        "- auto_options: 'yes': this option is true or false; write \"auto_options\": true or "
        "false"
    ]


def test_config_file_hint_is_written_in_json(tmp_path: Path) -> None:
    path = write_text(tmp_path, '{"allow_credentials": "true"}')

    with pytest.raises(PolicyError) as excinfo:
        load_policy(path)

    assert str(excinfo.value) == (
        f"invalid CORS policy in {path} (1 problem):\n"
        "- allow_credentials: 'true': this option is true or false; write "
        '"allow_credentials": true or false'
    )


# --- warnings name the file they come from ----------------------------------------------------


@pytest.mark.parametrize(
    ("load", "text", "line"),
    [
        pytest.param(
            load_policy,
            '{\n  "allow_origins": ["*"],\n  "allow_headers": ["Origin"]\n}\n',
            3,
            id="bare object through load_policy",
        ),
        pytest.param(
            CORSPolicy.from_krakend,
            '{\n  "extra_config": {\n    "security/cors": {\n      "max_age": "48h",\n'
            '      "allow_headers": []\n    }\n  }\n}\n',
            4,
            id="krakend file through from_krakend",
        ),
    ],
)
def test_warning_from_a_file_names_the_file_and_the_option_line(
    tmp_path: Path, load: Callable[[Path], CORSPolicy], text: str, line: int
) -> None:
    path = write_text(tmp_path, text)

    with pytest.warns(PolicyWarning) as caught:
        load(path)

    assert {(warning.filename, warning.lineno) for warning in caught} == {(str(path), line)} | (
        {(str(path), 5)} if "[]" in text else set()
    )


def test_warning_from_python_names_the_calling_line() -> None:
    with pytest.warns(PolicyWarning) as caught:
        CORSPolicy(allow_headers=["Origin"])

    assert [(warning.filename, warning.lineno) for warning in caught] == [
        (__file__, test_warning_from_python_names_the_calling_line.__code__.co_firstlineno + 2)
    ]


def test_from_dict_misspelt_keyword_override_refused() -> None:
    [problem] = _problems({}, allow_origin=["https://a.example"])

    assert problem.option == "allow_origin"
    assert "allow_origins" in problem.hint


def test_from_krakend_file_not_utf8_refused(tmp_path: Path) -> None:
    path = tmp_path / "krakend.json"
    path.write_bytes('{"extra_config": {"security/cors": {"@c": "caf\u00e9"}}}'.encode("latin-1"))

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(path)

    assert str(path) in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            "[" * 100_000 + "]" * 100_000,
            "the JSON nests arrays or objects too deeply to read; a CORS configuration nests "
            "a few levels at most: check the file",
            id="nested-100000-deep",
        ),
        pytest.param(
            '{"max_age": ' + "9" * 5000 + "}",
            "the JSON holds a number too long to read; no CORS option needs more than a few "
            "digits: check the file",
            id="5000-digit-number",
        ),
    ],
)
def test_hostile_json_file_is_a_policy_error(tmp_path: Path, text: str, line: str) -> None:
    path = str(write_text(tmp_path, text))

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(path)

    assert str(excinfo.value) == f"cannot read CORS configuration {path}: {line}"


def test_tolerate_public_suffixes_is_python_only() -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_dict({"dangerously_tolerate_subdomains_of_public_suffixes": True})

    assert str(excinfo.value).splitlines()[1] == (
        "- dangerously_tolerate_subdomains_of_public_suffixes: True: this option has no "
        "KrakenD key: it only exists in Python; remove it from the JSON and pass it as a "
        "keyword: CORSPolicy.from_dict(obj, dangerously_tolerate_subdomains_of_public_"
        "suffixes=...)"
    )


def test_empty_allow_headers_from_json_warns_that_krakend_reads_it_as_all() -> None:
    with pytest.warns(PolicyWarning) as caught:
        policy = CORSPolicy.from_dict({"allow_headers": []})

    assert policy.allow_headers == ()
    assert [str(warning.message) for warning in caught] == [
        "allow_headers: [] allows only the four always-allowed headers (Accept, "
        "Accept-Language, Content-Language, Content-Type), but KrakenD reads an empty list "
        'as every header: write ["*"] for that'
    ]


def test_python_dict_hint_is_a_python_dict_entry() -> None:
    with pytest.raises(PolicyError) as excinfo, python_dict_hints():
        CORSPolicy.from_dict({"allow_credentials": "true", "allow_methods": "GET"})

    assert str(excinfo.value).splitlines()[1:] == [
        "- allow_credentials: 'true': this option is true or false; write "
        '"allow_credentials": True or False',
        "- allow_methods: 'GET': this option is a list of strings, not a single string; "
        "write ['GET']",
    ]
