#!/usr/bin/env bash
# Sign-in fairness (issue #9): p95 of the demo teacher's sign-in while one
# address keeps 50 wrong sign-ins in flight, against the idle p95, on the
# release binary. Needs `cargo leptos build --release` first (or run.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
data=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
CLASSKEYS_DATA="$data" LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR=127.0.0.1:0 RUST_LOG=warn \
  "$CLASSKEYS_BIN" serve --demo > "$data/out" &
server=$!
until url=$(grep -o 'http://[0-9.:]*' "$data/out" 2>/dev/null) && [ -n "$url" ]; do sleep 0.2; done
cd "$ROOT"
CLASSKEYS_BENCH_URL="$url" cargo bench -q -p server --bench sign_in_fairness
