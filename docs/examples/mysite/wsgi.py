"""WSGI config for mysite: Django's generated file plus two lines of wsgicors."""

import os

from django.core.wsgi import get_wsgi_application

from wsgicors import CORSMiddleware, CORSPolicy

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = CORSMiddleware(
    get_wsgi_application(),
    CORSPolicy(allow_origins=["https://www.example.com"]),
)
