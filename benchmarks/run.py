"""Command line: ``python -m benchmarks [--quick] [--server] [--profile [SCENARIO]]``."""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import logging
import os
import platform
import pstats
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks import apps, peers, report, scenarios, server, timing

DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"
GROUP_BASES = {
    "wsgi": "bare",
    "flask": "flask",
    "django": "django",
    "scale": "bare",
    "hostile": "bare",
    "views": "flask",
    "observe": "bare",
}
# "import" is no group of requests: the import time of the package, in fresh processes.
GROUPS = ",".join([*GROUP_BASES, "import"])
# Layers of the views and observe groups that --profile takes, as group/variant.
FEATURE_PROFILES = (
    "views/global",
    "views/per_view",
    "observe/ours",
    "observe/on_decision",
    "observe/open",
    "observe/open_shadow",
)
ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Compare the time CORS layers add to the same WSGI, Flask and Django app, "
        "and check the ratios wsgicors promises.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke mode for CI: few iterations, no server, no verdict on speed",
    )
    parser.add_argument(
        "--server",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the gunicorn + wrk measurement (default: on, off with --quick)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"where to write all figures (default: {DEFAULT_JSON})",
    )
    parser.add_argument("--repeat", type=int, help="batches per measurement")
    parser.add_argument(
        "--number", type=int, help="calls per batch (default: calibrated to --batch-seconds)"
    )
    parser.add_argument("--batch-seconds", type=float, help="target duration of one batch")
    parser.add_argument(
        "--server-seconds", type=float, default=3.0, help="duration of one wrk run (default: 3)"
    )
    parser.add_argument(
        "--server-rounds",
        type=int,
        default=8,
        help="wrk runs per server, interleaved in rounds (default: 8)",
    )
    parser.add_argument(
        "--profile",
        metavar="SCENARIO",
        nargs="?",
        const="actual_allowed",
        choices=sorted(scenarios.SCENARIOS) + sorted(scenarios.HOSTILE) + list(FEATURE_PROFILES),
        help="only print a cProfile of wsgicors on one scenario, or on one layer of the views "
        "or observe group on its request (default: actual_allowed)",
    )
    parser.add_argument(
        "--ours",
        default="wsgicors",
        metavar="MODULE",
        help="module providing CORSPolicy and CORSMiddleware (default: wsgicors)",
    )
    parser.add_argument(
        "--groups",
        default=GROUPS,
        help=f"comma-separated subset of {GROUPS}",
    )
    return parser


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check_ours_answers(module: ModuleType) -> None:
    """Refuse to time a layer that does not do the job: the figures would mean nothing."""
    app = apps.ours(module, apps.bare_app)
    status, headers, _ = timing.call_once(app, scenarios.SCENARIOS["actual_allowed"])
    if ("Access-Control-Allow-Origin", scenarios.ALLOWED_ORIGIN) not in headers:
        raise RuntimeError(f"{module.__name__} did not allow the allowed origin: {headers}")
    status, headers, _ = timing.call_once(app, scenarios.SCENARIOS["preflight_allowed"])
    if not status.startswith("2"):
        raise RuntimeError(f"{module.__name__} refused the allowed preflight: {status}")
    for name in scenarios.ADVERSARIAL_ACRH:
        status, _, _ = timing.call_once(app, scenarios.SCENARIOS[name])
        if status.startswith("2"):
            raise RuntimeError(f"{module.__name__} allowed the {name} preflight: {status}")
    status, _, _ = timing.call_once(app, scenarios.SCENARIOS["preflight_uncached"])
    if not status.startswith("2"):
        raise RuntimeError(f"{module.__name__} refused the preflight_uncached preflight: {status}")
    layers = apps.hostile_layers(module, apps.bare_app)
    for name, hostile in scenarios.HOSTILE.items():
        environ = hostile.environ.copy()
        key, value = environ.get(scenarios.PER_CALL, (None, None))
        if key is not None:
            environ[key] = value(0)
        status, headers, _ = timing.call_once(layers[hostile.policy], environ)
        allowed = status.startswith("2") and any(
            h[0] == "Access-Control-Allow-Origin" for h in headers
        )
        if allowed == hostile.refused or (
            not hostile.refused and not hostile.baseline and not allowed
        ):
            raise RuntimeError(f"{module.__name__} answered {name} wrongly: {status} {headers}")


