"""Adapters that put :class:`~wsgicors.CORSMiddleware` in front of an application.

- ``wsgicors.integrations.gunicorn``: :func:`~wsgicors.wrap`, an application factory for
  the gunicorn command line;
- ``wsgicors.integrations.django``: a policy kept in ``settings.WSGICORS``;
- ``wsgicors.integrations.paste``: the Paste Deploy filter ``egg:wsgicors#middleware``.

This package imports no framework: each module imports its own only when it is used.
Configuration files are read by ``wsgicors.config``, whose names are also here.
"""

from __future__ import annotations

from ..config import CONFIG_ENV, load_policy, policy_from_config, policy_from_json

__all__ = ["CONFIG_ENV", "load_policy", "policy_from_config", "policy_from_json"]
