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
``wsgicors.compat``) keep working unchanged; with neither, the file named by
``$WSGICORS_CONFIG`` is read, and failing that the default policy applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..compat import legacy_middleware
from ..errors import PolicyError, Problem
from ..middleware import CORSMiddleware
from . import policy_from_config

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

__all__ = ["filter_app_factory"]


def filter_app_factory(
    app: WSGIApplication, global_conf: Mapping[str, str], **local_conf: str
) -> CORSMiddleware:
    """Paste Deploy's ``paste.filter_app_factory`` entry point ``middleware``."""
    ini_file = global_conf.get("__file__")
    here = global_conf.get("here")
    config = local_conf.pop("config", None)
    if config is None:
        if local_conf:
            return legacy_middleware(app, local_conf, source=ini_file)
        return CORSMiddleware(app, policy_from_config(None, base=here))
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