def _feature_layers(ours: ModuleType, groups: list[str]) -> dict[str, dict[str, timing.Variant]]:
    """group -> variant -> (app, environ, context) of the views and observe groups."""
    out: dict[str, dict[str, timing.Variant]] = {}
    if "views" in groups:
        if hasattr(ours, "cors_policy"):
            environ = scenarios.VIEW_SCENARIOS["decorated_path"]
            out["views"] = {
                name: (app, environ, context)
                for name, (app, context) in apps.view_layers(ours).items()
            }
        else:
            _log(f"{ours.__name__} has no cors_policy: the views group is skipped")
    if "observe" in groups:
        layers = apps.observe_layers(ours, apps.bare_app)
        out["observe"] = {
            name: (layers[name], environ)
            for environ, names in scenarios.OBSERVE_SCENARIOS.values()
            for name in names
        }
    return out


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _check_feature_layers(layers: dict[str, dict[str, timing.Variant]]) -> None:
    """Each layer of the views and observe groups answers its request as it should; the
    shadow candidate's difference is logged here, once, before any timing."""
    expected = {
        "global": scenarios.ALLOWED_ORIGIN,
        "per_view": scenarios.ALLOWED_ORIGIN,  # only the view's policy names it
        "ours": scenarios.ALLOWED_ORIGIN,
        "on_decision": scenarios.ALLOWED_ORIGIN,
        "open": "*",
        "open_shadow": "*",
    }
    shadow_logger = logging.getLogger("wsgicors.shadow")
    for group, variants in layers.items():
        for name, variant in variants.items():
            if name not in expected:
                continue
            records = _Records()
            shadow_logger.addHandler(records)
            propagate, shadow_logger.propagate = shadow_logger.propagate, False
            try:
                with timing.batch_context(variant):
                    _, headers, _ = timing.call_once(variant[0], variant[1])
                    # The same request again: a difference already reported is not logged.
                    timing.call_once(variant[0], variant[1])
            finally:
                shadow_logger.removeHandler(records)
                shadow_logger.propagate = propagate
            if ("Access-Control-Allow-Origin", expected[name]) not in headers:
                raise RuntimeError(f"{group}/{name} answered wrongly: {headers}")
            warnings = 1 if name == "open_shadow" else 0
            if len(records.records) != warnings:
                raise RuntimeError(
                    f"{group}/{name} logged {len(records.records)} shadow warnings, not "
                    f"{warnings}: {[r.getMessage() for r in records.records]}"
                )


def _versions(ours: ModuleType | None) -> dict[str, Any]:
    wrk = None
    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        wrk = wrk.splitlines()[0] if wrk else None
    except OSError:
        pass
    return {
        "wsgicors": None if ours is None else (peers.version("wsgicors") or "source tree"),
        "commit": _commit(),
        "ours_module": None if ours is None else ours.__name__,
        "wsgicors_070": peers.OLD_VERSION,
        "flask": peers.version("flask"),
        "flask_cors": peers.version("flask-cors"),
        "django": peers.version("django"),
        "django_cors_headers": peers.version("django-cors-headers"),
        "gunicorn": peers.version("gunicorn"),
        "wrk": wrk,
    }


def _commit() -> str | None:
    """The source tree's commit, marked "+changes" when wsgicors/ differs from it."""
    root = ROOT
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "wsgicors"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return None
    return (head + ("+changes" if changed else "")) or None


