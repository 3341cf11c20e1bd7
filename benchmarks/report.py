"""Added times, the ratios wsgicors promises, and the printed tables."""

from __future__ import annotations

import math
from typing import Any

from benchmarks.timing import Sample

# group -> scenario -> variant -> figures (seconds)
Results = dict[str, dict[str, dict[str, dict[str, Any]]]]


def figures(samples: dict[str, Sample], base: str) -> dict[str, dict[str, Any]]:
    """Per-call min and median of each variant, and what each adds over ``base``."""
    base_min, base_median = samples[base].min, samples[base].median
    out: dict[str, dict[str, Any]] = {}
    for name, sample in samples.items():
        out[name] = {
            "number": sample.number,
            "repeat": len(sample.per_call),
            "min": sample.min,
            "median": sample.median,
            "added_min": None if name == base else sample.min - base_min,
            "added_median": None if name == base else sample.median - base_median,
        }
    return out


def _added(results: Results, group: str, scenario: str, variant: str) -> float | None:
    try:
        value = results[group][scenario][variant]["added_min"]
    except KeyError:
        return None
    return None if value is None else float(value)


def _div(a: float | None, b: float | None) -> float | None:
    """a / b; infinity when only the denominator is below the measurement's resolution."""
    if a is None or b is None or (a <= 0 and b <= 0):
        return None
    return math.inf if b <= 0 else a / b


def _check(value: float | None, op: str, threshold: float) -> bool | None:
    if value is None:
        return None
    return value <= threshold if op == "<=" else value >= threshold


def _json_number(value: float | None) -> float | None:
    """JSON has no infinity: an unbounded ratio is written as null with ``"unbounded": true``."""
    return None if value is None or math.isinf(value) else value


# key -> (description, op, threshold)
TARGETS: dict[str, tuple[str, str, float]] = {
    "actual_added_vs_wsgicors_070": (
        "allowed actual request: ours added / wsgicors 0.7.0 added",
        "<=",
        1.0,
    ),
    "flask_cors_added_over_ours": (
        "Flask, allowed actual request: flask-cors added / ours added",
        ">=",
        10.0,
    ),
    "django_cors_headers_added_over_ours": (
        "Django, allowed actual request: django-cors-headers added / ours added",
        ">=",
        20.0,
    ),
    "preflight_vs_wsgicors_070": (
        "allowed preflight: ours added / wsgicors 0.7.0 added",
        "<=",
        1.0,
    ),
    "scale_10k_origins_100_wildcards_vs_1_origin": (
        "10,000 origins + 100 wildcards / 1 origin [+1 wildcard] (worst)",
        "<=",
        1.1,
    ),
    "adversarial_acrh_vs_normal_preflight": (
        "4 KB adversarial ACRH / normal uncached preflight (worst)",
        "<=",
        10.0,
    ),
    "hostile_values_vs_normal_request": (
        "every hostile value / matching normal request (worst)",
        "<=",
        10.0,
    ),
    "view_policy_vs_global_policy": (
        "Flask, 100 routes: a marked view's policy added / one global policy added",
        "<=",
        2.0,
    ),
    "on_decision_vs_without": (
        "allowed actual request: with on_decision added / without",
        "<=",
        1.5,
    ),
    "shadow_vs_without": (
        "shadow candidate deciding otherwise: with shadow added / without",
        "<=",
        2.5,
    ),
    "gunicorn_rps_with_over_without": (
        "gunicorn + wrk: requests/s with ours / without",
        ">=",
        0.98,
    ),
    "gunicorn_requests_per_cpu_second_with_over_without": (
        "gunicorn: requests per worker CPU-second, with / without",
        ">=",
        0.98,
    ),
}


