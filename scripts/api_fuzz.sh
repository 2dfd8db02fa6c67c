#!/usr/bin/env bash
# Serves the API with the demo data and the real objects of scripts/fuzz_fixtures.py, and runs a bounded
# schemathesis pass against its live OpenAPI schema with their ids in the parameters: no 5xx, and every response
# (status, content type, body, headers) as the schema documents it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements-dev.txt

# Free ports unless given, so that two passes on one machine (two CI runs) never share a server.
read -r free_port free_geocoder_port < <(.venv/bin/python - <<'PY'
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
PY
)
port="${FUZZ_PORT:-$free_port}"
workdir=$(mktemp -d)
server="" geocoder=""
trap 'kill $server $geocoder 2>/dev/null || true; wait $server $geocoder 2>/dev/null || true; rm -rf "$workdir"' EXIT
export DJANGO_SETTINGS_MODULE=backend.settings.base
export DATABASE_URL="${FUZZ_DATABASE_URL:-sqlite:///$workdir/fuzz.sqlite3}"
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost MEDIA_ROOT="$workdir/media"
export DEFAULT_THROTTLE_OFF=1 EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend
# Operators' geocoding goes to a local stand-in, never to the public Nominatim.
geocoder_port="${FUZZ_GEOCODER_PORT:-$free_geocoder_port}"
export GEOCODER_DOMAIN="127.0.0.1:$geocoder_port" GEOCODER_SCHEME=http GEOCODER_MIN_INTERVAL_SECONDS=0
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py seed_demo >/dev/null
# Real bookings, claims, feeds, closures... and a schemathesis config feeding their ids to the path parameters,
# so that requests reach the endpoints' logic rather than a 404.
.venv/bin/python scripts/fuzz_fixtures.py "$workdir/fuzz.toml"

.venv/bin/python scripts/nominatim_stub.py "$geocoder_port" &
geocoder=$!
# No control socket: gunicorn's default one is a fixed path per user, which a second server would take over.
.venv/bin/gunicorn backend.wsgi --bind "127.0.0.1:$port" --workers 2 --timeout 60 --no-control-socket \
    --access-logfile "${FUZZ_ACCESS_LOG:-/dev/null}" --error-logfile "$workdir/server.log" &
server=$!

for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port/api/schema/" -o /dev/null 2>/dev/null && break
    sleep 0.5
done
if ! kill -0 "$server" 2>/dev/null; then
    echo "the server did not start on port $port:" >&2
    tail -n 50 "$workdir/server.log" >&2 || true
    exit 1
fi

token_for() {
    .venv/bin/python - "$port" "$1" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(
    f"http://127.0.0.1:{sys.argv[1]}/api/v1/auth/token/",
    data=json.dumps({"email": sys.argv[2], "password": "otameshi-demo"}).encode(),
    headers={"Content-Type": "application/json"},
)
print(json.load(urllib.request.urlopen(request))["access"])
PY
}

# Each role's pass reaches the endpoints only that role may use (a visitor's bookings and claims,
# an operator's catalogue and availability, staff's claim reviews).
status=0
for role in ${FUZZ_ROLES:-visitor operator staff}; do
    echo "== schemathesis as the demo $role"
    token=$(token_for "$role@demo.otameshi.jp")
    # One worker: CPython 3.11 before 3.11.8 can fail building ASTs in two threads at once (gh-106905), and
    # hypothesis builds them while generating; that made the fuzz pass fail now and then for no fault of the API.
    .venv/bin/schemathesis --config-file "$workdir/fuzz.toml" run "http://127.0.0.1:$port/api/schema/" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
        --phases examples,coverage,fuzzing \
        --max-examples "${FUZZ_EXAMPLES:-10}" \
        --generation-database none \
        --seed "${FUZZ_SEED:-20261122}" \
        --request-timeout 30 \
        --workers 1 \
        --no-color || status=$?
done
if [ "$status" -ne 0 ]; then
    echo "--- server log ---"
    tail -n 200 "$workdir/server.log" || true
fi
exit "$status"