def _read_previous(path: Path) -> dict[str, Any] | None:
    """The JSON document of the previous run, which this run is about to replace."""
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return document


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def _build_groups(
    groups: list[str], ours: ModuleType | None, old: ModuleType
) -> dict[str, dict[str, dict[str, timing.Variant]]]:
    """group -> scenario -> variant -> (app, environ[, context around each batch])."""
    out: dict[str, dict[str, dict[str, timing.Variant]]] = {}
    if "wsgi" in groups:
        layers: dict[str, apps.WSGIApp] = {
            "bare": apps.bare_app,
            "floor": apps.FloorMiddleware(apps.bare_app),
            "wsgicors_070": apps.old_wsgicors(old, apps.bare_app),
        }
        if ours is not None:
            layers["ours"] = apps.ours(ours, apps.bare_app)
        out["wsgi"] = {
            s: {v: (app, env) for v, app in layers.items()}
            for s, env in scenarios.SCENARIOS.items()
        }
    if "flask" in groups:
        flask_bare = apps.flask_app()
        layers = {"flask": flask_bare, "flask_cors": apps.flask_app(with_flask_cors=True)}
        if ours is not None:
            layers["ours"] = apps.ours(ours, flask_bare)
        out["flask"] = {
            s: {v: (app, scenarios.SCENARIOS[s]) for v, app in layers.items()}
            for s in scenarios.FRAMEWORK_SCENARIOS
        }
    if "django" in groups:
        django_bare = apps.django_app()
        layers = {
            "django": django_bare,
            "django_cors_headers": apps.django_app(with_django_cors_headers=True),
        }
        if ours is not None:
            layers["ours"] = apps.ours(ours, django_bare)
        out["django"] = {
            s: {v: (app, scenarios.SCENARIOS[s]) for v, app in layers.items()}
            for s in scenarios.FRAMEWORK_SCENARIOS
        }
    if "hostile" in groups and ours is not None:
        layers = apps.hostile_layers(ours, apps.bare_app)
        out["hostile"] = {
            s: {"bare": (apps.bare_app, h.environ), "ours": (layers[h.policy], h.environ)}
            for s, h in scenarios.HOSTILE.items()
        }
    if "scale" in groups and ours is not None:
        configs = {
            name: apps.ours(ours, apps.bare_app, origins)
            for name, origins in scenarios.scale_configs().items()
        }
        out["scale"] = {
            s: {"bare": (apps.bare_app, env)} | {c: (app, env) for c, app in configs.items()}
            for s, env in scenarios.SCALE_SCENARIOS.items()
        }
    if ours is not None:
        features = _feature_layers(ours, groups)
        _check_feature_layers(features)
        if "views" in features:
            out["views"] = {"decorated_path": features["views"]}
        if "observe" in features:
            observe = features["observe"]
            out["observe"] = {
                s: {"bare": (apps.bare_app, env)} | {n: observe[n] for n in names}
                for s, (env, names) in scenarios.OBSERVE_SCENARIOS.items()
            }
    return out


