"""WSGI config: Django's generated file, importing get_wsgi_application from wsgicors.

wsgicors' get_wsgi_application() is Django's, wrapped in CORSMiddleware with the policy in
settings.WSGICORS; auto_options reads each path's methods from the URLconf.
"""

import os

from wsgicors.integrations.django import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoproject.settings")

application = get_wsgi_application()
