#!/usr/bin/env bash
# The whole test suite, from a fresh clone: builds, then runs every test.
# Usage: scripts/test.sh [extra cargo test args]
#
# The CloudWatch monitor is tested against a real local AWS server, moto
# (PyPI `moto[server]`): this script installs it into .venv if it is not there yet,
# starts it on a free 127.0.0.1 port, points the tests at it through AWS_ENDPOINT_URL with
# dummy credentials, and stops the server it started (by its PID) when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.1
PYTHON="${PYTHON:-python3}"

cargo build --locked --all-targets

# --- moto server -------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    echo "test.sh: creating .venv for the moto test server" >&2
    "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import moto.server, flask; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null; then
    echo "test.sh: installing moto[server]==$MOTO_VERSION into .venv" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

PORT="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
MOTO_LOG="$(mktemp -t moto-server.XXXXXX.log)"
.venv/bin/moto_server -H 127.0.0.1 -p "$PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
stop_moto() {
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    rm -f "$MOTO_LOG"
}
trap stop_moto EXIT

for _ in $(seq 1 100); do
    if .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/', timeout=1)" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
        echo "test.sh: moto_server exited:" >&2
        cat "$MOTO_LOG" >&2
        exit 1
    fi
    sleep 0.2
done
echo "test.sh: moto server (pid $MOTO_PID) on http://127.0.0.1:$PORT" >&2

# Only the test server and dummy credentials: never the caller's AWS account.
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export BEDROCK_METER_TEST_ENDPOINT="$AWS_ENDPOINT_URL"
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
# Tokenizer tables built by the tests are cached inside target/, not in the user's home.
export BEDROCK_METER_CACHE_DIR="$PWD/target/test-tokenizer-cache"
# Refreshed pricing and other per-user data: an empty folder of this run, never the user's.
export BEDROCK_METER_DATA_DIR="$PWD/target/test-data-dir"
rm -rf "$BEDROCK_METER_DATA_DIR"
mkdir -p "$BEDROCK_METER_DATA_DIR"
# No config file (an empty value means none): a developer's ~/.config/bedrock-meter/config.toml
# must not change what the tests see.
export BEDROCK_METER_CONFIG=""
unset BEDROCK_METER_REGIONS BEDROCK_METER_PROFILE BEDROCK_METER_TIMEZONE BEDROCK_METER_FORMAT BEDROCK_METER_BUDGETS BEDROCK_METER_ALERT_STATE
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL_CLOUDWATCH AWS_MAX_ATTEMPTS

cargo test --locked --all-targets --no-fail-fast "$@"
