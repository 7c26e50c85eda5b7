#!/usr/bin/env bash
# API schema test (issue 15, item 7): schemathesis (PyPI) generates requests from /api/openapi.json
# against a demo server and fails on any 5xx answer. Bounded: few examples per operation, a time limit.
#
#   ./scripts/api-schema-test.sh [path/to/crosswalk]     (default: target/debug/crosswalk)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(realpath "${1:-${CARGO_TARGET_DIR:-target}/debug/crosswalk}")"
ST="$(command -v schemathesis || echo "$HOME/.local/bin/schemathesis")"
[ -x "$ST" ] || { echo "schemathesis is not installed (python3 -m pip install --user schemathesis)" >&2; exit 1; }

DIR="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
run() { "$BIN" --data-dir "$DIR" "$@"; }
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

run serve --demo --listen "127.0.0.1:$PORT" >"$DIR/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
TOKEN="$(run token create --tenant acme-demo --email admin@acme-demo.example --name schemathesis)"

# not_a_server_error only: the other checks judge schema details we do not promise (yet); a 5xx
# is always a bug. Two passes: first everything but the operations that could revoke the test's own
# token or account (they would turn every later request into a 401), then those alone.
st() {
  timeout "${SCHEMA_TEST_SECONDS:-300}" "$ST" run "http://127.0.0.1:$PORT/api/openapi.json" \
    --checks not_a_server_error \
    --max-examples "${SCHEMA_TEST_EXAMPLES:-15}" \
    --request-timeout 30 \
    --generation-deterministic \
    --generation-with-security-parameters false \
    --workers 2 \
    -H "Authorization: Bearer $TOKEN" "$@"
}
set +e
cd "$DIR" # schemathesis keeps a .schemathesis/ cache in the working directory: not in the repository
st --exclude-path-regex '^/api/v1/(tokens|users)'
STATUS=$?
if [ "$STATUS" -eq 0 ]; then
  st --include-path-regex '^/api/v1/(tokens|users)'
  STATUS=$?
fi
set -e
if [ "$STATUS" -eq 124 ]; then
  echo "api schema test: time limit reached without a server error (bounded run)"; exit 0
fi
if [ "$STATUS" -ne 0 ]; then
  echo "api schema test FAILED (exit $STATUS); server log: $DIR/serve.log" >&2
  tail -20 "$DIR/serve.log" >&2
  exit "$STATUS"
fi
echo "api schema test: no server errors"
