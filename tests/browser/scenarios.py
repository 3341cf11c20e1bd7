"""The scenario table: a policy, the page's ``fetch()`` call(s), and what the browsers report.

Policies are written as the JSON object ``CORSPolicy.from_dict`` reads (KrakenD's
``security/cors`` layout). ``{P}`` and ``{Q}`` stand for the two page servers' ports, which are
only known at run time. The page origin is ``http://<page>:<port>``, or ``null`` for the page
``null`` (a sandboxed frame inside the ``127.0.0.1`` page). The API is always
``http://127.0.0.1:<api port>``, so ``127.0.0.1`` pages are same-site with it (cookies flow) and
every ``localhost`` name is cross-site.

``expect`` holds for every fetch of the scenario; ``preflights`` counts the preflights the
server saw over all of them, and ``app_saw`` lists the methods that reached the wrapped Flask
app, in order. They hold in Chromium, Firefox ESR and WebKitGTK alike, except where ``engines``
gives an engine its own values (the browser is the judge). A blocked fetch rejects with the
engine's own ``TypeError`` message (`BLOCKED_ERRORS`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from wsgicors import CORSPolicy, PolicyWarning
from wsgicors.tools.browser import ENGINES

from .harness import BLOCKED_ERRORS, SESSION_COOKIE, Lab, PolicySpec

__all__ = ["ENGINES", "ENGINE_NAMES", "SCENARIOS", "Scenario", "run"]

# How the summary names each engine.
ENGINE_NAMES = {"chromium": "Chromium", "firefox": "Firefox ESR", "webkit": "WebKitGTK"}

PAGE = "http://127.0.0.1:{P}"
TEXT = "text/plain; charset=utf-8"
COOKIE = f"cookie={SESSION_COOKIE}"


class _Any:
    """Matches any header value (``Date``, ``Server``): their presence is the point."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()


@dataclass(frozen=True)
class Fetch:
    method: str = "GET"
    path: str = "/echo"
    headers: Mapping[str, str] = field(default_factory=dict)
    # Fetch's own default: cookies only for same-origin requests, so cross-origin calls
    # without an explicit mode are not credentialed (#concept-request-credentials-mode).
    credentials: str = "same-origin"
    body: str | None = None

    def init(self) -> dict[str, Any]:
        init: dict[str, Any] = {
            "method": self.method,
            "headers": dict(self.headers),
            "credentials": self.credentials,
        }
        if self.body is not None:
            init["body"] = self.body
        return init

    @property
    def credentialed(self) -> bool:
        return self.credentials == "include"


@dataclass(frozen=True)
class Allowed:
    """The page could read the response: its status, body and every header it could read."""

    status: int
    body: str
    headers: Mapping[str, Any]


@dataclass(frozen=True)
class Blocked:
    """``fetch()`` rejected: the CORS check (or the preflight) failed (Fetch #cors-check).

    ``error`` is the rejection as ``name: message``; None in the table stands for the engine's
    own message (`BLOCKED_ERRORS`).
    """

    error: str | None = None


Outcome = Allowed | Blocked


def text(
    body: str,
    status: int = 200,
    *,
    length: int | None = None,
    exposed: Mapping[str, Any] | None = None,
) -> Allowed:
    """An allowed ``text/plain`` answer: readable are the safelisted headers plus ``exposed``."""
    headers: dict[str, Any] = {
        "content-type": TEXT,
        "content-length": str(len(body.encode()) if length is None else length),
    }
    headers.update(exposed or {})
    return Allowed(status, body, headers)


BLOCKED = Blocked()


