#!/usr/bin/env bash
# Sets up the service on SQLite with the demo data and serves the API on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements.txt
unset DATABASE_URL  # the demo always runs on the embedded SQLite database
export DJANGO_SETTINGS_MODULE=backend.settings.base
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
