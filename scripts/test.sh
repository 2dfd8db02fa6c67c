#!/usr/bin/env bash
# Runs the whole test suite (SQLite by default; set DATABASE_URL=postgres://... for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
