"""The smallest Django settings for an API with CORS: the policy is ``WSGICORS``."""

SECRET_KEY = "example-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "djangoproject.urls"
WSGI_APPLICATION = "djangoproject.wsgi.application"
INSTALLED_APPS: list[str] = []
# CommonMiddleware redirects /api/items to /api/items/ (APPEND_SLASH).
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
USE_TZ = True

# The keys of a KrakenD "security/cors" object; read by wsgicors' get_wsgi_application().
WSGICORS = {
    "allow_origins": ["https://www.domain.com", "https://*.domain.com"],
    "allow_methods": ["GET", "HEAD", "POST", "PUT", "DELETE"],
    "allow_headers": ["X-CSRFToken"],
    "expose_headers": ["ETag"],
    "max_age": "1h",
    "auto_options": True,
}
