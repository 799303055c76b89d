#!/usr/bin/env bash
# Roster import at school scale (issue #10): preview and apply of a
# 3,000-learner, 150-class file, and another school's sign-ins meanwhile,
# on the release binary. Needs `cargo leptos build --release` first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
cargo bench -q -p server --bench roster_import --no-run
source bench/demo-server.sh
CLASSKEYS_BENCH_URL="$url" cargo bench -q -p server --bench roster_import
