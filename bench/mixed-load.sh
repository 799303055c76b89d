#!/usr/bin/env bash
# Mixed load (issue #12), loopback only, stops by itself:
#   50 clients reading a teacher's class page (wrk, kept-alive connections,
#   each waiting THINK_MS = 100 ms between pages: up to 500 pages a second),
#   2 whole-class resets a second and 10 sign-ins a second (mixed-load.mjs),
# against two instances on one PostgreSQL, or one instance on SQLite. Then it
# checks that nothing was lost or half-written: every learner still there,
# every class's learners on one password version (each reset changed the
# whole class or none of it), every reveal copy the password its hash takes
# (`classkeys admin check-reveals`), every successful reset audited once,
# and no session row written by the reads.
#
#   bash bench/mixed-load.sh sqlite|postgres [seconds]     (after scripts/build.sh)
#   THINK_MS=0 bash bench/mixed-load.sh …   readers ask again at once (saturation)
#   INSTANCES=1 bash bench/mixed-load.sh postgres …   one instance on PostgreSQL
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
backend=${1:-sqlite}
seconds=${2:-60}
source bench/instances.sh
# The load comes "through a proxy" on loopback, from many networks (mixed-load.mjs).
export CLASSKEYS_TRUSTED_PROXIES=127.0.0.1
seed_demo
add_bench_classes 30
start_instance 1
urls=$url1
instances=1
if [ "$backend" = postgres ] && [ "${INSTANCES:-2}" = 2 ]; then
  start_instance 2
  urls="$url1,$url2"
  instances=2
fi
learners_before=$(sql "SELECT COUNT(*) FROM accounts WHERE role = 'learner'")
teacher=$(sign_in "$url1" OAK teacher oakwood-teacher-1)
office=$(sign_in "$url1" OAK office oakwood-office-1)
class=$(first_class "$url1" "$teacher")
[ -n "$teacher" ] && [ -n "$office" ] && [ -n "$class" ] || { echo "could not sign in" >&2; exit 1; }
session_writes() {
  if [ "$backend" = postgres ]; then
    sql "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'sessions'"
  else
    echo n/a
  fi
}

export THINK_MS=${THINK_MS:-100}
echo "[mixed-load] $backend, $instances instance(s), ${seconds}s: 50 readers (${THINK_MS} ms between a reader's pages), 2 resets/s, 10 sign-ins/s"
per_instance=$((50 / instances))
readers=()
for n in $(seq 1 "$instances"); do
  url_var="url$n"
  wrk -t1 -c"$per_instance" -d"${seconds}s" --latency -s bench/think.lua -H "Cookie: $teacher" "${!url_var}$class" > "$data/wrk$n.txt" &
  readers+=($!)
done
# Reads alone first, a few seconds, to see whether reading a page writes its session.
sleep 3
reads_writes_before=$(session_writes)
sleep 5
reads_writes_after=$(session_writes)
URLS=$urls ADMIN_COOKIE=$office SECONDS=$((seconds - 10)) node bench/mixed-load.mjs > "$data/writes.json"
for reader in "${readers[@]}"; do wait "$reader" || true; done

reads=0; read_errors=0
for n in $(seq 1 "$instances"); do
  file="$data/wrk$n.txt"
  reads=$((reads + $(awk '/requests in/ { print $1 }' "$file")))
  non2xx=$(awk '/Non-2xx/ { print $NF }' "$file"); socket=$(awk -F'[ ,]+' '/Socket errors/ { print $4 + $6 + $8 + $10 }' "$file")
  read_errors=$((read_errors + ${non2xx:-0} + ${socket:-0}))
  echo "  instance $n reads: $(awk '/Requests\/sec/ { print $2 }' "$file") req/s, p50 $(awk '$1 == "50%" { print $2 }' "$file"), p99 $(awk '$1 == "99%" { print $2 }' "$file")"
done
echo "  reads: $reads, errors: $read_errors"
echo "  writes: $(cat "$data/writes.json")"
if [ "$backend" = postgres ]; then
  echo "  session rows written during 5 s of reads only: $((reads_writes_after - reads_writes_before))"
fi

# Stop the servers, then check what was written.
for pid in "${instance_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
learners_after=$(sql "SELECT COUNT(*) FROM accounts WHERE role = 'learner'")
mixed=$(sql "SELECT COUNT(*) FROM (SELECT e.class_id FROM enrolments e JOIN accounts a ON a.id = e.account_id \
  GROUP BY e.class_id HAVING COUNT(DISTINCT a.password_version) > 1) AS partial")
audited=$(sql "SELECT COUNT(*) FROM audit_events WHERE action = 'class_passwords_reset'")
ok_resets=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])).resets; console.log(r["200"] ?? 0)' "$data/writes.json")
echo "  learners: $learners_before before, $learners_after after; classes half-reset: $mixed"
echo "  successful resets: $ok_resets; audited: $audited"
"$CLASSKEYS_BIN" admin check-reveals | sed 's/^/  /'
# Errors are answers other than 200 (timeouts count as status 0); a reset
# the load could not start because every class was mid-reset is reported
# ("skipped") but is not an answer of the server.
errors=$(node -e 'const w = JSON.parse(require("fs").readFileSync(process.argv[1])); const bad = (t) => Object.entries(t).filter(([s]) => s !== "200" && !s.startsWith("skipped")).reduce((n, [, c]) => n + c, 0); console.log(bad(w.resets) + bad(w.signIns))' "$data/writes.json")
if [ "$read_errors" = 0 ] && [ "$errors" = 0 ] && [ "$mixed" = 0 ] && [ "$learners_before" = "$learners_after" ] && [ "$audited" = "$ok_resets" ]; then
  echo "[mixed-load] $backend: 0 errors, nothing lost or half-written"
else
  echo "[mixed-load] $backend: FAILED (read errors $read_errors, write errors $errors)"
  exit 1
fi
