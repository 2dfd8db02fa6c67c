#!/usr/bin/env bash
# Writes the locks that scripts/_venv.sh installs, every package at an exact version with its hashes:
# requirements-dev.lock from requirements-dev.txt, then requirements.lock from requirements.txt within the
# dev lock's versions (so both agree). Run it after editing either .txt file. Versions already locked are
# kept while they still satisfy the .txt ranges; pass --upgrade, or --upgrade-package NAME, to move them on.
# No index or find-links is written into the locks: pip installs them through its own configuration.
# Usage: bash scripts/lock.sh [--upgrade | --upgrade-package NAME ...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
[ -x .venv/bin/pip-compile ] || .venv/bin/python -m pip install --quiet "pip-tools>=7.4"

compile() {
    CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" .venv/bin/pip-compile --quiet --generate-hashes \
        --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links "$@"
}
compile "$@" --output-file requirements-dev.lock requirements-dev.txt
compile "$@" --constraint requirements-dev.lock --output-file requirements.lock requirements.txt

# What the locks were made from, so that scripts/_venv.sh can refuse a lock older than its inputs.
inputs=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
for lock in requirements-dev.lock requirements.lock; do
    sed -i '/^# inputs sha256: /d' "$lock"
    echo "# inputs sha256: $inputs" >> "$lock"
done
echo "locked: requirements-dev.lock ($(grep -c '^[A-Za-z0-9].*==' requirements-dev.lock) packages)," \
    "requirements.lock ($(grep -c '^[A-Za-z0-9].*==' requirements.lock) packages)"
