# Sourced by the bench scripts: starts the release binary with the demo
# schools on a free port and a temporary data folder, sets $url, and stops
# the server (and removes the folder) when the script exits.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
data=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
CLASSKEYS_DATA="$data" LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR=127.0.0.1:0 RUST_LOG=warn \
  "$CLASSKEYS_BIN" serve --demo > "$data/out" &
server=$!
until url=$(grep -o 'http://[0-9.:]*' "$data/out" 2>/dev/null) && [ -n "$url" ]; do sleep 0.2; done
