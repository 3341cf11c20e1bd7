"""WSGI config for mysite, reading the CORS policy from settings.WSGICORS."""

import os

from wsgicors.integrations.django import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings_cors")

application = get_wsgi_application()
