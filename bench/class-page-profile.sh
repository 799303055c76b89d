#!/usr/bin/env bash
# Where the class page's server time goes (issue #11, row 3): perf with call
# graphs on the release server while wrk asks for a teacher's class page
# (16 clients, `Connection: close`, as bench/class-page.sh). Needs
# `bash scripts/build.sh` first, and perf (Debian's linux-perf).
#
#   bash bench/class-page-profile.sh [seconds]
#   perf report -i /tmp/classkeys-class-page.perf --no-children --sort symbol
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-5}
out=${PERF_OUT:-/tmp/classkeys-class-page.perf}
source bench/demo-server.sh
teacher_class "$url"
page() { wrk -t2 -c16 -d"$1s" -H 'Connection: close' -H "Cookie: $session" "$url$class"; }
page 3 > /dev/null  # warm-up
perf record -F 2000 -g --call-graph dwarf,16384 -p "$server" -o "$out" -- sleep $((seconds + 1)) 2> /dev/null &
recording=$!
sleep 0.5
page "$seconds" | grep Requests/sec
wait "$recording"
perf report -i "$out" --no-children -g none --sort comm --stdio 2> /dev/null | grep '%'
echo "profile in $out"
