# Sourced by the scripts: creates or reuses .venv and installs the locked requirements when the lock changed.
# requirements.txt and requirements-dev.txt are what people edit; scripts/lock.sh writes from them
# requirements.lock and requirements-dev.lock (exact versions with hashes), and only those are installed.
ensure_venv() {
    local requirements="$1"
    local lock="${requirements%.txt}.lock"
    local python="${PYTHON:-python3}"
    local inputs
    inputs=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
    if ! grep -qx "# inputs sha256: $inputs" "$lock"; then
        echo "$lock is older than requirements.txt or requirements-dev.txt: run bash scripts/lock.sh" >&2
        return 1
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    local stamp=".venv/.installed-$(basename "$lock")"
    local digest
    digest=$(sha256sum "$lock" | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
        echo "$digest" > "$stamp"
    fi
}
