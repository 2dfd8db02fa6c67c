#!/usr/bin/env bash
# The API as a mobile team's strict client sees it: serves the API on a free local port with a throwaway
# database and the demo data, lints its live OpenAPI schema (Redocly, clients/typescript/redocly.yaml),
# generates the TypeScript client from it (openapi-typescript), type-checks the visitor's journey with
# `tsc --strict` and runs it against the served API. CLIENT_DATABASE_URL chooses the database (default: SQLite
# in a temporary directory, removed afterwards). A Celery worker sends pushes to a local stand-in for FCM, and
# emails are files, so that the account journey (clients/typescript/src/account_journey.ts) can read the push it
# expects and the password reset link.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements.txt

client=clients/typescript
workdir=$(mktemp -d)
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DJANGO_SETTINGS_MODULE=backend.settings.base
export DATABASE_URL="${CLIENT_DATABASE_URL:-sqlite:///$workdir/client.sqlite3}"
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost MEDIA_ROOT="$workdir/media" SITE_URL="http://127.0.0.1:$port"
# Throttling stays on, as in production, so that the schema documents the 429s.
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH="$workdir/mail"
fcm_port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export FCM_ENDPOINT="http://127.0.0.1:$fcm_port" FCM_PROJECT_ID=otameshi-check
export CELERY_BROKER_URL=filesystem:// CELERY_BROKER_FOLDER="$workdir/broker"
mkdir -p "$workdir/mail" "$workdir/broker"
export STRIPE_SECRET_KEY="" STRIPE_WEBHOOK_SECRET=""

echo "== npm packages (pinned in $client/package-lock.json)"
(cd "$client" && npm ci --no-audit --no-fund --loglevel=error)

echo "== API on 127.0.0.1:$port with the demo data"
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py seed_demo >/dev/null
# Takanabe's staff, who grant the account journey's application (its programme asks for one before the stay).
.venv/bin/python manage.py shell -c "from accounts.models import User; from facilities.models import Municipality; \
User.objects.create_user('staff@takanabe.check.otameshi.jp', 'takanabe-check-passphrase', \
role='municipal_staff', municipality=Municipality.objects.get(code='454028'))" >/dev/null
.venv/bin/python -m tests.notifications.fcm_stand_in "$fcm_port" &
fcm=$!
.venv/bin/celery --quiet -A backend worker --pool solo --concurrency 1 --without-heartbeat --without-gossip \
    --without-mingle --loglevel WARNING --logfile "$workdir/worker.log" &
worker=$!
.venv/bin/gunicorn backend.wsgi --bind "127.0.0.1:$port" --workers 2 --timeout 60 \
    --access-logfile /dev/null --error-logfile "$workdir/server.log" &
server=$!
trap 'kill $server $worker $fcm 2>/dev/null || true; wait $server $worker $fcm 2>/dev/null || true; rm -rf "$workdir"' EXIT
served=false
for _ in $(seq 1 60); do
    if curl -fsS -H "Accept: application/vnd.oai.openapi+json" "http://127.0.0.1:$port/api/schema/" \
            -o "$client/schema.json" 2>/dev/null; then
        served=true
        break
    fi
    sleep 0.5
done
if [ "$served" != true ]; then
    echo "the API did not start"; tail -n 50 "$workdir/server.log" || true; exit 1
fi

status=0
# Each step stops the check when it fails: `set -e` does not apply inside a subshell on the left of `||`, so the
# steps are chained with `&&` (a type error must not fall through to a journey compiled anyway).
(
    cd "$client" &&
        echo "== redocly lint" &&
        npx --no-install redocly lint --config redocly.yaml --format summary schema.json &&
        echo "== openapi-typescript" &&
        node generate.mjs &&
        echo "== tsc --strict" &&
        npx --no-install tsc -p . &&
        echo "== the visitor's journey against the served API" &&
        node dist/journey.js "http://127.0.0.1:$port" &&
        echo "== the account journey: deletion, password change and reset, a device and its push" &&
        node dist/account_journey.js "http://127.0.0.1:$port" "$FCM_ENDPOINT" "$workdir/mail"
) || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log ---"
    tail -n 100 "$workdir/server.log" || true
    echo "--- worker log ---"
    tail -n 50 "$workdir/worker.log" || true
fi
exit "$status"
