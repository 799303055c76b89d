#!/usr/bin/env bash
# Sets everything up, builds the release app and serves it on SQLite with
# the demo schools. Extra arguments are passed to `classkeys serve`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
echo "[run] building the release app (a few minutes the first time)"
bash "$ROOT/scripts/build.sh"
# cargo-leptos writes the site (JS, WASM, CSS) into the clone's target/ folder.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
exec "$CLASSKEYS_BIN" serve --demo "$@"
