"""Per-view policies: ``@cors_policy(policy)`` on a Flask or Django view.

The decorator marks the view (or Flask blueprint, or Django class-based view) in place and
returns it unchanged, so its order relative to ``@app.route`` or Django's decorators does
not matter. The middleware asks its router which view a request will reach (for a
preflight, the view the actual request will reach) and applies that view's policy, before
any path scope and before its own policy.
"""

from __future__ import annotations

from typing import TypeVar

import attrs

from .policy import CORSPolicy

__all__ = ["ViewMarker", "ViewPolicy", "cors_policy", "marked_views", "view_policy"]

T = TypeVar("T")

# The attribute the decorator sets. functools.wraps copies __dict__, so a view wrapped by
# Django's decorators (require_POST, csrf_exempt, ...) after being marked keeps the mark.
ATTRIBUTE = "__wsgicors_policy__"
# Decorators that do not copy __dict__ still set __wrapped__: followed this deep at most.
_MAX_DEPTH = 32

_marked = 0


@attrs.frozen
class ViewPolicy:
    """The policy a view was marked with: a :class:`~wsgicors.CORSPolicy`, or ``None`` for
    no CORS at all."""

    policy: CORSPolicy | None


def cors_policy(policy: CORSPolicy | None) -> ViewMarker:
    """Mark a view, a Django class-based view or a Flask blueprint with its own policy.

    ``None`` turns CORS off for it. The policy is checked when the view's module is
    imported: anything but a ``CORSPolicy`` or ``None`` is a ``TypeError`` then.
    """
    if not (policy is None or isinstance(policy, CORSPolicy)):
        raise TypeError(
            f"cors_policy() takes a CORSPolicy or None, not {type(policy).__name__}: write "
            "@cors_policy(CORSPolicy(allow_origins=[...])) or @cors_policy(None)"
        )
    return ViewMarker(ViewPolicy(policy))


class ViewMarker:
    """What :func:`~wsgicors.cors_policy` returns: applied to a view, marks it, returns it."""

    def __init__(self, mark: ViewPolicy) -> None:
        self.mark = mark

    def __call__(self, view: T) -> T:
        global _marked
        try:
            setattr(view, ATTRIBUTE, self.mark)
        except (AttributeError, TypeError):
            raise TypeError(
                f"cors_policy() marks a view function, a class-based view or a blueprint; "
                f"{view!r} cannot carry an attribute"
            ) from None
        _marked += 1
        return view


def marked_views() -> int:
    """How many views, classes and blueprints have been marked in this process.

    While there are none, the middleware never asks its router which view a request reaches.
    """
    return _marked


def view_policy(view: object) -> ViewPolicy | None:
    """The mark of ``view``: on the function, a decorator's ``__wrapped__`` chain, or the
    class of a Django ``as_view()`` function. ``None`` when it has none."""
    for _ in range(_MAX_DEPTH):
        mark = getattr(view, ATTRIBUTE, None)
        if isinstance(mark, ViewPolicy):
            return mark
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            mark = getattr(view_class, ATTRIBUTE, None)
            if isinstance(mark, ViewPolicy):
                return mark
        view = getattr(view, "__wrapped__", None)
        if view is None:
            return None
    return None
