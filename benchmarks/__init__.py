"""Peer comparison for wsgicors: ``python -m benchmarks`` from the repository root.

Measures, in one process and one run, the time each CORS layer adds to the same trivial
application (a bare WSGI app, Flask and Django) and what hostile request values cost it, and
the requests per second gunicorn serves with and without wsgicors, then checks the ratios
wsgicors promises. Run
``python -m benchmarks --help`` for the modes.
"""
