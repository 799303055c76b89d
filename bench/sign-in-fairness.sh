#!/usr/bin/env bash
# Sign-in fairness (issue #9): p95 of the demo teacher's sign-in while one
# address keeps 50 sign-ins in flight (wrong ones for invented names, then
# right ones of one account), against the idle p95, on the release binary.
# Needs `cargo leptos build --release` first (or scripts/run.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
cargo bench -q -p server --bench sign_in_fairness --no-run
source bench/demo-server.sh
CLASSKEYS_BENCH_URL="$url" cargo bench -q -p server --bench sign_in_fairness
