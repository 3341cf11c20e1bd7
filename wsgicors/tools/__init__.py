"""The tools beside the runtime: what the ``wsgicors`` command is made of.

- ``browser``: the browser's side of the Fetch standard, as a pure model, per engine;
- ``inputs``: what the commands read: a configuration file, the page's request, an application;
- ``exchange``: sending what a browser sends, through the real middleware in-process or to a
  live server over HTTP, and the browser's verdict on the answers;
- ``diagnose``: why the middleware refused a request (its own structured refusal) and the
  configuration change that lets it through, checked;
- ``report``: the text and JSON reports;
- ``echo``: an application that answers every request with the request itself.

They sit above the middleware and the integrations and import them; nothing in the runtime
imports them, and they never import the command line.
"""

from __future__ import annotations

__all__ = ["ToolError"]


class ToolError(Exception):
    """Bad input, or a server that cannot be reached: one line for the user, exit status 1."""
