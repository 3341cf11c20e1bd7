"""allow_origin_func: a callable decides each origin, and only ever sees a well-formed one."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import A, B, Preflight, Serve

from wsgicors import CORSPolicy, PolicyError
from wsgicors.headers import ACAC, ACAO, ORIGIN, VARY


def test_origin_func_receives_origin_and_environ(serve: Serve) -> None:
    calls: list[tuple[str, str]] = []

    def decide(origin: str, environ: Any) -> bool:
        calls.append((origin, environ["PATH_INFO"]))
        return True

    serve(allow_origin_func=decide).get("/some/path", headers={ORIGIN: A})

    assert calls == [(A, "/some/path")]


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [pytest.param(True, [A], id="allowed"), pytest.param(False, [], id="refused")],
)
def test_origin_func_decides_actual_request(
    serve: Serve, verdict: bool, expected: list[str]
) -> None:
    response = serve(allow_origin_func=lambda origin, environ: verdict).get(
        "/", headers={ORIGIN: A}
    )

    assert response.headers.getall(ACAO) == expected
    assert response.headers.getall(VARY) == ["Origin"]


@pytest.mark.parametrize(
    ("verdict", "status"),
    [pytest.param(True, 204, id="allowed"), pytest.param(False, 403, id="refused")],
)
def test_origin_func_decides_preflight(
    serve: Serve, preflight: Preflight, verdict: bool, status: int
) -> None:
    response = preflight(serve(allow_origin_func=lambda origin, environ: verdict), "POST")

    assert response.status_int == status


def test_origin_func_consulted_on_every_preflight(serve: Serve, preflight: Preflight) -> None:
    verdicts = iter([True, False])
    client = serve(allow_origin_func=lambda origin, environ: next(verdicts))

    statuses = [preflight(client, "POST", origin=A).status_int for _ in range(2)]

    assert statuses == [204, 403]


def test_origin_func_with_credentials_echoes_origin(serve: Serve) -> None:
    client = serve(allow_origin_func=lambda origin, environ: True, allow_credentials=True)

    response = client.get("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAC) == ["true"]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("HTTPS://A.EXAMPLE", id="upper-case"),
        pytest.param(f"{A}, {B}", id="comma-joined"),
        pytest.param(f"{A}/", id="trailing-slash"),
    ],
)
def test_origin_func_never_sees_malformed_origin_allowed(serve: Serve, origin: str) -> None:
    response = serve(allow_origin_func=lambda o, environ: True).get("/", headers={ORIGIN: origin})

    assert response.headers.getall(ACAO) == []


def test_origin_func_not_consulted_without_origin(serve: Serve) -> None:
    calls: list[str] = []

    def decide(origin: str, environ: Any) -> bool:
        calls.append(origin)
        return True

    response = serve(allow_origin_func=decide).get("/")

    assert calls == []
    assert response.headers.getall(ACAO) == []


@pytest.mark.parametrize(
    ("origin", "acao", "asked"),
    [
        pytest.param(A, [A], [], id="listed-origin-never-asks-the-function"),
        pytest.param(B, [B], [B], id="unlisted-origin-asks-the-function"),
        pytest.param("https://c.example", [], ["https://c.example"], id="function-says-no"),
    ],
)
def test_origin_func_beside_allow_origins_asked_only_for_what_the_list_misses(
    serve: Serve, origin: str, acao: list[str], asked: list[str]
) -> None:
    seen: list[str] = []

    def decide(candidate: str, environ: object) -> bool:
        seen.append(candidate)
        return candidate == B

    response = serve(allow_origins=[A], allow_origin_func=decide).get(
        "/", headers={ORIGIN: origin}
    )

    assert response.headers.getall(ACAO) == acao
    assert seen == asked


def test_origin_func_that_raises_refuses_and_logs_once_per_type(
    serve: Serve, cors_log: Any
) -> None:
    def broken(origin: str, environ: object) -> bool:
        raise LookupError("tenant database down")

    client = serve(allow_origins=[A], allow_origin_func=broken)

    answers = [client.get("/", headers={ORIGIN: B}).headers.getall(ACAO) for _ in range(3)]

    assert answers == [[], [], []]
    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == [A]
    assert [m for m in cors_log.messages if "allow_origin_func raised" in m] == [
        f"[CORS] allow_origin_func raised LookupError for origin {B!r}: refused; later "
        "LookupError exceptions from it are not logged"
    ]


def test_star_beside_origin_func_refused() -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy(allow_origins=["*", A], allow_origin_func=lambda origin, environ: True)

    assert str(excinfo.value).splitlines()[1] == (
        f"- allow_origins: ['*', {A!r}]: '*' allows every origin, so allow_origin_func would "
        "never be asked; remove '*' to let the function decide the origins the list does not "
        "match"
    )
