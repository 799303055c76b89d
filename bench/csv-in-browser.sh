#!/usr/bin/env bash
# Builds the release app and times the browser-side CSV for 2,100 learners.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$ROOT"
bash "$ROOT/scripts/build.sh"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
node bench/csv-in-browser.mjs
