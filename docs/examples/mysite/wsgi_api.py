"""WSGI config for mysite with CORS on /api only, with cookies, for one trusted origin."""

import os

from django.core.wsgi import get_wsgi_application

from wsgicors import CORSMiddleware, CORSPolicy

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = CORSMiddleware(
    get_wsgi_application(),
    {
        "/api": CORSPolicy(
            allow_origins=["https://app.example.com"],
            allow_credentials=True,
        ),
    },
)
