"""Where Chromium and Firefox ESR decide a cross-origin ``fetch()`` differently, as data.

Every row was checked in the real browsers by ``test_engines.py``; when a browser disagrees
with a row, the row is wrong. The module imports nothing outside the standard library, so the
test that holds ``wsgicors.browser`` to these rows runs without any browser installed.

A row (:class:`Case`) is:

``id``
    A readable name, also used in the request's path.
``method``
    The method given to ``fetch()``.
``headers``
    ``(name, value)`` pairs, each passed to ``Headers.append()`` in order, so a name may repeat
    (two values for one name combine into ``"a, b"``, Fetch #concept-header-list-combine).
    Values are JavaScript strings: each character up to U+00FF stands for the one byte of that
    value (Fetch's byte sequences are ByteStrings in IDL); a character above U+00FF is not a
    ByteString, and ``fetch()`` throws a TypeError before sending anything.
``credentials``
    ``True`` for ``credentials: "include"``, ``False`` for the default ``"same-origin"`` (the
    request is cross-origin, so no cookies either way unless ``True``).
``server``
    How the server answers (:class:`Answer`): the preflight's status and header fields, a
    ``Location`` for redirecting preflights, and the actual response's header fields.
    ``"{origin}"`` in a header value stands for the page's origin.
``expected``
    ``{"chromium": {...}, "firefox": {...}}``, per engine:

    - ``"preflight"``: the server received a CORS preflight (``OPTIONS`` with
      ``Access-Control-Request-Method``) for this request;
    - ``"allowed"``: ``fetch()`` resolved with a response the page can read (the actual request
      reached the server exactly when this is true: every row's actual response passes the
      CORS check);
    - ``"cached"`` (only in preflight-cache rows): the request was sent three times in a row,
      each ``delay`` seconds after the one before, and at least one repeat went without a new
      preflight. Firefox re-sends the preflight for its first would-be cache hits in a
      fresh content process, so the suite warms the page up until a repeat is served from the
      cache before it plays these rows.
``delay``
    Seconds between the fetches of a preflight-cache row; 0 elsewhere.
    With 6 s, a repeat outlives the 5 s default lifetime (Fetch #cors-preflight-fetch, step
    "If max-age is failure or null, then set max-age to 5").

Page origin ``http://127.0.0.1:P``, server ``http://127.0.0.1:S`` (cross-origin, same site).
Versions these rows were observed in: :data:`OBSERVED_IN`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CASES", "ENGINES", "OBSERVED_IN", "Answer", "Case", "Fields", "Outcome"]

Fields = tuple[tuple[str, str], ...]
Outcome = dict[str, bool]

ENGINES = ("chromium", "firefox")

OBSERVED_IN = {"chromium": "156.0.8078.114", "firefox": "153.8.0esr"}

ACAO = "Access-Control-Allow-Origin"
ACAH = "Access-Control-Allow-Headers"
ACAM = "Access-Control-Allow-Methods"
ACMA = "Access-Control-Max-Age"
ACAC = "Access-Control-Allow-Credentials"

ACTUAL: Fields = ((ACAO, "*"), ("Cache-Control", "no-store"))
# A preflight answer that passes the CORS check but allows no method or header: every
# preflighted row then fails, so "allowed" is the opposite of "preflight".
REFUSE: Fields = ((ACAO, "*"),)
PERMIT: Fields = ((ACAO, "*"), (ACAM, "PUT"), (ACAH, "X-Custom"))
CREDENTIALED: Fields = ((ACAO, "{origin}"), (ACAC, "true"))


@dataclass(frozen=True)
class Answer:
    """The server's side of a row.

    ``location`` is a relative reference sent as ``Location`` on the preflight answer (used
    with a 3xx ``preflight_status``); it resolves to a URL on the same server that counts as
    "the actual request reached the server" if anything ever asks for it.
    """

    preflight_status: int = 204
    preflight: Fields = REFUSE
    actual: Fields = ACTUAL
    location: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    headers: Fields
    expected: dict[str, Outcome]
    credentials: bool = False
    server: Answer = field(default_factory=Answer)
    delay: float = 0.0

    @property
    def probes_cache(self) -> bool:
        return any("cached" in outcome for outcome in self.expected.values())


def _both(**outcome: bool) -> dict[str, Outcome]:
    return {engine: dict(outcome) for engine in ENGINES}


def _each(chromium: Outcome, firefox: Outcome) -> dict[str, Outcome]:
    return {"chromium": dict(chromium), "firefox": dict(firefox)}


SENT = {"preflight": False, "allowed": True}
PREFLIGHTED = {"preflight": True, "allowed": False}
ONLY_FIREFOX_PREFLIGHTS = _each(SENT, PREFLIGHTED)
ONLY_CHROMIUM_PREFLIGHTS = _each(PREFLIGHTED, SENT)
BOTH_SEND = _both(**SENT)
BOTH_PREFLIGHT = _both(**PREFLIGHTED)
BOTH_THROW = _both(preflight=False, allowed=False)


def _get(id: str, *headers: tuple[str, str], expected: dict[str, Outcome]) -> Case:
    return Case(id, "GET", headers, expected)


def _post(id: str, *headers: tuple[str, str], expected: dict[str, Outcome]) -> Case:
    return Case(id, "POST", headers, expected)


def _range(id: str, value: str, expected: dict[str, Outcome]) -> Case:
    return Case(id, "GET", (("Range", value),), expected)


def _max_age(
    id: str, value: str | None, chromium: bool, firefox: bool, delay: float = 0.0
) -> Case:
    preflight = PERMIT if value is None else (*PERMIT, (ACMA, value))
    return Case(
        id,
        "PUT",
        (),
        _each(
            {"preflight": True, "allowed": True, "cached": chromium},
            {"preflight": True, "allowed": True, "cached": firefox},
        ),
        server=Answer(preflight=preflight),
        delay=delay,
    )


def _redirect(status: int) -> Case:
    return Case(
        f"preflight-answered-{status}-fails",
        "PUT",
        (),
        BOTH_PREFLIGHT,
        server=Answer(status, PERMIT, location="target"),
    )


CASES: list[Case] = [
    # Headers Chromium's safelist has beyond Fetch #cors-safelisted-request-header, each with a
    # value it checks ("on", a number).
    _get("save-data-on", ("Save-Data", "on"), expected=ONLY_FIREFOX_PREFLIGHTS),
    _get("save-data-off", ("Save-Data", "off"), expected=BOTH_PREFLIGHT),
    _get("dpr-number", ("DPR", "2"), expected=ONLY_FIREFOX_PREFLIGHTS),
    _get("dpr-not-a-number", ("DPR", "two"), expected=BOTH_PREFLIGHT),
    _get("width-number", ("Width", "100"), expected=ONLY_FIREFOX_PREFLIGHTS),
    _get("viewport-width-number", ("Viewport-Width", "100"), expected=ONLY_FIREFOX_PREFLIGHTS),
    _get("device-memory-number", ("Device-Memory", "8"), expected=ONLY_FIREFOX_PREFLIGHTS),
    # Fetch #simple-range-header-value: "bytes" is matched case-sensitively, in both engines.
    _range("range-bytes-0", "bytes=0-", BOTH_SEND),
    _range("range-capital-bytes-0", "Bytes=0-", BOTH_PREFLIGHT),
    _range("range-start-after-end", "bytes=10-5", BOTH_PREFLIGHT),
    # Fetch #cors-safelisted-request-header, Content-Type: the combined value of two fields
    # ("text/plain, text/plain") is not a MIME type.
    _post(
        "content-type-text-plain-twice",
        ("Content-Type", "text/plain"),
        ("Content-Type", "text/plain"),
        expected=BOTH_PREFLIGHT,
    ),
    _post("content-type-text-plain", ("Content-Type", "text/plain"), expected=BOTH_SEND),
    # Bytes 0x80-0xFF are not CORS-unsafe request-header bytes, and the Content-Type's essence
    # is all that is checked (Fetch #cors-safelisted-request-header); Firefox is stricter.
    _get("accept-latin1-byte", ("Accept", "text/\xe9"), expected=ONLY_FIREFOX_PREFLIGHTS),
    _post(
        "content-type-latin1-byte",
        ("Content-Type", "text/plain; x=\xe9"),
        expected=ONLY_FIREFOX_PREFLIGHTS,
    ),
    _post(
        "content-type-double-semicolon",
        ("Content-Type", "application/x-www-form-urlencoded;;"),
        expected=ONLY_FIREFOX_PREFLIGHTS,
    ),
    # Range bounds (Fetch #simple-range-header-value sets none): Chromium takes a first or
    # last position up to 2**63 - 2, Firefox up to 2**64 - 1.
    _range("range-start-2-63-minus-2", f"bytes={2**63 - 2}-", BOTH_SEND),
    _range("range-start-2-63-minus-1", f"bytes={2**63 - 1}-", ONLY_CHROMIUM_PREFLIGHTS),
    _range("range-start-2-63", f"bytes={2**63}-", ONLY_CHROMIUM_PREFLIGHTS),
    _range("range-start-2-64-minus-1", f"bytes={2**64 - 1}-", ONLY_CHROMIUM_PREFLIGHTS),
    _range("range-start-2-64", f"bytes={2**64}-", BOTH_PREFLIGHT),
    _range("range-end-2-63-minus-2", f"bytes=0-{2**63 - 2}", BOTH_SEND),
    _range("range-end-2-63-minus-1", f"bytes=0-{2**63 - 1}", ONLY_CHROMIUM_PREFLIGHTS),
    _range("range-end-2-64-minus-1", f"bytes=0-{2**64 - 1}", ONLY_CHROMIUM_PREFLIGHTS),
    _range("range-end-2-64", f"bytes=0-{2**64}", BOTH_PREFLIGHT),
    _range("range-start-exponent", "bytes=1e20-", BOTH_PREFLIGHT),
    # Fetch #cors-preflight-fetch: a preflight response must have an ok status; a redirect is
    # a network error and its target is never requested.
    *(_redirect(status) for status in (301, 302, 303, 307, 308)),
    # Fetch #cors-preflight-cache; the row ids name the Access-Control-Max-Age value.
    _max_age("max-age-absent", None, chromium=True, firefox=True),
    _max_age("max-age-600", "600", chromium=True, firefox=True),
    _max_age("max-age-0", "0", chromium=False, firefox=False),
    _max_age("max-age-minus-1", "-1", chromium=False, firefox=False),
    _max_age("max-age-2-63", str(2**63), chromium=True, firefox=True),
    _max_age("max-age-12h", "12h", chromium=True, firefox=False),
    _max_age("max-age-plus-10", "+10", chromium=True, firefox=False),
    # The same after 6 s: which values fell back to the 5 s default.
    _max_age("max-age-absent-after-6s", None, chromium=False, firefox=False, delay=6),
    _max_age("max-age-600-after-6s", "600", chromium=True, firefox=True, delay=6),
    _max_age("max-age-2-63-after-6s", str(2**63), chromium=False, firefox=True, delay=6),
    _max_age("max-age-12h-after-6s", "12h", chromium=False, firefox=False, delay=6),
    _max_age("max-age-plus-10-after-6s", "+10", chromium=True, firefox=False, delay=6),
    # Fetch #cors-check with credentials: the exact origin and `true` are needed; a `*` in
    # Access-Control-Allow-Methods is then the literal name "*" (#cors-preflight-fetch).
    Case(
        "credentialed-put-exact-origin",
        "PUT",
        (),
        _both(preflight=True, allowed=True),
        credentials=True,
        server=Answer(preflight=(*CREDENTIALED, (ACAM, "PUT")), actual=CREDENTIALED),
    ),
    Case(
        "credentialed-put-allow-methods-star",
        "PUT",
        (),
        BOTH_PREFLIGHT,
        credentials=True,
        server=Answer(preflight=(*CREDENTIALED, (ACAM, "*")), actual=CREDENTIALED),
    ),
    # A value that is not a ByteString: TypeError in Headers.append(), nothing is sent.
    _get("custom-header-snowman", ("X-Custom", "\u2603"), expected=BOTH_THROW),
]
