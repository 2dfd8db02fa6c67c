from .celery import app as celery_app  # noqa: F401  (loaded with Django so shared tasks bind to it)
