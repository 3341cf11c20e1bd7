"""mysite's settings with the CORS policy kept in Django settings."""

from mysite.settings import *  # noqa: F403

WSGICORS = {
    "allow_origins": ["https://www.example.com"],
    "max_age": "2h",
}