@dataclass(frozen=True, kw_only=True)
class Scenario:
    id: str
    policy: Mapping[str, Any] | None = None
    paths: Mapping[str, Mapping[str, Any] | None] | None = None
    page: str = "127.0.0.1"
    port: str = "P"
    fetches: tuple[Fetch, ...] = (Fetch(),)
    expect: Outcome
    preflights: int = 0
    app_saw: tuple[str, ...]
    # False where the verdict depends on what the wrapped app answers to a passed-through
    # preflight, which a model of the middleware alone cannot know.
    explainable: bool = True
    # Engine -> {"expect": ..., "preflights": ..., "app_saw": ...} where that engine differs.
    engines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def expect_in(self, engine: str) -> Outcome:
        expect: Outcome = self.engines.get(engine, {}).get("expect", self.expect)
        if isinstance(expect, Blocked) and expect.error is None:
            return Blocked(BLOCKED_ERRORS[engine])
        return expect

    def preflights_in(self, engine: str) -> int:
        preflights: int = self.engines.get(engine, {}).get("preflights", self.preflights)
        return preflights

    def app_saw_in(self, engine: str) -> tuple[str, ...]:
        app_saw: tuple[str, ...] = self.engines.get(engine, {}).get("app_saw", self.app_saw)
        return app_saw

    def page_origin(self, ports: Mapping[str, int]) -> str:
        if self.page == "null":
            return "null"
        return f"http://{self.page}:{ports[self.port]}"

    def policy_spec(self, ports: Mapping[str, int]) -> PolicySpec:
        if self.paths is not None:
            return {
                prefix: None if policy is None else from_json(render(policy, ports))
                for prefix, policy in self.paths.items()
            }
        if self.policy is None:
            return CORSPolicy()
        return from_json(render(self.policy, ports))


