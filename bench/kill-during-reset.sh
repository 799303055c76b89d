#!/usr/bin/env bash
# Crash safety (issue #12): `kill -9` of the server while a whole-class reset
# is under way, ROUNDS times (20 unless given) at random moments within the
# time a reset takes. After each restart every class must be wholly old or
# wholly new (all its learners on one password version), and at the end
# every reveal copy must be the password its hash takes. Loopback only.
#
#   bash bench/kill-during-reset.sh sqlite|postgres [rounds]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
backend=${1:-sqlite}
rounds=${2:-20}
source bench/instances.sh
seed_demo
start_instance 1
office=$(sign_in "$url1" OAK office oakwood-office-1)
classes=$(curl -sf -X POST -H "Cookie: $office" -H 'sec-fetch-site: same-origin' "$url1/api/list_classes" \
  | grep -o '"id":"[0-9a-f-]\{36\}"' | cut -d'"' -f4)
reset() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 60 -X POST -H "Cookie: $office" -H 'sec-fetch-site: same-origin' \
    --data-urlencode "class_id=$1" --data-urlencode "mode=NewPasswordEach" "$url1/api/reset_class_passwords" || true
}
version_sum() { sql "SELECT SUM(a.password_version) FROM enrolments e JOIN accounts a ON a.id = e.account_id WHERE e.class_id = '$1'"; }
half_reset() {
  sql "SELECT COUNT(*) FROM (SELECT e.class_id FROM enrolments e JOIN accounts a ON a.id = e.account_id \
    GROUP BY e.class_id HAVING COUNT(DISTINCT a.password_version) > 1) AS partial"
}
# How long one reset takes here, so the kills land across its whole span.
first=$(echo "$classes" | head -1)
started=$(date +%s%N)
[ "$(reset "$first")" = 200 ] || { echo "a reset failed before any kill" >&2; exit 1; }
span_ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "[kill-during-reset] $backend: one reset takes ${span_ms} ms; $rounds kills at random moments within 120% of that"
old=0; new=0; broken=0
for round in $(seq 1 "$rounds"); do
  class=$(echo "$classes" | shuf -n 1)
  before=$(version_sum "$class")
  reset "$class" > /dev/null &
  caller=$!
  delay_ms=$(( RANDOM % (span_ms * 12 / 10 + 1) ))
  sleep "$(printf '0.%03d' "$delay_ms")"
  [ "$delay_ms" -ge 1000 ] && sleep $((delay_ms / 1000))
  kill -9 "$pid1"
  wait "$caller" 2>/dev/null || true
  start_instance 1
  after=$(version_sum "$class")
  partial=$(half_reset)
  if [ "$partial" != 0 ]; then broken=$((broken + 1)); state="HALF-RESET ($partial classes)";
  elif [ "$after" = "$before" ]; then old=$((old + 1)); state="wholly old";
  else new=$((new + 1)); state="wholly new"; fi
  echo "  round $round: killed ${delay_ms} ms in; the class is $state"
done
for pid in "${instance_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
"$CLASSKEYS_BIN" admin check-reveals | sed 's/^/  /'
echo "[kill-during-reset] $backend: $rounds kills: $old classes wholly old, $new wholly new, $broken half-reset"
[ "$broken" = 0 ]
