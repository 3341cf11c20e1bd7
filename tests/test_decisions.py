"""``on_decision``, the ready-made consumers, and the shadow candidate policy."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from wsgicors import CORSMiddleware, CORSPolicy, Decision, DecisionCounter, log_decisions

APP = "https://app.example.com"
EVIL = "https://evil.example"


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def environ_for(method: str, path: str = "/", **headers: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper()] = value
    return environ


def preflight(
    origin: str, method: str = "PUT", headers: str | None = None, path: str = "/"
) -> dict[str, Any]:
    extra = {"origin": origin, "access_control_request_method": method}
    if headers is not None:
        extra["access_control_request_headers"] = headers
    return environ_for("OPTIONS", path, **extra)


def run(middleware: CORSMiddleware, environ: dict[str, Any]) -> str:
    statuses: list[str] = []
    body = middleware(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    return statuses[0]


POLICY = CORSPolicy(
    allow_origins=[APP], allow_methods=["GET", "PUT"], allow_headers=["X-A"], auto_options=True
)


@pytest.mark.parametrize(
    ("environ", "decision"),
    [
        pytest.param(
            preflight(APP, "PUT", "x-a"),
            Decision("preflight", True, APP, "PUT", "x-a"),
            id="preflight-allowed",
        ),
        pytest.param(
            preflight(EVIL),
            Decision(
                "preflight",
                False,
                EVIL,
                "PUT",
                None,
                "origin",
                f"origin {EVIL!r} is not in allow_origins",
            ),
            id="preflight-origin",
        ),
        pytest.param(
            preflight("HTTPS://APP.EXAMPLE.COM"),
            Decision(
                "preflight",
                False,
                "HTTPS://APP.EXAMPLE.COM",
                "PUT",
                None,
                "origin-syntax",
                "Origin 'HTTPS://APP.EXAMPLE.COM' is not a single serialised origin",
            ),
            id="preflight-origin-syntax",
        ),
        pytest.param(
            preflight(APP, "DELETE"),
            Decision(
                "preflight",
                False,
                APP,
                "DELETE",
                None,
                "method",
                "method 'DELETE' is not in allow_methods",
            ),
            id="preflight-method",
        ),
        pytest.param(
            preflight(APP, "PUT", "x-a,x-b"),
            Decision(
                "preflight",
                False,
                APP,
                "PUT",
                "x-a,x-b",
                "headers",
                "header 'x-b' is not in allow_headers",
            ),
            id="preflight-headers",
        ),
        pytest.param(
            preflight(APP, "PUT", "x-a," * 64),
            Decision(
                "preflight",
                False,
                APP,
                "PUT",
                "x-a," * 64,
                "header-limits",
                "Access-Control-Request-Headers is too large (256 bytes, 65 elements; at most "
                "4096 bytes and 64 elements)",
            ),
            id="preflight-header-limits",
        ),
        pytest.param(
            environ_for("GET", origin=APP),
            Decision("actual", True, APP, "GET"),
            id="actual-allowed",
        ),
        pytest.param(
            environ_for("GET", origin=EVIL),
            Decision(
                "actual",
                False,
                EVIL,
                "GET",
                None,
                "origin",
                f"origin {EVIL!r} is not in allow_origins",
            ),
            id="actual-origin",
        ),
        pytest.param(
            environ_for("POST", origin=APP),
            Decision(
                "actual",
                False,
                APP,
                "POST",
                None,
                "method",
                "method 'POST' is not in allow_methods",
            ),
            id="actual-method",
        ),
        pytest.param(
            environ_for("GET", origin="null"),
            Decision(
                "actual",
                False,
                "null",
                "GET",
                None,
                "origin",
                "origin 'null' is not in allow_origins",
            ),
            id="actual-null",
        ),
        pytest.param(
            environ_for("OPTIONS", origin=APP),
            Decision("options", True, APP, "OPTIONS"),
            id="options-allowed",
        ),
        pytest.param(
            environ_for("OPTIONS", origin=EVIL),
            Decision(
                "options",
                False,
                EVIL,
                "OPTIONS",
                None,
                "origin",
                f"origin {EVIL!r} is not in allow_origins",
            ),
            id="options-origin",
        ),
    ],
)
def test_every_decision_reported_with_its_check(
    environ: dict[str, Any], decision: Decision
) -> None:
    seen: list[Decision] = []

    run(CORSMiddleware(app, POLICY, on_decision=seen.append), environ)

    assert seen == [decision]


def test_request_without_origin_is_not_a_cors_decision() -> None:
    seen: list[Decision] = []

    run(CORSMiddleware(app, POLICY, on_decision=seen.append), environ_for("GET"))

    assert seen == []


def test_decision_names_the_scope_that_chose_the_policy() -> None:
    seen: list[Decision] = []
    middleware = CORSMiddleware(app, {"/api": POLICY, "/": CORSPolicy()}, on_decision=seen.append)

    run(middleware, environ_for("GET", "/api/x", origin=APP))
    run(middleware, environ_for("GET", "/other", origin=APP))

    assert [decision.scope for decision in seen] == ["/api", "/"]


def test_path_without_policy_makes_no_decision() -> None:
    seen: list[Decision] = []
    middleware = CORSMiddleware(app, {"/api": POLICY}, on_decision=seen.append)

    run(middleware, environ_for("GET", "/other", origin=APP))

    assert seen == []


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record)

    handler = Keep(logging.DEBUG)
    logger = logging.getLogger("wsgicors")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield kept
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_callback_exception_logged_once_per_type_and_never_reaches_the_request(
    records: list[logging.LogRecord],
) -> None:
    def broken(decision: Decision) -> None:
        raise RuntimeError("metrics backend down")

    middleware = CORSMiddleware(app, POLICY, on_decision=broken)

    statuses = [run(middleware, environ_for("GET", origin=APP)) for _ in range(3)]

    assert statuses == ["200 OK"] * 3
    logged = [r.getMessage() for r in records if r.name == "wsgicors"]
    assert logged == [
        "[CORS] on_decision raised RuntimeError; the request goes on, and later RuntimeError "
        "exceptions from it are not logged"
    ]


def test_callback_that_is_not_callable_refused() -> None:
    with pytest.raises(TypeError, match=r"^on_decision=42 is not callable: pass a function"):
        CORSMiddleware(app, POLICY, on_decision=42)  # type: ignore[arg-type]


# --- consumers ---------------------------------------------------------------------------------


def test_log_decisions_writes_one_structured_line_per_refusal(
    records: list[logging.LogRecord],
) -> None:
    middleware = CORSMiddleware(app, POLICY, on_decision=log_decisions())

    run(middleware, environ_for("GET", origin=APP))
    run(middleware, environ_for("GET", origin="https://x\r\n.example"))

    [record] = [r for r in records if r.name == "wsgicors.decisions"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        "[CORS] actual 'GET' from 'https://x\\r\\n.example': refused: Origin "
        "'https://x\\r\\n.example' is not a single serialised origin"
    )
    assert (record.cors_kind, record.cors_allowed, record.cors_check, record.cors_scope) == (  # type: ignore[attr-defined]
        "actual",
        False,
        "origin-syntax",
        None,
    )


def test_log_decisions_can_log_allowed_requests_too(records: list[logging.LogRecord]) -> None:
    middleware = CORSMiddleware(
        app, POLICY, on_decision=log_decisions(logging.WARNING, only_refusals=False)
    )

    run(middleware, environ_for("GET", origin=APP))

    assert [(r.levelno, r.getMessage()) for r in records if r.name == "wsgicors.decisions"] == [
        (logging.WARNING, f"[CORS] actual 'GET' from {APP!r}: allowed")
    ]


def test_counter_totals_per_kind_verdict_check_and_scope() -> None:
    counter = DecisionCounter()
    middleware = CORSMiddleware(app, POLICY, on_decision=counter)

    for environ in [
        environ_for("GET", origin=APP),
        environ_for("GET", origin=APP),
        environ_for("GET", origin=EVIL),
        preflight(APP, "DELETE"),
    ]:
        run(middleware, environ)

    assert counter.snapshot() == {
        ("actual", True, None, None, False): 2,
        ("actual", False, "origin", None, False): 1,
        ("preflight", False, "method", None, False): 1,
    }


def test_counter_exact_under_threads() -> None:
    counter = DecisionCounter()
    middleware = CORSMiddleware(app, POLICY, on_decision=counter)

    def work() -> None:
        for _ in range(500):
            run(middleware, environ_for("GET", origin=APP))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counter.snapshot() == {("actual", True, None, None, False): 4000}


def test_counter_exports_to_prometheus() -> None:
    prometheus_client = pytest.importorskip("prometheus_client")
    from prometheus_client.core import CounterMetricFamily

    counter = DecisionCounter()
    run(CORSMiddleware(app, POLICY, on_decision=counter), environ_for("GET", origin=EVIL))

    # The recipe of docs/operating.md.
    registry = prometheus_client.CollectorRegistry()

    class CORSCollector:
        def collect(self) -> Iterator[Any]:
            family = CounterMetricFamily(
                "wsgicors_decisions",
                "CORS decisions",
                labels=["kind", "allowed", "check", "scope", "shadow"],
            )
            for (kind, allowed, check, scope, shadow), count in counter.snapshot().items():
                labels = [
                    kind,
                    str(allowed).lower(),
                    check or "",
                    scope or "",
                    str(shadow).lower(),
                ]
                family.add_metric(labels, count)
            yield family

    registry.register(CORSCollector())  # type: ignore[arg-type]

    assert (
        registry.get_sample_value(
            "wsgicors_decisions_total",
            {
                "kind": "actual",
                "allowed": "false",
                "check": "origin",
                "scope": "",
                "shadow": "false",
            },
        )
        == 1.0
    )


# --- shadow --------------------------------------------------------------------------------


@pytest.fixture
def shadow_log() -> Iterator[list[str]]:
    kept: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record.getMessage())

    handler = Keep(logging.DEBUG)
    logger = logging.getLogger("wsgicors.shadow")
    logger.addHandler(handler)
    try:
        yield kept
    finally:
        logger.removeHandler(handler)


def test_stricter_candidate_reports_what_it_would_block(shadow_log: list[str]) -> None:
    seen: list[Decision] = []
    middleware = CORSMiddleware(
        app, CORSPolicy(), on_decision=seen.append, shadow=CORSPolicy(allow_origins=[APP])
    )

    status = run(middleware, environ_for("GET", origin="https://x.example"))

    assert status == "200 OK"
    assert seen == [
        Decision("actual", True, "https://x.example", "GET"),
        Decision(
            "actual",
            False,
            "https://x.example",
            "GET",
            None,
            "origin",
            "origin 'https://x.example' is not in allow_origins",
            None,
            shadow=True,
        ),
    ]
    assert shadow_log == [
        "candidate would block 'GET' from 'https://x.example' (origin 'https://x.example' is "
        "not in allow_origins) on a request; live allows"
    ]


def test_looser_candidate_reports_what_it_would_allow(shadow_log: list[str]) -> None:
    middleware = CORSMiddleware(
        app,
        CORSPolicy(allow_origins=[APP], allow_methods=["GET"]),
        shadow=CORSPolicy(allow_origins=[APP], allow_methods=["GET", "PUT"]),
    )

    status = run(middleware, preflight(APP, "PUT"))

    assert status == "403 Forbidden"
    assert shadow_log == [f"candidate would allow 'PUT' from {APP!r} on a preflight; live blocks"]


def test_candidate_with_the_same_verdict_reports_nothing(shadow_log: list[str]) -> None:
    seen: list[Decision] = []
    middleware = CORSMiddleware(
        app, POLICY, on_decision=seen.append, shadow=CORSPolicy(allow_origins=[APP, EVIL])
    )

    run(middleware, environ_for("GET", origin=APP))

    assert [decision.shadow for decision in seen] == [False]
    assert shadow_log == []


def test_shadow_candidate_mapping_without_a_policy_for_the_path(shadow_log: list[str]) -> None:
    seen: list[Decision] = []
    middleware = CORSMiddleware(
        app, CORSPolicy(), on_decision=seen.append, shadow={"/api": CORSPolicy()}
    )

    run(middleware, environ_for("GET", "/public", origin=APP))

    assert seen[1] == Decision(
        "actual",
        False,
        APP,
        "GET",
        None,
        "scope",
        "the candidate has no policy for this path",
        None,
        shadow=True,
    )
    assert shadow_log == [
        f"candidate would block 'GET' from {APP!r} (the candidate has no policy for this "
        "path) on a request; live allows"
    ]


def test_shadow_warnings_once_per_origin_method_and_check(shadow_log: list[str]) -> None:
    middleware = CORSMiddleware(app, CORSPolicy(), shadow=CORSPolicy(allow_origins=[APP]))

    for _ in range(5):
        run(middleware, environ_for("GET", origin="https://x.example"))
    run(middleware, environ_for("POST", origin="https://x.example"))

    assert len(shadow_log) == 2


def test_shadow_warnings_rate_limited(
    shadow_log: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CORSMiddleware, "SHADOW_WARNINGS_PER_MINUTE", 3)
    middleware = CORSMiddleware(app, CORSPolicy(), shadow=CORSPolicy(allow_origins=[APP]))

    for index in range(50):
        run(middleware, environ_for("GET", origin=f"https://x{index}.example"))

    assert len(shadow_log) == 3


def test_shadow_swappable_while_serving(shadow_log: list[str]) -> None:
    middleware = CORSMiddleware(app, CORSPolicy())
    run(middleware, environ_for("GET", origin="https://x.example"))
    assert shadow_log == []

    middleware.shadow = CORSPolicy(allow_origins=[APP])
    run(middleware, environ_for("GET", origin="https://x.example"))
    middleware.shadow = None
    run(middleware, environ_for("GET", origin="https://y.example"))

    assert len(shadow_log) == 1
    assert middleware.shadow is None


def test_origin_function_asked_once_per_refused_preflight_with_on_decision() -> None:
    asked: list[str] = []

    def decide(origin: str, environ: Any) -> bool:
        asked.append(origin)
        return False

    seen: list[Decision] = []
    middleware = CORSMiddleware(app, CORSPolicy(allow_origin_func=decide), on_decision=seen.append)

    run(middleware, preflight("https://tenant.example"))

    assert asked == ["https://tenant.example"]
    assert [(d.allowed, d.check) for d in seen] == [(False, "origin")]
