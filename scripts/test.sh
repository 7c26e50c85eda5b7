#!/usr/bin/env bash
# The whole test suite: formatting, clippy, then every test on SQLite and again on PostgreSQL
# (each PostgreSQL test creates and drops a fresh database), including the headless-Chromium test.
#
#   ./scripts/test.sh            everything
#   SKIP_LINT=1 ./scripts/test.sh  tests only
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${CROSSWALK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

# No doc tests exist; leaving them out keeps cargo's last line about real tests.
run_tests() { cargo test --workspace --lib --bins --tests 2>&1 | tee -a "$LOG"; return "${PIPESTATUS[0]}"; }

if [ -z "${SKIP_LINT:-}" ]; then
  echo "== rustfmt"
  cargo fmt --all -- --check
  echo "== clippy"
  cargo clippy --workspace --all-targets --quiet -- -D warnings
fi

echo "== tests on SQLite"
run_tests

if ! pg_isready -q -d "$PG_URL" 2>/dev/null; then
  echo "PostgreSQL is not answering at $PG_URL; start it (see .ci/run) or set CROSSWALK_TEST_POSTGRES_URL" >&2
  exit 1
fi
echo "== tests on PostgreSQL ($PG_URL)"
CROSSWALK_TEST_DATABASE_URL="$PG_URL" run_tests

# One closing line over both runs, in the form CI reads.
awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed\n", p, f }' "$LOG"
