#!/usr/bin/env bash
# Class page throughput (issue #11): a signed-in teacher's class page (28
# learners) against the anonymous /login page, with wrk (Debian), 16 clients,
# `Connection: close` (a new connection per request, as the issue measured),
# in one run so the ratio is fair. Needs `bash scripts/build.sh` first.
#
# Each round also measures the floor under any signed-in page: the same
# teacher asking for a page that does not exist, which reads the session and
# renders the signed-in header and nothing else (no class, no learners, no
# audit row). A class page can hardly be faster than that (the floor's 404
# is streamed and first looks for a static file; the class page is
# rendered whole).
#
#   bash bench/class-page.sh [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-5}
source bench/demo-server.sh
teacher_class "$url"
curl -sf -H "Cookie: $session" "$url$class" | grep -q 'Year 3 Hazel' || { echo "the class page did not render" >&2; exit 1; }
run() { wrk -t2 -c16 -d"${seconds}s" -H 'Connection: close' "$@" | awk '/Requests\/sec/ { print $2 }'; }
# A warm-up of each (caches, allocator), then three rounds, alternating, so
# a noisy moment on this 2-core machine does not decide the ratio alone; the
# median round is the figure.
run "$url/login" > /dev/null
run -H "Cookie: $session" "$url$class" > /dev/null
floor_page="$url/no-such-page"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $session" "$floor_page")" = 404 ] || { echo "the floor page is not a 404" >&2; exit 1; }
run -H "Cookie: $session" "$floor_page" > /dev/null
for round in 1 2 3; do
  login=$(run "$url/login")
  page=$(run -H "Cookie: $session" "$url$class")
  floor=$(run -H "Cookie: $session" "$floor_page")
  awk -v r="$round" -v l="$login" -v p="$page" -v f="$floor" 'BEGIN { printf "round %d: /login %.0f req/s; class page %.0f req/s; ratio %.2fx (signed-in floor %.0f req/s, %.2fx)\n", r, l, p, p / l, f, f / l }'
done | tee "$data/rounds"
sort -t' ' -k11 -n "$data/rounds" | sed -n 2p | awk '{ print "median round:", $0 }'
