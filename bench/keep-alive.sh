#!/usr/bin/env bash
# One kept-alive connection (issue #11, row 1): the stylesheet and the main
# WebAssembly file, as a browser fetches them, with wrk (Debian) `-t1 -c1`.
# Without TCP_NODELAY each answer waited for the client's delayed ACK:
# 34 req/s and a 43.5 ms median. Then a signed-in teacher's class page on
# the same kind of connection: a page's own latency with nobody else about
# (3.95 ms while its audit row waited for a 1 ms gathering timer, 1.01 ms
# without). Needs `bash scripts/build.sh` first.
#
#   bash bench/keep-alive.sh [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-5}
source bench/demo-server.sh
css=$(curl -sf "$url/login" | grep -o '/pkg/[^"]*\.css' | head -1)
wasm=$(basename "$(ls "$ROOT"/target/site/pkg/classkeys.*.wasm)")
[ -n "$css" ] && [ -n "$wasm" ] || { echo "no stylesheet or WebAssembly found" >&2; exit 1; }
run() {
  local label=$1; shift
  wrk -t1 -c1 -d"${seconds}s" --latency "$@" | awk -v l="$label" '
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    END { printf "%-58s %9.0f req/s, p50 %s, p99 %s\n", l, rps, p50, p99 }'
}
run "$css" "$url$css" > /dev/null
run "$css" "$url$css"
run "/pkg/$wasm (brotli)" -H 'Accept-Encoding: br' "$url/pkg/$wasm"
teacher_class "$url"
run "class page (signed in, 28 learners)" -H "Cookie: $session" "$url$class"
