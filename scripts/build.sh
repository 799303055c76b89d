#!/usr/bin/env bash
# The release build: the server binary and the site (JS, WASM, CSS), then
# the site's static files compressed once (brotli and gzip) for the server
# to send as they are.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
cargo leptos build --release --split
node "$ROOT/scripts/precompress.mjs" "$ROOT/target/site/pkg"
