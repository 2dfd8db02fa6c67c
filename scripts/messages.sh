#!/usr/bin/env bash
# Extracts translatable strings into each app's locale/ja/LC_MESSAGES/django.po (and backend/'s),
# then compiles them. Needs gettext (msgfmt); the compiled .mo files are committed.
# Usage: scripts/messages.sh [dir ...]   (default: every app and backend)
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(backend accounts notifications facilities consultations bookings reimbursements payments memberships outcomes console)
for dir in "${dirs[@]}"; do
    mkdir -p "$dir/locale"
    (cd "$dir" && ../.venv/bin/python ../manage.py makemessages -l ja -l en --no-obsolete --no-location >/dev/null)
    (cd "$dir" && ../.venv/bin/python ../manage.py compilemessages -l ja -l en >/dev/null)
done
