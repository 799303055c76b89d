#!/usr/bin/env bash
# Class page throughput (issue #11): a signed-in teacher's class page (28
# learners) against the anonymous /login page, with wrk (Debian), 16 clients,
# `Connection: close` (a new connection per request, as the issue measured),
# in one run so the ratio is fair. Needs `bash scripts/build.sh` first.
#
#   bash bench/class-page.sh [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-5}
source bench/demo-server.sh
session=$(sign_in "$url" OAK teacher oakwood-teacher-1)
class=$(first_class "$url" "$session")
[ -n "$session" ] && [ -n "$class" ] || { echo "could not sign in or find a class" >&2; exit 1; }
curl -sf -H "Cookie: $session" "$url$class" | grep -q 'Year 3 Hazel' || { echo "the class page did not render" >&2; exit 1; }
run() { wrk -t2 -c16 -d"${seconds}s" -H 'Connection: close' "$@" | awk '/Requests\/sec/ { print $2 }'; }
# A warm-up of each (caches, allocator), then three rounds, alternating, so
# a noisy moment on this 2-core machine does not decide the ratio alone; the
# median round is the figure.
run "$url/login" > /dev/null
run -H "Cookie: $session" "$url$class" > /dev/null
for round in 1 2 3; do
  login=$(run "$url/login")
  page=$(run -H "Cookie: $session" "$url$class")
  awk -v r="$round" -v l="$login" -v p="$page" 'BEGIN { printf "round %d: /login %.0f req/s; class page %.0f req/s; ratio %.2fx\n", r, l, p, p / l }'
done | tee "$data/rounds"
sort -t' ' -k11 -n "$data/rounds" | sed -n 2p | awk '{ print "median round:", $0 }'
