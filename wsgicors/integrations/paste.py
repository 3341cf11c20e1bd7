"""The Paste Deploy filter ``egg:wsgicors#middleware``.

.. code-block:: ini

    [filter:cors]
    use = egg:wsgicors#middleware
    config = %(here)s/krakend.json

    [pipeline:main]
    pipeline = cors myapp

``config`` names a JSON file (a whole ``krakend.json`` or a bare ``security/cors`` object);
a relative path is read from the directory of the ini file. Without ``config``, the keys of
the old ``wsgicors`` 0.7 filter (``policy = name`` and ``name_origin = ...``, see
``wsgicors.compat``) keep working unchanged.

As in 0.7, the options shared by the whole file (its ``[DEFAULT]`` section, and
``loadapp(..., global_conf={...})``) count too, under the filter's own: ``policy``,
``matchstrategy``, ``config`` and the keys of the named policies are read from them, and
every other shared option is left to the components it is meant for. Where the policy
comes from, first match wins:

1. ``config`` in the filter's section (with any other key there: refused);
2. ``policy`` anywhere, or 0.7 options in the filter's section;
3. ``config`` in the shared options;
4. the file named by ``$WSGICORS_CONFIG``.

A filter with none of them is refused at start-up: it never falls back to a policy it was
not given (the defaults allow every origin).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..compat import legacy_middleware
from ..config import CONFIG_ENV, policy_from_config
from ..errors import PolicyError, Problem
from ..middleware import CORSMiddleware

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

__all__ = ["filter_app_factory"]

# What Paste Deploy adds to the shared options of every section.
_PASTE_KEYS = ("__file__", "here")


def filter_app_factory(
    app: WSGIApplication, global_conf: Mapping[str, str], **local_conf: str
) -> CORSMiddleware:
    """Paste Deploy's ``paste.filter_app_factory`` entry point ``middleware``."""
    ini_file = global_conf.get("__file__")
    here = global_conf.get("here")
    shared = {key: value for key, value in global_conf.items() if key not in _PASTE_KEYS}
    config = local_conf.pop("config", None)
    if config is not None:
        if local_conf:
            raise PolicyError(
                [
                    Problem(
                        key,
                        value,
                        "the filter takes its policy from the file named by 'config' alone",
                        "move this option into the JSON file, or remove 'config' to use the "
                        "wsgicors 0.7 keys",
                    )
                    for key, value in local_conf.items()
                ],
                source=ini_file,
            )
        return CORSMiddleware(app, policy_from_config(config, base=here))
    if local_conf or "policy" in shared:
        return legacy_middleware(app, local_conf, source=ini_file, shared=shared)
    if "config" in shared:
        return CORSMiddleware(app, policy_from_config(shared["config"], base=here))
    if os.environ.get(CONFIG_ENV):
        return CORSMiddleware(app, policy_from_config(None, base=here))
    raise PolicyError(
        [
            Problem(
                "config",
                None,
                "the filter found no CORS options (no 'config', no wsgicors 0.7 'policy' in "
                f"its section or in [DEFAULT], and no ${CONFIG_ENV}), and will not guess a "
                "policy",
                "add config = %(here)s/cors.json (a KrakenD 'security/cors' object; "
                '{"allow_origins": ["*"]} allows every origin), or the wsgicors 0.7 keys '
                "policy = api and api_origin = https://app.example.com",
            )
        ],
        source=ini_file,
    )
