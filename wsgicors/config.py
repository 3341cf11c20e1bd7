"""Where a policy comes from: a JSON file, ``$WSGICORS_CONFIG``, or the defaults.

The one place that turns configuration files into policies, for the ``wsgicors`` command and
every integration (gunicorn's ``wrap()``, Paste Deploy, Django's settings). A file may hold a
whole ``krakend.json`` or a bare ``security/cors`` object; reading it is
:func:`wsgicors.policy.read_json`, so every problem with it is a
:class:`~wsgicors.PolicyError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .errors import PolicyError
from .policy import CORSPolicy, read_json_text, reading_file

__all__ = ["CONFIG_ENV", "load_policy", "policy_from_config", "policy_from_json"]

CONFIG_ENV = "WSGICORS_CONFIG"
"""The environment variable naming a JSON configuration when none is given."""


def load_policy(path: str | os.PathLike[str], /, **overrides: Any) -> CORSPolicy:
    """Read a policy from a JSON file, in any of the shapes :func:`policy_from_json` reads.

    Keyword ``overrides`` replace or add options, Python-only ones included. Every problem,
    the file's name with them, is one :class:`~wsgicors.PolicyError`; a warning names the
    file and the line of the option it is about.
    """
    source = os.fspath(path)
    data, text = read_json_text(source)
    with reading_file(source, text):
        try:
            return policy_from_json(data, **overrides)
        except PolicyError as error:
            raise PolicyError(error.problems, source=source) from None


def policy_from_json(config: object, /, **overrides: Any) -> CORSPolicy:
    """A policy from parsed JSON: a whole ``krakend.json``, or a bare CORS object.

    An object with an ``extra_config`` key is read as KrakenD reads it
    (``extra_config["security/cors"]`` and ``extra_config["router"]["auto_options"]``); one
    with a ``security/cors`` key is the ``extra_config`` object on its own; any other JSON
    object is the ``security/cors`` object itself.
    """
    if isinstance(config, Mapping) and "extra_config" in config:
        return CORSPolicy.from_krakend(config, **overrides)
    if isinstance(config, Mapping) and "security/cors" in config:
        return CORSPolicy.from_krakend({"extra_config": config}, **overrides)
    return CORSPolicy.from_dict(config, **overrides)  # type: ignore[arg-type]


def policy_from_config(
    config: str | os.PathLike[str] | None = None,
    /,
    *,
    base: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> CORSPolicy:
    """The policy from ``config``, else from ``$WSGICORS_CONFIG``, else the defaults.

    A relative path is read from ``base`` when given, else from the working directory.
    An empty ``WSGICORS_CONFIG`` counts as unset.
    """
    if config is None:
        config = os.environ.get(CONFIG_ENV) or None
        if config is None:
            return CORSPolicy.from_dict({}, **overrides)
    path = os.fspath(config)
    if base is not None and not os.path.isabs(path):
        path = os.path.join(os.fspath(base), path)
    return load_policy(path, **overrides)
