#!/usr/bin/env bash
# The learner tables with 3,000 learners under a 4x CPU throttle (see
# bench/learner-table.mjs). Needs `bash scripts/build.sh` first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$ROOT"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
node bench/learner-table.mjs
