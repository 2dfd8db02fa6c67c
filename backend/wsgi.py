"""WSGI entry point (gunicorn backend.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.base")
application = get_wsgi_application()
