"""The ``wsgicors`` command: check a policy, explain a request, probe a server, serve an app.

``wsgicors check CONFIG``
    Validate a configuration; print the effective policy, every problem and every warning.
``wsgicors explain CONFIG --origin O [...]``
    Play a request as a browser would, through the real middleware, in-process.
``wsgicors probe URL --origin O [...]``
    The same verdict for a live server of any kind, over HTTP.
``wsgicors serve [MODULE:APP] [--config CONFIG] [--debug]``
    Run an application (by default an echo application) behind the middleware.

``explain`` and ``probe`` exit with 0 when the browser would let the page read the response,
2 when it would not, and 1 on a usage, configuration or connection error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, NoReturn

import attrs

from .errors import PolicyError, PolicyWarning
from .headers import PREFLIGHT_CACHE_CAPS
from .middleware import CORSMiddleware, PolicySpec
from .policy import CORSPolicy
from .tools import ToolError
from .tools.browser import FetchRequest, engine_name
from .tools.diagnose import diagnose
from .tools.exchange import explain, http_sender, play_engines
from .tools.inputs import (
    LoadedPolicy,
    Refused,
    fetch_request,
    load_app,
    policy_as_json,
    policy_for_request,
    read_config,
)
from .tools.report import (
    Style,
    render_json,
    render_refused_json,
    render_refused_text,
    render_text,
)

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

__all__ = ["main"]

PROG = "wsgicors"
EXIT_ALLOWED = 0
EXIT_ERROR = 1
EXIT_BLOCKED = 2
DEFAULT_APP = "wsgicors.debug:app"


class _Parser(argparse.ArgumentParser):
    # argparse exits with 2 on a usage error, but 2 means "not allowed" here (see docs/cli.md).
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _print_warnings(messages: Sequence[str], style: Style, stream: IO[str]) -> None:
    for message in messages:
        print(style.warn(f"warning: {message}"), file=stream)


def cmd_check(args: argparse.Namespace) -> int:
    style = Style(sys.stdout)
    try:
        loaded = read_config(args.config)
    except PolicyError as error:
        count = len(error.problems)
        print(style.bad(f"{args.config}: {count} problem{'s' if count != 1 else ''}"))
        for problem in error.problems:
            print(f"- {problem.option}: {problem.value!r}: {problem.rule}")
            print(f"  fix: {problem.hint}")
        return EXIT_ERROR
    print(f"effective policy from {loaded.source}:")
    print(json.dumps(policy_as_json(loaded.policy), indent=2))
    # The policy warns above what every engine honours; the note names each engine that
    # keeps a preflight for less than max_age.
    max_age = loaded.policy.max_age or 0
    capped = [
        f"{engine_name(engine)} {cap} s"
        for engine, cap in PREFLIGHT_CACHE_CAPS.items()
        if cap < max_age
    ]
    if capped:
        kept = ", ".join(capped)
        print(f"note: max_age {max_age} s: these engines keep a preflight for less: {kept}")
    _print_warnings(loaded.warnings, style, sys.stdout)
    count = len(loaded.warnings)
    summary = f"no problems, {count} warning{'s' if count != 1 else ''}"
    print(style.good("OK") + f": {summary}")
    return EXIT_ALLOWED


def _load_for_use(config: str, style: Style) -> LoadedPolicy:
    loaded = read_config(config)
    _print_warnings(loaded.warnings, style, sys.stderr)
    return loaded


def cmd_explain(args: argparse.Namespace) -> int:
    style = Style(sys.stdout)
    loaded = _load_for_use(args.config, Style(sys.stderr))
    request = fetch_request(args.origin, args.method, args.header, args.credentials, args.path)
    if isinstance(request, Refused):
        return _print_refused(request, args, style, loaded.source)
    app = load_app(args.app) if args.app else None
    source, policy = _chosen(loaded, app, args.app, request)
    outcome = explain(policy, request)
    diagnosis = (
        None
        if outcome.allowed or not isinstance(policy, CORSPolicy)
        else diagnose(policy, outcome)
    )
    against = None
    if args.against:
        other = _load_for_use(args.against, Style(sys.stderr))
        other_source, other_policy = _chosen(other, app, args.app, request)
        against = (other.source, other_source, explain(other_policy, request))
    if args.json:
        document = json.loads(render_json(outcome, diagnosis))
        document["policy"] = source
        if against is not None:
            other_outcome = against[2]
            document["against"] = {
                "config": against[0],
                "policy": against[1],
                "allowed": other_outcome.allowed,
                "preflight": other_outcome.preflight,
                "reasons": json.loads(render_json(other_outcome, None))["reasons"],
                "differs": other_outcome.allowed != outcome.allowed,
            }
        print(json.dumps(document, indent=2))
    else:
        print(render_text(outcome, diagnosis, style, "the middleware", source))
        if against is not None:
            print()
            print(_comparison(loaded.source, outcome.allowed, against[0], against[2].allowed))
    return EXIT_ALLOWED if outcome.allowed else EXIT_BLOCKED


def _chosen(
    loaded: LoadedPolicy, app: WSGIApplication | None, target: str | None, request: FetchRequest
) -> tuple[str, PolicySpec]:
    """The policy a request gets: the configuration's, or with --app, its view's if marked."""
    if app is None or target is None:
        return loaded.source, loaded.policy
    chosen, policy = policy_for_request(app, loaded.policy, request)
    return f"{chosen}, for {target} with {loaded.source}", policy


def _comparison(config: str, allowed: bool, other: str, other_allowed: bool) -> str:
    verdicts = {True: "allowed", False: "blocked"}
    if allowed == other_allowed:
        return f"compared with {other}: the request is {verdicts[other_allowed]} there too"
    return (
        f"compared with {other}: the request would be {verdicts[other_allowed]} there "
        f"(it is {verdicts[allowed]} with {config})"
    )


def _print_refused(
    refused: Refused, args: argparse.Namespace, style: Style, source: str | None
) -> int:
    if args.json:
        print(render_refused_json(refused))
    else:
        print(render_refused_text(refused, style, source))
    return EXIT_BLOCKED


def cmd_probe(args: argparse.Namespace) -> int:
    if not args.timeout > 0:
        raise ToolError(f"--timeout {args.timeout:g} must be more than 0 seconds")
    send, path = http_sender(args.url, args.timeout)
    request = fetch_request(args.origin, args.method, args.header, args.credentials, path)
    if isinstance(request, Refused):
        return _print_refused(request, args, Style(sys.stdout), None)
    outcome = play_engines(request, send)
    if args.json:
        print(render_json(outcome, None))
    else:
        print(render_text(outcome, None, Style(sys.stdout), "the server"))
    return EXIT_ALLOWED if outcome.allowed else EXIT_BLOCKED


def cmd_serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    if not 0 <= args.port <= 65535:
        raise ToolError(f"--port {args.port} is not a port number (0 to 65535)")
    reference = args.app or DEFAULT_APP
    app = load_app(reference)
    if args.config:
        loaded = _load_for_use(args.config, Style(sys.stderr))
        policy, source = loaded.policy, loaded.source
    else:
        policy, source = CORSPolicy(), "the defaults (every origin; GET, HEAD, POST)"
    debug = ""
    if args.debug:
        with warnings.catch_warnings():
            # The policy's warnings, if any, were printed when it was loaded.
            warnings.simplefilter("ignore", PolicyWarning)
            policy = attrs.evolve(policy, debug=True)
        debug = ", debug on (every CORS decision is logged here)"
    print(
        f"{PROG}: serving {reference} with the CORS policy from {source}{debug}", file=sys.stderr
    )
    if reference == DEFAULT_APP:
        # The README's first probe: a JSON PUT, which the default policy refuses.
        print(
            f"{PROG}: every response is the request as JSON; try: wsgicors probe "
            f"http://{args.host}:{args.port or 'PORT'}/ --origin https://app.example.com "
            "--method PUT --header 'Content-Type: application/json'",
            file=sys.stderr,
        )
    sys.stderr.flush()
    run_simple(args.host, args.port, CORSMiddleware(app, policy), threaded=True)
    return EXIT_ALLOWED


def cmd_migrate(args: argparse.Namespace) -> int:
    from .tools.migrate import migrate_django, migrate_flask, render

    if args.django_settings:
        migration = migrate_django(args.django_settings)
    else:
        migration = migrate_flask(args.flask_app)
    print(render(migration, python=args.python))
    return EXIT_ALLOWED if migration.ok else EXIT_ERROR


def cmd_why(args: argparse.Namespace) -> int:
    from .tools.why import why

    policy = _load_for_use(args.config, Style(sys.stderr)).policy if args.config else None
    reading, lines = why(
        args.message,
        policy,
        origin=args.origin,
        method=args.method,
        headers=args.header,
        credentials=args.credentials,
        path=args.path,
    )
    print("\n".join(lines))
    return EXIT_ERROR if reading is None else EXIT_BLOCKED


# -- argument parsing ----------------------------------------------------------------------------


def _add_request_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--origin",
        required=True,
        help="the origin of the page that sends the request, e.g. https://app.example.com",
    )
    parser.add_argument(
        "--method",
        default="GET",
        help="the method the page's fetch() uses (default: GET); fetch() upper-cases only "
        "DELETE GET HEAD OPTIONS POST PUT",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME[: VALUE]'",
        help="a header the page's script sets; repeat for more. NAME alone sends an empty "
        "value. Forbidden headers (Cookie, Origin, Sec-*, ...) are dropped as a browser does",
    )
    parser.add_argument(
        "--credentials",
        action="store_true",
        help="send with credentials: 'include' (cookies, HTTP authentication)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of a report"
    )


def _command(
    commands: argparse._SubParsersAction[_Parser],
    handler: Callable[[argparse.Namespace], int],
    summary: str,
    description: str,
) -> _Parser:
    """The subcommand that ``handler`` (``cmd_NAME``) runs."""
    command = commands.add_parser(
        handler.__name__.removeprefix("cmd_"), help=summary, description=description
    )
    command.set_defaults(handler=handler)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Check CORS policies, explain what a browser does with a request, probe "
        "a live server, and serve an application behind the middleware.",
        epilog="explain and probe exit with 0 when the browser would let the page read the "
        "response, 2 when it would not, and 1 on a usage, configuration or connection error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    config_help = (
        'a JSON file: a whole KrakenD configuration (its extra_config["security/cors"]) or a '
        "bare security/cors object"
    )
    check = _command(
        commands,
        cmd_check,
        "validate a configuration and print the effective policy",
        "Validate a configuration: print the effective policy, every problem with its fix, and "
        "every warning. Exit status 1 when there are problems.",
    )
    check.add_argument("config", metavar="CONFIG", help=config_help)

    explain = _command(
        commands,
        cmd_explain,
        "play a request as a browser would, through the middleware in-process",
        "Play a cross-origin fetch() as a browser would: does it need a preflight, what does "
        "the middleware answer, does the browser accept it, and if not, why and what to change "
        "in the configuration.",
    )
    explain.add_argument("config", metavar="CONFIG", help=config_help)
    _add_request_options(explain)
    explain.add_argument("--path", default="/", help="the request's path and query (default: /)")
    explain.add_argument(
        "--app",
        metavar="MODULE:APP",
        help="the application, as gunicorn names it: the policy marked on the view the request "
        "reaches (cors_policy) is played instead of CONFIG's, and the report says which applied",
    )
    explain.add_argument(
        "--against",
        metavar="OTHER",
        help="a second configuration: the report ends with whether it decides the request "
        'otherwise (for --json, an "against" object)',
    )

    probe = _command(
        commands,
        cmd_probe,
        "the same verdict for a live server, over HTTP",
        "Send the preflight (when a browser would) and the request to a live server of any "
        "kind, and decide as a browser would. The actual request is sent with its method once "
        "the preflight passes, as a browser does: probe a URL where that is harmless.",
    )
    probe.add_argument("url", metavar="URL", help="the URL the page fetches")
    _add_request_options(probe)
    probe.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for each answer (default: 10)"
    )

    serve = _command(
        commands,
        cmd_serve,
        "run an application behind the middleware on werkzeug's development server",
        "Run a WSGI application wrapped in the CORS middleware on werkzeug's development "
        "server. With no application, an echo application answers every request with the "
        "request it received, as JSON. Not for production.",
    )
    serve.add_argument(
        "app",
        nargs="?",
        metavar="MODULE:APP",
        help=f"the WSGI application to wrap, as gunicorn names it (default: {DEFAULT_APP}, the "
        "echo application)",
    )
    serve.add_argument("--config", metavar="CONFIG", help=f"{config_help} (default: defaults)")
    serve.add_argument(
        "--debug",
        action="store_true",
        help="turn the policy's debug on: log every CORS decision to stderr, and say in the body "
        "of a failed preflight why it failed",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8080, help="port to bind; 0 picks a free one (default: 8080)"
    )

    migrate = _command(
        commands,
        cmd_migrate,
        "print the wsgicors equivalent of django-cors-headers or flask-cors settings",
        "Read django-cors-headers' CORS_* settings or flask-cors' CORS_* keys as they are and "
        "print the equivalent WSGICORS options (a KrakenD security/cors object, or a Python "
        "dict with --python), every difference worth knowing, and every setting refused with "
        "its fix. Exit status 1 when a setting is refused.",
    )
    source = migrate.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--django-settings",
        metavar="MODULE",
        help="a Django settings module importable from here, or a settings .py file",
    )
    source.add_argument(
        "--flask-app",
        metavar="MODULE:APP",
        help="a Flask application as gunicorn names it, or a config .py or .json file",
    )
    migrate.add_argument(
        "--python", action="store_true", help="print a WSGICORS = {...} assignment instead of JSON"
    )

    why = _command(
        commands,
        cmd_why,
        "name the failed check behind a browser console message, and the fix",
        "Read a console message from Chromium, Firefox or WebKit and name the CORS check that "
        "failed; with --config, replay the request it describes against the configuration and "
        "name the cause and the change that lifts it. Exit status 2 when the message names a "
        "blocked request, 1 when it is not a CORS message wsgicors knows.",
    )
    why.add_argument("message", metavar="MESSAGE", help="the console message, quoted")
    why.add_argument("--config", metavar="CONFIG", help=config_help)
    why.add_argument(
        "--origin", help="the page's origin, when the message does not name it (Firefox)"
    )
    why.add_argument(
        "--method", default="GET", help="the method the page's fetch() used (default: GET)"
    )
    why.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME[: VALUE]'",
        help="a header the page's script set; repeat for more",
    )
    why.add_argument(
        "--credentials", action="store_true", help="the page sent credentials: 'include'"
    )
    why.add_argument("--path", help="the request's path, when the message names no URL")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wsgicors")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        # --help, --version and usage errors; keep main() usable in-process.
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return handler(args)
    except ToolError as error:
        return _error(str(error))
    except PolicyError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`wsgicors explain ... | head`): stop quietly, and keep the
        # interpreter from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
