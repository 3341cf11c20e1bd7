"""CORSMiddleware.policy: read the policy in force, assign a new one at run time."""

from __future__ import annotations

from typing import Any

import pytest
import webtest
from helpers import A, B, Preflight

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACAO, ORIGIN


def test_policy_attribute_returns_given_policy(make_app: Any) -> None:
    policy = CORSPolicy(allow_origins=[A])

    assert CORSMiddleware(make_app(), policy).policy is policy


def test_policy_assignment_takes_effect(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)

    middleware.policy = CORSPolicy(allow_origins=[B])

    assert client.get("/", headers={ORIGIN: B}).headers.getall(ACAO) == [B]
    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == []


def test_policy_assignment_returns_new_policy(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    new = CORSPolicy(allow_origins=[B])

    middleware.policy = new

    assert middleware.policy is new


def test_policy_assignment_of_mapping_takes_effect(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)

    middleware.policy = {"/api": CORSPolicy(allow_origins=[B])}

    assert client.get("/api", headers={ORIGIN: B}).headers.getall(ACAO) == [B]
    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == []


def test_policy_assignment_invalid_keeps_old_policy(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)

    with pytest.raises((TypeError, ValueError)):
        middleware.policy = {"/api": "not a policy"}  # type: ignore[dict-item]

    assert client.get("/api", headers={ORIGIN: A}).headers.getall(ACAO) == [A]


def test_policy_swap_forgets_kept_preflight_answers(app: Any, preflight: Preflight) -> None:
    middleware = CORSMiddleware(app, CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)
    assert preflight(client, "POST", origin=A).status_int == 204

    middleware.policy = CORSPolicy(allow_origins=[B])

    assert preflight(client, "POST", origin=A).status_int == 403