def _profile(ours: ModuleType, scenario: str, number: int) -> None:
    context: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if scenario in scenarios.HOSTILE:
        hostile = scenarios.HOSTILE[scenario]
        app, env = apps.hostile_layers(ours, apps.bare_app)[hostile.policy], hostile.environ
    elif scenario in FEATURE_PROFILES:
        group, _, name = scenario.partition("/")
        if group == "views":
            peers.ensure_installed(peers.FRAMEWORKS)
        layers = _feature_layers(ours, [group])
        _check_feature_layers(layers)
        variant = layers[group][name]
        app, env, context = variant[0], variant[1], timing.batch_context(variant)
    else:
        app, env = apps.ours(ours, apps.bare_app), scenarios.SCENARIOS[scenario]
    profiler = cProfile.Profile()
    with context:
        timing.time_batch(app, env, 1000)
        profiler.runcall(timing.time_batch, app, env, number)
    print(f"cProfile of {ours.__name__}.CORSMiddleware, {scenario}, {number} calls")
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(20)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    ours = peers.load_ours(args.ours)
    if ours is None:
        _log(f"{args.ours} provides no CORSMiddleware yet: measuring the peers only")
    else:
        _check_ours_answers(ours)

    if args.profile:
        if ours is None:
            return 1
        _profile(ours, args.profile, args.number or 200_000)
        return 0

    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    previous = _read_previous(args.json)
    peers.ensure_installed(peers.FRAMEWORKS | peers.PEERS)
    old = peers.load_old_wsgicors()
    repeat = args.repeat or (3 if args.quick else 21)
    batch_seconds = args.batch_seconds or (0.002 if args.quick else 0.05)
    # About forty hostile requests, each against its normal one: a tenfold target needs
    # fewer and shorter batches than the ratios near 1, which keeps them to about 30 s.
    hostile_repeat = args.repeat or (3 if args.quick else 9)
    hostile_batch_seconds = args.batch_seconds or (0.002 if args.quick else 0.03)
    run_server = (not args.quick) if args.server is None else args.server

    measured = _build_groups(groups, ours, old)
    results: report.Results = {}
    for group, by_scenario in measured.items():
        results[group] = {}
        for scenario, variants in by_scenario.items():
            # A framework's own time varies by a microsecond or two from batch to batch, as
            # much as ours adds: the requests its ratios rest on get twice the batches.
            heavy = (group in ("flask", "django") and scenario == "actual_allowed") or (
                group == "views"
            )
            hostile = group == "hostile"
            samples = timing.measure(
                variants,
                repeat=hostile_repeat
                if hostile
                else repeat * 2
                if heavy and not args.quick
                else repeat,
                target=hostile_batch_seconds if hostile else batch_seconds,
                number=args.number,
            )
            results[group][scenario] = report.figures(samples, GROUP_BASES[group])
            _log(f"measured {group}/{scenario}")

    import_us = None
    if "import" in groups and ours is not None:
        # Five fresh interpreters take about half a second; one is enough for a smoke run.
        import_us = timing.import_time(ours.__name__, 1 if args.quick else 5, ROOT)
        _log("measured import time")

    server_figures = None
    if run_server and ours is not None:
        peers.ensure_installed(peers.SERVER)
        _log("gunicorn + wrk ...")
        server_figures = server.run(
            ours.__name__, seconds=args.server_seconds, rounds=args.server_rounds
        )

    if server_figures is not None:
        # What the in-process figure predicts for the server: the time ours adds, against
        # the CPU time one request costs the bare server's worker.
        added = results.get("wsgi", {}).get("actual_allowed", {}).get("ours", {}).get("added_min")
        per_request = 1 / server_figures["requests_per_cpu_second"]["bare"]
        server_figures["predicted_ratio"] = (
            None if added is None else per_request / (per_request + max(added, 0.0))
        )
    table = report.ratios(
        results,
        tuple(scenarios.ADVERSARIAL_ACRH),
        scenarios.SCALE_BASELINES,
        scenarios.HOSTILE_BASELINES,
        server_figures,
    )
    info = report.informational(results, report.previous_plain(previous), import_us)
    machine = _machine()
    document = {
        "machine": machine,
        "versions": _versions(ours),
        "settings": {
            "quick": args.quick,
            "repeat": repeat,
            "batch_seconds": batch_seconds,
            "hostile_repeat": hostile_repeat,
            "hostile_batch_seconds": hostile_batch_seconds,
            "number": args.number,
            "unit": "seconds per call",
        },
        "measurements": results,
        "ratios": table,
        "server": server_figures,
        "informational": info,
        "elapsed_seconds": time.monotonic() - started,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n")

    print(
        f"{machine['implementation']} {machine['python']} on {machine['platform']}, "
        f"{machine['cpus']} CPUs"
    )
    print(report.format_results(results, GROUP_BASES))
    print()
    if server_figures is not None:
        rps = server_figures["requests_per_second"]
        print(
            f"gunicorn {server_figures['worker_class']} + wrk: {rps['bare']:.0f} req/s bare, "
            f"{rps['ours']:.0f} req/s with ours; median ratio over {server_figures['rounds']} "
            f"interleaved rounds {server_figures['ratio']:.3f} (rounds: "
            + ", ".join(f"{r:.3f}" for r in server_figures["pair_ratios"])
            + ")"
        )
        cpu = server_figures["requests_per_cpu_second"]
        print(
            f"gunicorn worker: {cpu['bare']:.0f} requests per CPU-second bare, "
            f"{cpu['ours']:.0f} with ours; median ratio {server_figures['cpu_ratio']:.3f}"
        )
        print(
            "  of which the two extra header lines alone (bare app sending them itself): "
            f"{server_figures['cpu_ratio_same_headers_over_bare']:.3f}; ours against that app: "
            f"{server_figures['cpu_ratio_ours_over_same_headers']:.3f}"
        )
        if server_figures["predicted_ratio"] is not None:
            print(
                f"predicted from the in-process figure ({1e6 / cpu['bare']:.0f} µs of worker CPU "
                f"per request, plus what ours adds): {server_figures['predicted_ratio']:.4f}"
            )
        print()
    hostile_table = report.format_hostile(table)
    if hostile_table:
        print(hostile_table)
        print()
    print(report.format_ratios(table, judged=not args.quick))
    informational = report.format_informational(info, ours.__name__ if ours else "wsgicors")
    if informational:
        print(informational)
    print(f"\nfigures written to {args.json} in {time.monotonic() - started:.0f} s")
    return 0
