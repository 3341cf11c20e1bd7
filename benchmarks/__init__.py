"""Peer comparison for wsgicors: ``python -m benchmarks`` from the repository root.

Measures, in one process and one run, the time each CORS layer adds to the same trivial
application (a bare WSGI app, Flask and Django), and the requests per second gunicorn serves
with and without wsgicors, then checks the ratios promised in DESIGN §7. Run
``python -m benchmarks --help`` for the modes.
"""
