#!/usr/bin/env bash
# Sets everything up and runs every test: formatting and lints, the Rust
# unit and integration tests, then the Playwright tests against the real
# release binary on a free port with a temporary database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"

echo "[test] cargo fmt --check"
cargo fmt --all -- --check

# `app` is built for the server (ssr) and for the browser (hydrate) apart:
# `--workspace` would switch both features on in one build.
echo "[test] cargo clippy (server side, then the WebAssembly side)"
cargo clippy -p app -p server --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

echo "[test] Rust tests (cargo test -p app -p server), on SQLite"
cargo test -p app -p server

# The same API tests on a real PostgreSQL: a throw-away cluster, one fresh
# database per test (scripts/with-postgres.sh).
echo "[test] Rust API tests on PostgreSQL (cargo test -p server --test api)"
bash "$ROOT/scripts/with-postgres.sh" cargo test -p server --test api

echo "[test] release build (scripts/build.sh: cargo leptos build --release, then precompression)"
bash "$ROOT/scripts/build.sh"

echo "[test] Playwright (tablet and desktop, Debian's Chromium), on SQLite then on PostgreSQL"
cd "$ROOT/end2end"
status=0
mkdir -p .tmp
PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/sqlite.json npx playwright test --reporter=list,json || status=$?
# The same tests against a server on PostgreSQL (the cluster's own database).
PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/postgres.json bash "$ROOT/scripts/with-postgres.sh" \
  bash -c 'DATABASE_URL="$CLASSKEYS_TEST_POSTGRES" npx playwright test --reporter=list,json' || status=$?
# One closing line in the plain "N passed, N failed" form CI reads.
node -e '
  const runs = [".tmp/sqlite.json", ".tmp/postgres.json"].map((f) => require("./" + f).stats);
  const sum = (key) => runs.reduce((total, stats) => total + stats[key], 0);
  console.log(`playwright: ${sum("expected")} passed, ${sum("unexpected") + sum("flaky")} failed, ${sum("skipped")} skipped (SQLite and PostgreSQL)`);
' || true
exit "$status"