def ratios(
    results: Results,
    adversarial: tuple[str, ...],
    scale_baselines: dict[str, str],
    hostile_baselines: dict[str, str],
    server: dict[str, Any] | None,
) -> dict[str, dict[str, Any]]:
    def added(group: str, scenario: str, variant: str) -> float | None:
        return _added(results, group, scenario, variant)

    def worst(pairs: dict[str, float | None]) -> float | None:
        known = [v for v in pairs.values() if v is not None]
        return max(known) if known and len(known) == len(pairs) else None

    big = "origins_10000_wildcards_100"
    scale = {
        s: _div(added("scale", s, big), added("scale", s, b)) for s, b in scale_baselines.items()
    }
    # The literal reading (against one exact origin and no wildcard) for every scenario.
    scale_vs_one = {
        s: _div(added("scale", s, big), added("scale", s, "origins_1")) for s in scale_baselines
    }
    acrh = {
        s: _div(added("wsgi", s, "ours"), added("wsgi", "preflight_uncached", "ours"))
        for s in adversarial
    }
    # Against a normal preflight repeated verbatim, which a cache of answers may serve.
    acrh_vs_repeated = {
        s: _div(added("wsgi", s, "ours"), added("wsgi", "preflight_allowed", "ours"))
        for s in adversarial
    }
    # Each hostile request against the normal one under the same policy, both with values
    # that change on every call.
    hostile = {
        s: _div(added("hostile", s, "ours"), added("hostile", b, "ours"))
        for s, b in hostile_baselines.items()
    }
    values: dict[str, tuple[float | None, dict[str, Any]]] = {
        "actual_added_vs_wsgicors_070": (
            _div(
                added("wsgi", "actual_allowed", "ours"),
                added("wsgi", "actual_allowed", "wsgicors_070"),
            ),
            {},
        ),
        "flask_cors_added_over_ours": (
            _div(
                added("flask", "actual_allowed", "flask_cors"),
                added("flask", "actual_allowed", "ours"),
            ),
            {},
        ),
        "django_cors_headers_added_over_ours": (
            _div(
                added("django", "actual_allowed", "django_cors_headers"),
                added("django", "actual_allowed", "ours"),
            ),
            {},
        ),
        "preflight_vs_wsgicors_070": (
            _div(
                added("wsgi", "preflight_allowed", "ours"),
                added("wsgi", "preflight_allowed", "wsgicors_070"),
            ),
            {},
        ),
        "scale_10k_origins_100_wildcards_vs_1_origin": (
            worst(scale),
            {"per_scenario": scale, "per_scenario_vs_origins_1": scale_vs_one},
        ),
        "adversarial_acrh_vs_normal_preflight": (
            worst(acrh),
            {"per_scenario": acrh, "per_scenario_vs_repeated_preflight": acrh_vs_repeated},
        ),
        "hostile_values_vs_normal_request": (worst(hostile), {"per_scenario": hostile}),
        "view_policy_vs_global_policy": (
            _div(
                added("views", "decorated_path", "per_view"),
                added("views", "decorated_path", "global"),
            ),
            {},
        ),
        "on_decision_vs_without": (
            _div(
                added("observe", "actual_allowed", "on_decision"),
                added("observe", "actual_allowed", "ours"),
            ),
            {},
        ),
        "shadow_vs_without": (
            _div(
                added("observe", "shadow_differs", "open_shadow"),
                added("observe", "shadow_differs", "open"),
            ),
            {},
        ),
        "gunicorn_rps_with_over_without": (
            None if server is None else server["ratio"],
            {} if server is None else {"quartiles": server["ratio_quartiles"]},
        ),
        "gunicorn_requests_per_cpu_second_with_over_without": (
            None if server is None else server["cpu_ratio"],
            {} if server is None else {"quartiles": server["cpu_ratio_quartiles"]},
        ),
    }
    out: dict[str, dict[str, Any]] = {}
    for key, (description, op, threshold) in TARGETS.items():
        value, detail = values[key]
        quartiles = detail.pop("quartiles", None)
        # A median whose quartiles straddle the target says nothing either way.
        inconclusive = bool(quartiles) and quartiles[0] < threshold < quartiles[1]
        out[key] = {
            "description": description,
            "value": _json_number(value),
            "unbounded": value is not None and math.isinf(value),
            "target": f"{op} {threshold:g}",
            "met": None if inconclusive else _check(value, op, threshold),
            "inconclusive": inconclusive,
            "quartiles": quartiles,
            **{k: {s: _json_number(v) for s, v in d.items()} for k, d in detail.items()},
        }
    return out


# Where the plain added time (neither on_decision nor shadow) is read, first found first:
# the observe group's, else the same layer on the same request in the wsgi group.
PLAIN_ADDED = (("observe", "actual_allowed", "ours"), ("wsgi", "actual_allowed", "ours"))


def plain_added(results: Results) -> tuple[float | None, str | None]:
    """Ours with neither on_decision nor shadow, allowed actual request: (added, where)."""
    for where in PLAIN_ADDED:
        value = _added(results, *where)
        if value is not None:
            return value, "/".join(where)
    return None, None


