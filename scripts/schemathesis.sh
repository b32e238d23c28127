#!/usr/bin/env bash
# Fuzz a real server from its own /openapi.json with Schemathesis: every check (no 5xx, status
# codes, content types, response schemas, ...) over every operation, with and without an API
# key. Schemathesis lives in its own venv (.cache/schemathesis-venv), never in the service's.
#
#   scripts/schemathesis.sh            # MAX_EXAMPLES=100 per operation; MODEL=artifacts/...
#
# Starts gunicorn on a free loopback port (talks only to 127.0.0.1) and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=${MODEL:-artifacts/escalation-model.joblib}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
SCHEMATHESIS="schemathesis==4.32.5"
VENV=.cache/schemathesis-venv
KEY=fuzz-secret-0123456789abcdef
[ -f "$MODEL" ] || { echo "schemathesis: no model at $MODEL (make model)" >&2; exit 2; }
if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "${SCHEMATHESIS#*==}"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "$SCHEMATHESIS"
fi

PORT=$(.venv/bin/python -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
LOG=$(mktemp)
env -u GUNICORN_CMD_ARGS -u PROMETHEUS_MULTIPROC_DIR BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2 \
  ESCALATION_MODEL_PATH="$MODEL" ESCALATION_API_KEYS="fuzz:$KEY" \
  .venv/bin/gunicorn 'service.app:create_app()' >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { tail -20 "$LOG" >&2; exit 1; }

run() {
  timeout 600 "$VENV/bin/st" run "http://127.0.0.1:$PORT/openapi.json" --checks all \
    --max-examples "$MAX_EXAMPLES" --request-timeout 30 --seed 14 --no-color "$@"
}
echo "== schemathesis with a key"
run -H "Authorization: Bearer $KEY"
echo "== schemathesis without a key (401s must match the document)"
run --max-examples 20
if grep -q '"status": 500' "$LOG"; then
  echo "schemathesis: the server logged a 500" >&2
  exit 1
fi
