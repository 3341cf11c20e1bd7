"""Flask: ``init_app(app)``, the extension convention, over :class:`~wsgicors.CORSMiddleware`.

::

    from wsgicors.integrations.flask import init_app

    def create_app():
        app = Flask(__name__)
        app.config.from_prefixed_env()
        init_app(app)
        return app

``init_app`` wraps ``app.wsgi_app`` with the middleware (``router=app``, so ``auto_options``
and per-view policies see Flask's routes) and keeps it in ``app.extensions["wsgicors"]``.
The policy comes from, in order:

- the ``policy`` argument (a :class:`~wsgicors.CORSPolicy`, a mapping of path prefixes, or
  the options of :meth:`CORSPolicy.from_dict <wsgicors.CORSPolicy.from_dict>`);
- ``app.config["WSGICORS"]``, in the same shapes, or ``"flask-cors"``;
- flask-cors' ``CORS_*`` keys, read with flask-cors' meanings and defaults, when any is set;
- otherwise :class:`~wsgicors.CORSPolicy`'s defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..decisions import Decision
from ..middleware import CORSMiddleware, PolicySpec
from ..policy import CORSPolicy
from .peers import FLASK_CORS, FLASK_SETTINGS, spec_from_setting, translate_flask_cors

__all__ = ["EXTENSION", "SETTING", "init_app", "policy_from_config"]

#: The key of ``app.extensions`` (and the name of the config key) the extension uses.
EXTENSION = "wsgicors"
SETTING = "WSGICORS"


def policy_from_config(config: Any) -> PolicySpec:
    """The policy ``app.config`` describes (see the module's documentation)."""
    source = f'app.config["{SETTING}"]'
    value = config.get(SETTING)
    if value == FLASK_CORS or (
        value is None and any(config.get(key) is not None for key in FLASK_SETTINGS)
    ):
        return translate_flask_cors(config).policy("flask-cors' CORS_* keys in app.config")
    if value is None:
        return None
    return spec_from_setting(value, source, f'app.config["{SETTING}"]')


def init_app(
    app: Any,
    policy: CORSPolicy | Mapping[str, Any] | None = None,
    *,
    on_decision: Callable[[Decision], object] | None = None,
    shadow: PolicySpec = None,
) -> CORSMiddleware:
    """Put the CORS middleware around ``app.wsgi_app``, with the policy from ``app.config``
    unless ``policy`` is given; returns the middleware (also ``app.extensions["wsgicors"]``).

    Calling it twice on one app is a ``RuntimeError``: the second layer would answer again.
    """
    extensions = app.extensions
    if EXTENSION in extensions:
        raise RuntimeError(
            f"wsgicors is already set up on {app!r} (app.extensions[{EXTENSION!r}]): call "
            "init_app(app) once per application; to change the policy, assign "
            f"app.extensions[{EXTENSION!r}].policy"
        )
    if policy is None:
        spec = policy_from_config(app.config)
    elif isinstance(policy, Mapping):
        spec = spec_from_setting(policy, "init_app(policy=...)", "policy")
    else:
        spec = policy
    middleware = CORSMiddleware(
        app.wsgi_app, spec, router=app, on_decision=on_decision, shadow=shadow
    )
    app.wsgi_app = middleware
    extensions[EXTENSION] = middleware
    return middleware