def from_json(obj: Mapping[str, Any]) -> CORSPolicy:
    """``CORSPolicy.from_dict(obj)``, where ``allow_headers: []`` means what it says.

    Read from JSON, an empty ``allow_headers`` warns that KrakenD would read it as every
    header; the scenarios that write it test wsgicors' reading (only the four always-allowed
    names), so that one warning is expected here.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"allow_headers: \[\] allows only", PolicyWarning)
        return CORSPolicy.from_dict(obj)


@dataclass(frozen=True)
class Run:
    outcomes: list[Outcome]
    # Whether the first fetch needed a preflight: the browser's half of `explain`'s verdict.
    first_preflighted: bool
    # What the console printed while the scenario ran (None: the engine does not say).
    console: list[str] | None


def outcome_of(result: Mapping[str, Any]) -> Outcome:
    if result["kind"] == "response":
        return Allowed(result["status"], result["body"], result["headers"])
    return Blocked(f"{result['name']}: {result['message']}")


# How long a console message may trail the rejected fetch() it is about.
CONSOLE_WAIT = 2.0


def read_console(lab: Lab, expect_some: bool) -> list[str] | None:
    """The console's messages; with ``expect_some``, wait (a little) for the first one and for
    the messages logged with it."""
    messages = lab.browser.console()
    if messages is None or not expect_some:
        return messages
    deadline = time.monotonic() + CONSOLE_WAIT
    while not messages and time.monotonic() < deadline:
        time.sleep(0.05)
        messages += lab.browser.console() or []
    time.sleep(0.05)
    return messages + (lab.browser.console() or [])


# Engines whose preflight cache needs a warm-up before it can be counted on: Firefox 153
# re-sends the preflight for the first one or two would-be cache hits in each new content
# process, however long max-age is; then it caches as the standard says.
WARM_UP_ENGINES = frozenset({"firefox"})
WARM_UP_LIMIT = 8


def warm_up(lab: Lab, scenario: Scenario) -> None:
    """Repeat a cacheable preflighted fetch from the scenario's page until one is served from
    the preflight cache; fail when none ever is."""
    origin = scenario.page_origin(lab.ports)
    lab.api.install(CORSPolicy(allow_origins=[origin], allow_methods=["PUT"], max_age=600))
    query = f"warm-up={lab.new_run()}"
    for attempt in range(WARM_UP_LIMIT):
        lab.api.clear()
        outcome = outcome_of(lab.fetch("/echo", query, PUT.init()))
        assert isinstance(outcome, Allowed), outcome
        if attempt and not lab.api.preflights:
            return
    raise AssertionError(f"{lab.engine} never used its preflight cache in {WARM_UP_LIMIT} tries")


def run(lab: Lab, scenario: Scenario) -> Run:
    """Install the scenario's policy on the running API, then play its fetches in the lab's
    engine."""
    lab.open_page(scenario.page, scenario.port)
    if len(scenario.fetches) > 1 and lab.engine in WARM_UP_ENGINES:
        warm_up(lab, scenario)
    lab.api.install(scenario.policy_spec(lab.ports))
    lab.api.clear()
    # What an earlier test printed is not this scenario's.
    read_console(lab, expect_some=False)
    query = lab.new_run()
    outcomes = []
    first_preflighted = False
    for number, fetch in enumerate(scenario.fetches):
        outcomes.append(outcome_of(lab.fetch(fetch.path, query, fetch.init())))
        if number == 0:
            first_preflighted = bool(lab.api.preflights)
    blocked = any(isinstance(outcome, Blocked) for outcome in outcomes)
    return Run(outcomes, first_preflighted, read_console(lab, expect_some=blocked))


def render(value: Any, ports: Mapping[str, int]) -> Any:
    """Replace ``{P}``/``{Q}`` with the real ports, anywhere in a policy object."""
    if isinstance(value, str):
        for name, port in ports.items():
            value = value.replace("{" + name + "}", str(port))
        return value
    if isinstance(value, Mapping):
        return {key: render(item, ports) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [render(item, ports) for item in value]
    return value


def scenario(id: str, **fields: Any) -> Any:
    return pytest.param(Scenario(id=id, **fields), id=id)


PUT = Fetch("PUT")
CUSTOM = {"X-Custom": "42"}
AUTH = {"Authorization": "Bearer t0ken"}
PATHS: Mapping[str, Mapping[str, Any] | None] = {
    "/api": {"allow_origins": [PAGE], "allow_methods": ["GET", "PUT"]},
    "/public": {},
    "/admin": None,
}

SCENARIOS = [
    # --- origins -------------------------------------------------------------------------------
    scenario(
        "exact-origin-simple-get-allowed",
        policy={"allow_origins": [PAGE]},
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "exact-origin-other-host-denied",
        policy={"allow_origins": ["http://localhost:{P}"]},
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "exact-origin-scheme-mismatch-denied",
        policy={"allow_origins": ["https://127.0.0.1:{P}"]},
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "exact-origin-port-mismatch-denied",
        policy={"allow_origins": ["http://127.0.0.1:{Q}"]},
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "exact-origin-second-of-several-allowed",
        policy={"allow_origins": ["http://localhost:{P}", "http://app.localhost:{P}"]},
        page="app.localhost",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "denied-origin-preflight-never-reaches-app",
        policy={"allow_origins": ["http://localhost:{P}"], "allow_methods": ["PUT"]},
        fetches=(PUT,),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "port-wildcard-other-port-allowed",
        policy={"allow_origins": ["http://127.0.0.1:*"]},
        port="Q",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "port-wildcard-other-host-denied",
        policy={"allow_origins": ["http://127.0.0.1:*"]},
        page="localhost",
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "subdomain-wildcard-one-label-allowed",
        policy={"allow_origins": ["http://*.localhost:{P}"]},
        page="app.localhost",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "subdomain-wildcard-two-labels-allowed",
        policy={"allow_origins": ["http://*.localhost:{P}"]},
        page="a.b.localhost",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "subdomain-wildcard-apex-denied",
        policy={"allow_origins": ["http://*.localhost:{P}"]},
        page="localhost",
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "subdomain-wildcard-look-alike-denied",
        policy={"allow_origins": ["http://*.app.localhost:{P}"]},
        page="evilapp.localhost",
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "subdomain-wildcard-wrong-port-denied",
        policy={"allow_origins": ["http://*.localhost:{P}"]},
        page="app.localhost",
        port="Q",
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "subdomain-and-port-wildcard-allowed",
        policy={"allow_origins": ["http://*.localhost:*"]},
        page="app.localhost",
        port="Q",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "subdomain-wildcard-preflighted-put-allowed",
        policy={"allow_origins": ["http://*.localhost:{P}"], "allow_methods": ["PUT"]},
        page="api.localhost",
        fetches=(PUT,),
        expect=text("PUT /echo"),
        preflights=1,
        app_saw=("PUT",),
    ),
    scenario(
        "null-origin-listed-allowed",
        policy={"allow_origins": ["null"]},
        page="null",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "null-origin-listed-preflighted-put-allowed",
        policy={"allow_origins": ["null"], "allow_methods": ["PUT"]},
        page="null",
        fetches=(PUT,),
        expect=text("PUT /echo"),
        preflights=1,
        app_saw=("PUT",),
    ),
    scenario(
        "null-origin-not-listed-denied",
        policy={"allow_origins": [PAGE]},
        page="null",
        fetches=(PUT,),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "null-origin-allow-all-gets-star",
        page="null",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    # --- allow all ---------------------------------------------------------------------------
    scenario(
        "allow-all-default-policy-simple-get-allowed",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "allow-all-any-host-allowed",
        policy={"allow_origins": ["*"]},
        page="a.b.localhost",
        port="Q",
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "allow-all-put-not-in-default-methods-denied",
        fetches=(PUT,),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "allow-all-credentialed-fetch-rejected-by-browser",
        fetches=(Fetch(credentials="include"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    # --- credentials -------------------------------------------------------------------------
    scenario(
        "credentials-cookie-sent-and-response-readable",
        policy={"allow_origins": [PAGE], "allow_credentials": True},
        fetches=(Fetch(credentials="include"),),
        expect=text(f"GET /echo; {COOKIE}"),
        app_saw=("GET",),
    ),
    scenario(
        "credentials-not-allowed-credentialed-fetch-blocked",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch(credentials="include"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "credentials-allowed-omit-mode-sends-no-cookie",
        policy={"allow_origins": [PAGE], "allow_credentials": True},
        fetches=(Fetch(credentials="omit"),),
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "credentials-preflighted-put-with-cookie-allowed",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"], "allow_credentials": True},
        fetches=(Fetch("PUT", credentials="include"),),
        expect=text(f"PUT /echo; {COOKIE}"),
        preflights=1,
        app_saw=("PUT",),
    ),
    scenario(
        "credentials-default-allow-headers-echoes-names-not-star",
        policy={"allow_origins": [PAGE], "allow_credentials": True},
        fetches=(Fetch(headers=CUSTOM, credentials="include"),),
        expect=text(f"GET /echo; {COOKIE}; x-custom=42"),
        preflights=1,
        app_saw=("GET",),
    ),
    scenario(
        "credentials-cross-site-page-cookie-withheld",
        policy={"allow_origins": ["http://localhost:{P}"], "allow_credentials": True},
        page="localhost",
        fetches=(Fetch(credentials="include"),),
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    # --- exposed response headers ------------------------------------------------------------
    scenario(
        "expose-none-custom-headers-hidden",
        policy={"allow_origins": [PAGE]},
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "expose-listed-header-readable-other-hidden",
        policy={"allow_origins": [PAGE], "expose_headers": ["X-Visible"]},
        expect=text("GET /echo", exposed={"x-visible": "yes"}),
        app_saw=("GET",),
    ),
    scenario(
        "expose-name-matched-case-insensitively",
        policy={"allow_origins": [PAGE], "expose_headers": ["x-VISIBLE", "X-Hidden"]},
        expect=text("GET /echo", exposed={"x-visible": "yes", "x-hidden": "secret"}),
        app_saw=("GET",),
    ),
    scenario(
        "expose-star-without-credentials-exposes-all",
        policy={"allow_origins": ["*"], "expose_headers": ["*"]},
        expect=text(
            "GET /echo",
            # `*` makes every name readable (Fetch #cors-check), the CORS headers included.
            exposed={
                "access-control-allow-origin": "*",
                "access-control-expose-headers": "*",
                "connection": "close",
                "date": ANY,
                "server": ANY,
                "x-hidden": "secret",
                "x-visible": "yes",
            },
        ),
        app_saw=("GET",),
    ),
    scenario(
        "expose-listed-header-with-credentials-readable",
        policy={
            "allow_origins": [PAGE],
            "allow_credentials": True,
            "expose_headers": ["X-Hidden"],
        },
        fetches=(Fetch(credentials="include"),),
        expect=text(f"GET /echo; {COOKIE}", exposed={"x-hidden": "secret"}),
        app_saw=("GET",),
    ),
    # --- request headers ---------------------------------------------------------------------
    scenario(
        "custom-header-allowed-by-default-star",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch(headers=CUSTOM),),
        expect=text("GET /echo; x-custom=42"),
        preflights=1,
        app_saw=("GET",),
    ),
    scenario(
        "custom-header-listed-allowed",
        policy={"allow_origins": [PAGE], "allow_headers": ["X-Custom"]},
        fetches=(Fetch(headers=CUSTOM),),
        expect=text("GET /echo; x-custom=42"),
        preflights=1,
        app_saw=("GET",),
    ),
    scenario(
        "custom-header-listed-in-other-case-allowed",
        policy={"allow_origins": [PAGE], "allow_headers": ["x-CUSTOM"]},
        fetches=(Fetch(headers=CUSTOM),),
        expect=text("GET /echo; x-custom=42"),
        preflights=1,
        app_saw=("GET",),
    ),
    scenario(
        "custom-header-not-listed-denied",
        policy={"allow_origins": [PAGE], "allow_headers": ["X-Other"]},
        fetches=(Fetch(headers=CUSTOM),),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "custom-headers-one-of-two-not-listed-denied",
        policy={"allow_origins": [PAGE], "allow_headers": ["X-Custom"]},
        fetches=(Fetch(headers={**CUSTOM, "X-Extra": "1"}),),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "authorization-allowed-by-default-star",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch(headers=AUTH),),
        expect=text("GET /echo; authorization=Bearer t0ken"),
        preflights=1,
        app_saw=("GET",),
    ),
    scenario(
        "authorization-not-listed-denied",
        policy={"allow_origins": [PAGE], "allow_headers": ["X-Custom"]},
        fetches=(Fetch(headers=AUTH),),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "authorization-listed-with-credentials-allowed",
        policy={
            "allow_origins": [PAGE],
            "allow_headers": ["Authorization"],
            "allow_credentials": True,
        },
        fetches=(Fetch(headers=AUTH, credentials="include"),),
        expect=text(f"GET /echo; {COOKIE}; authorization=Bearer t0ken"),
        preflights=1,
        app_saw=("GET",),
    ),
    scenario(
        "safelisted-accept-language-no-preflight",
        policy={"allow_origins": [PAGE], "allow_headers": []},
        fetches=(Fetch(headers={"Accept-Language": "en-GB"}),),
        expect=text("GET /echo"),
        app_saw=("GET",),
    ),
    scenario(
        "unsafe-accept-language-value-preflighted-and-always-allowed",
        policy={"allow_origins": [PAGE], "allow_headers": []},
        fetches=(Fetch(headers={"Accept-Language": "en(GB)"}),),
        expect=text("GET /echo"),
        preflights=1,
        app_saw=("GET",),
    ),
    # --- methods and bodies ------------------------------------------------------------------
    scenario(
        "put-listed-allowed",
        policy={"allow_origins": [PAGE], "allow_methods": ["GET", "PUT"]},
        fetches=(PUT,),
        expect=text("PUT /echo"),
        preflights=1,
        app_saw=("PUT",),
    ),
    scenario(
        "put-not-listed-denied",
        policy={"allow_origins": [PAGE]},
        fetches=(PUT,),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "delete-listed-allowed",
        policy={"allow_origins": [PAGE], "allow_methods": ["DELETE"]},
        fetches=(Fetch("DELETE"),),
        expect=text("DELETE /echo"),
        preflights=1,
        app_saw=("DELETE",),
    ),
    scenario(
        "delete-allowed-by-method-star",
        policy={"allow_origins": [PAGE], "allow_methods": ["*"]},
        fetches=(Fetch("DELETE"),),
        expect=text("DELETE /echo"),
        preflights=1,
        app_saw=("DELETE",),
    ),
    scenario(
        "patch-upper-case-listed-allowed",
        policy={"allow_origins": [PAGE], "allow_methods": ["PATCH"]},
        fetches=(Fetch("PATCH", body="x=1"),),
        expect=text("PATCH /echo; body=x=1"),
        preflights=1,
        app_saw=("PATCH",),
    ),
    scenario(
        "patch-lower-case-sent-as-is-denied-by-upper-case-policy",
        policy={"allow_origins": [PAGE], "allow_methods": ["PATCH"]},
        fetches=(Fetch("patch"),),
        expect=BLOCKED,
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "patch-lower-case-allowed-by-lower-case-policy",
        policy={"allow_origins": [PAGE], "allow_methods": ["patch"]},
        fetches=(Fetch("patch"),),
        expect=text("patch /echo"),
        preflights=1,
        app_saw=("patch",),
    ),
    scenario(
        "head-simple-no-preflight",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch("HEAD"),),
        expect=text("", length=len("HEAD /echo")),
        app_saw=("HEAD",),
    ),
    scenario(
        "json-post-preflighted-and-allowed",
        policy={"allow_origins": [PAGE], "allow_headers": []},
        fetches=(Fetch("POST", headers={"Content-Type": "application/json"}, body='{"a": 1}'),),
        expect=text('POST /echo; body={"a": 1}'),
        preflights=1,
        app_saw=("POST",),
    ),
    scenario(
        "simple-text-post-no-preflight",
        policy={"allow_origins": [PAGE], "allow_methods": ["POST"]},
        fetches=(Fetch("POST", headers={"Content-Type": "text/plain"}, body="hello"),),
        expect=text("POST /echo; body=hello"),
        app_saw=("POST",),
    ),
    scenario(
        "simple-form-post-no-preflight",
        policy={"allow_origins": [PAGE], "allow_headers": []},
        fetches=(
            Fetch(
                "POST",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                body="a=1&b=2",
            ),
        ),
        expect=text("POST /echo; body=a=1&b=2"),
        app_saw=("POST",),
    ),
    scenario(
        "simple-post-denied-origin-still-reaches-app",
        policy={"allow_origins": ["http://localhost:{P}"]},
        fetches=(Fetch("POST", body="hello"),),
        expect=BLOCKED,
        app_saw=("POST",),
    ),
    # --- preflight cache ---------------------------------------------------------------------
    scenario(
        "max-age-caches-preflight-for-second-fetch",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"], "max_age": "10m"},
        fetches=(PUT, PUT),
        expect=text("PUT /echo"),
        preflights=1,
        app_saw=("PUT", "PUT"),
    ),
    scenario(
        "max-age-negative-disables-preflight-cache",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"], "max_age": "-1s"},
        fetches=(PUT, PUT),
        expect=text("PUT /echo"),
        preflights=2,
        app_saw=("PUT", "PUT"),
    ),
    scenario(
        "max-age-absent-browser-default-caches-briefly",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"]},
        fetches=(PUT, PUT),
        expect=text("PUT /echo"),
        preflights=1,
        app_saw=("PUT", "PUT"),
    ),
    scenario(
        "max-age-cache-entry-is-per-header-name",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"], "max_age": "10m"},
        fetches=(Fetch("PUT", headers={"X-A": "1"}), Fetch("PUT", headers={"X-B": "1"})),
        expect=text("PUT /echo"),
        preflights=2,
        app_saw=("PUT", "PUT"),
    ),
    # --- OPTIONS handling --------------------------------------------------------------------
    scenario(
        "options-fetch-without-auto-options-reaches-app-405-readable",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch("OPTIONS", path="/manual-options"),),
        expect=text("method not allowed", 405),
        preflights=1,
        app_saw=("OPTIONS",),
    ),
    scenario(
        "options-fetch-with-auto-options-answered-by-middleware",
        policy={"allow_origins": [PAGE], "auto_options": True, "expose_headers": ["Allow"]},
        fetches=(Fetch("OPTIONS", path="/manual-options"),),
        expect=Allowed(
            200,
            "",
            {"content-type": TEXT, "content-length": "0", "allow": "GET, HEAD, OPTIONS, PUT"},
        ),
        preflights=1,
        app_saw=(),
    ),
    scenario(
        "options-success-status-200-accepted",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"], "options_success_status": 200},
        fetches=(PUT,),
        expect=text("PUT /echo"),
        preflights=1,
        app_saw=("PUT",),
    ),
    scenario(
        "passthrough-app-answers-preflight-allowed",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"], "options_passthrough": True},
        fetches=(PUT,),
        expect=text("PUT /echo"),
        preflights=1,
        app_saw=("OPTIONS", "PUT"),
        explainable=False,
    ),
    scenario(
        "passthrough-app-405-fails-preflight",
        policy={"allow_origins": [PAGE], "allow_methods": ["PUT"], "options_passthrough": True},
        fetches=(Fetch("PUT", path="/manual-options"),),
        expect=BLOCKED,
        preflights=1,
        app_saw=("OPTIONS",),
        explainable=False,
    ),
    scenario(
        "passthrough-with-auto-options-answered-by-middleware",
        policy={
            "allow_origins": [PAGE],
            "allow_methods": ["PUT"],
            "options_passthrough": True,
            "auto_options": True,
        },
        fetches=(Fetch("PUT", path="/manual-options"),),
        expect=text("PUT /manual-options"),
        preflights=1,
        app_saw=("PUT",),
    ),
    scenario(
        "passthrough-denied-origin-blocked-despite-app-200",
        policy={
            "allow_origins": ["http://localhost:{P}"],
            "allow_methods": ["PUT"],
            "options_passthrough": True,
        },
        fetches=(PUT,),
        expect=BLOCKED,
        preflights=1,
        app_saw=("OPTIONS",),
    ),
    # --- error responses ---------------------------------------------------------------------
    scenario(
        "not-found-404-readable",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch(path="/nope"),),
        expect=text("no such path", 404),
        app_saw=("GET",),
    ),
    scenario(
        "server-error-500-readable",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch(path="/boom"),),
        expect=text("server error", 500),
        app_saw=("GET",),
    ),
    scenario(
        "method-not-allowed-405-after-preflight-readable",
        policy={"allow_origins": [PAGE], "allow_methods": ["DELETE"]},
        fetches=(Fetch("DELETE", path="/manual-options"),),
        expect=text("method not allowed", 405),
        preflights=1,
        app_saw=("DELETE",),
    ),
    scenario(
        "server-error-denied-origin-blocked",
        policy={"allow_origins": ["http://localhost:{P}"]},
        fetches=(Fetch(path="/boom"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    # --- an app that sets its own CORS headers -----------------------------------------------
    scenario(
        "app-own-cors-headers-replaced-by-policy",
        policy={"allow_origins": [PAGE], "expose_headers": ["X-Visible"]},
        fetches=(Fetch(path="/own-cors"),),
        expect=text("own cors", exposed={"x-visible": "yes"}),
        app_saw=("GET",),
    ),
    scenario(
        "app-own-star-origin-does-not-rescue-denied-origin",
        policy={"allow_origins": ["http://localhost:{P}"]},
        fetches=(Fetch(path="/own-cors"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "app-own-allow-credentials-does-not-enable-credentials",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch(path="/own-cors", credentials="include"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    # --- streamed responses ------------------------------------------------------------------
    scenario(
        "streamed-response-readable",
        policy={"allow_origins": [PAGE]},
        fetches=(Fetch(path="/stream"),),
        expect=Allowed(200, "chunk 1\nchunk 2\nchunk 3\n", {"content-type": TEXT}),
        app_saw=("GET",),
    ),
    scenario(
        "streamed-response-denied-origin-blocked",
        policy={"allow_origins": ["http://localhost:{P}"]},
        fetches=(Fetch(path="/stream"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    # --- path-scoped policies ----------------------------------------------------------------
    scenario(
        "path-policy-api-prefix-allowed",
        paths=PATHS,
        fetches=(Fetch(path="/api/echo"),),
        expect=text("GET /api/echo"),
        app_saw=("GET",),
    ),
    scenario(
        "path-policy-api-prefix-preflighted-put-allowed",
        paths=PATHS,
        fetches=(Fetch("PUT", path="/api/echo"),),
        expect=text("PUT /api/echo"),
        preflights=1,
        app_saw=("PUT",),
    ),
    scenario(
        "path-policy-api-prefix-other-origin-denied",
        paths=PATHS,
        page="localhost",
        fetches=(Fetch(path="/api/echo"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "path-policy-public-prefix-allows-any-origin",
        paths=PATHS,
        page="localhost",
        fetches=(Fetch(path="/public/echo"),),
        expect=text("GET /public/echo"),
        app_saw=("GET",),
    ),
    scenario(
        "path-policy-none-prefix-no-cors-headers",
        paths=PATHS,
        fetches=(Fetch(path="/admin/echo"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "path-policy-none-prefix-preflight-goes-to-app",
        paths=PATHS,
        fetches=(Fetch("PUT", path="/admin/echo"),),
        expect=BLOCKED,
        preflights=1,
        app_saw=("OPTIONS",),
    ),
    scenario(
        "path-policy-prefix-matches-on-segment-boundary-only",
        paths=PATHS,
        fetches=(Fetch(path="/apix/echo"),),
        expect=BLOCKED,
        app_saw=("GET",),
    ),
    scenario(
        "path-policy-unmatched-path-no-cors-headers",
        paths=PATHS,
        expect=BLOCKED,
        app_saw=("GET",),
    ),
]