def previous_plain(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """The plain added time of a previous run's JSON document, with what it came from."""
    if not document:
        return None
    value, where = plain_added(document.get("measurements", {}))
    if value is None:
        return None
    return {
        "added_min": value,
        "from": where,
        "commit": document.get("versions", {}).get("commit"),
        "quick": document.get("settings", {}).get("quick"),
    }


def informational(
    results: Results, previous: dict[str, Any] | None, import_us: list[int] | None
) -> dict[str, Any]:
    """The figures printed without a target: the plain added time now and in the previous
    run, and the import time of the package."""
    value, where = plain_added(results)
    return {
        "plain_added": {"added_min": value, "from": where, "previous": previous},
        "import_time_us": None
        if not import_us
        else {"best": min(import_us), "processes": import_us},
    }


def format_informational(info: dict[str, Any], module: str = "wsgicors") -> str:
    lines = []
    plain = info["plain_added"]
    if plain["added_min"] is not None:
        line = (
            "allowed actual request, neither on_decision nor shadow: ours adds "
            f"{plain['added_min'] * 1e6:.3f} µs"
        )
        previous = plain["previous"]
        if previous is None:
            line += " (no previous run in the JSON file)"
        else:
            line += (
                f"; previous run {previous['added_min'] * 1e6:.3f} µs "
                f"(commit {previous['commit']}"
                + (", a quick run" if previous["quick"] else "")
                + f", from {previous['from']})"
            )
        lines.append(line)
    imported = info["import_time_us"]
    if imported is not None:
        lines.append(
            f"import {module}: {imported['best']} µs cumulative (python -X importtime, best of "
            f"{len(imported['processes'])} fresh processes)"
        )
    return "\n".join(lines)


def _us(value: float | None) -> str:
    return "" if value is None else f"{value * 1e6:9.3f}"


def format_results(results: Results, bases: dict[str, str]) -> str:
    lines = []
    width = max((len(s) for by_scenario in results.values() for s in by_scenario), default=22)
    header = (
        f"{'group':<7} {'scenario':<{width}} {'variant':<28} {'min µs':>9} {'median µs':>9} "
        f"{'added min':>9} {'added med':>9}"
    )
    lines.append(header)
    lines.append("-" * len(header))
    for group, by_scenario in results.items():
        for scenario, by_variant in by_scenario.items():
            for variant, f in by_variant.items():
                lines.append(
                    f"{group:<7} {scenario:<{width}} {variant:<28} {_us(f['min'])} "
                    f"{_us(f['median'])} {_us(f['added_min']):>9} {_us(f['added_median']):>9}"
                )
        lines.append(f"{'':<7} (added = over {bases[group]!r} on the same request)")
    return "\n".join(lines)


def format_ratios(table: dict[str, dict[str, Any]], *, judged: bool = True) -> str:
    def verdict(row: dict[str, Any]) -> str:
        if row["inconclusive"]:
            q1, q3 = row["quartiles"]
            return f"inconclusive: noise, quartiles {q1:.3f}-{q3:.3f}"
        if row["met"] is None:
            return "not measured"
        return ("met" if row["met"] else "not met") + ("" if judged else "*")

    width = max(len(r["description"]) for r in table.values())
    lines = [f"{'target':<{width}}  {'ratio':>8}  {'target':<7}  verdict"]
    lines.append("-" * len(lines[0]))
    for row in table.values():
        value = (
            "inf" if row["unbounded"] else "" if row["value"] is None else f"{row['value']:.3f}"
        )
        lines.append(
            f"{row['description']:<{width}}  {value:>8}  {row['target']:<7}  {verdict(row)}"
        )
    if not judged:
        lines.append("* quick mode: too few iterations for the verdicts to mean anything")
    return "\n".join(lines)


def format_hostile(table: dict[str, dict[str, Any]]) -> str:
    """Each hostile request's added time over that of its normal request, worst first."""
    per_scenario = table.get("hostile_values_vs_normal_request", {}).get("per_scenario")
    if not per_scenario or all(v is None for v in per_scenario.values()):
        return ""
    width = max(len(s) for s in per_scenario)
    lines = [f"{'hostile request':<{width}}  {'/ normal':>8}"]
    lines.append("-" * len(lines[0]))
    known = sorted(((v, s) for s, v in per_scenario.items() if v is not None), reverse=True)
    for value, scenario in known:
        lines.append(f"{scenario:<{width}}  {value:8.2f}")
    lines.extend(f"{s:<{width}}  {'':>8}" for s, v in per_scenario.items() if v is None)
    return "\n".join(lines)
