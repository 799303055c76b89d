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

echo "[test] Rust tests (cargo test -p app -p server)"
cargo test -p app -p server

echo "[test] release build (scripts/build.sh: cargo leptos build --release, then precompression)"
bash "$ROOT/scripts/build.sh"

echo "[test] Playwright (tablet and desktop, Debian's Chromium)"
cd "$ROOT/end2end"
status=0
mkdir -p .tmp
PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/results.json npx playwright test --reporter=list,json || status=$?
# One closing line in the plain "N passed, N failed" form CI reads.
node -e '
  const stats = require("./.tmp/results.json").stats;
  console.log(`playwright: ${stats.expected} passed, ${stats.unexpected + stats.flaky} failed, ${stats.skipped} skipped`);
' || true
exit "$status"
