"""``python -m wsgicors``: the same as the ``wsgicors`` command."""

from .cli import main

raise SystemExit(main())
