#!/usr/bin/env bash
# Class page throughput and p95 (issue #12): a signed-in teacher's class page
# (28 learners) read by 16 kept-alive clients for SECONDS (10) seconds, on
# SQLite with one instance, then on PostgreSQL with one and with two
# instances (8 clients on each). One run, one machine: compare the ratios.
#
#   bash bench/backends.sh [seconds]     (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-10}
if [ -z "${CLASSKEYS_TEST_POSTGRES:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
measure() { # URL COOKIE CLIENTS -> "req/s p95 errors"
  wrk -t1 -c"$3" -d"${seconds}s" -s bench/p95.lua -H "Cookie: $2" "$1" | awk '/^RESULT/ { print $2, $3, $4 }'
}
report() { printf '  %-28s %6s req/s   p95 %6s ms   errors %s\n' "$1" "$2" "$3" "$4"; }

# One instance on $backend (call in a subshell): sets teacher and class.
one_instance() { # LABEL
  source bench/instances.sh
  seed_demo; start_instance 1
  teacher=$(sign_in "$url1" OAK teacher oakwood-teacher-1); class=$(first_class "$url1" "$teacher")
  read -r rps p95 errors < <(measure "$url1$class" "$teacher" 16)
  report "$1, 1 instance" "$rps" "$p95" "$errors"
}

( backend=sqlite; one_instance SQLite )
(
  backend=postgres
  one_instance PostgreSQL
  start_instance 2
  measure "$url1$class" "$teacher" 8 > "$data/one" &
  first=$!
  read -r rps2 p95b errors2 < <(measure "$url2$class" "$teacher" 8)
  wait "$first"
  read -r rps1 p95a errors1 < "$data/one"
  report "PostgreSQL, 2 instances" "$((rps1 + rps2))" "$(printf '%s\n%s\n' "$p95a" "$p95b" | sort -n | tail -1)" "$((errors1 + errors2))"
)
