#!/usr/bin/env bash
# PostgreSQL stopped under load (issue #12): 8 clients read a class page for
# 35 s; at 10 s the database is stopped, at 20 s started again. Every answer
# during the outage must be a 503 with a clear message, quickly (no hang),
# the server must not panic or exit, and it must serve pages again by
# itself once the database is back. Loopback only; stops by itself.
#
#   bash bench/postgres-outage.sh     (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
backend=postgres
source bench/instances.sh
seed_demo
start_instance 1
teacher=$(sign_in "$url1" OAK teacher oakwood-teacher-1)
class=$(first_class "$url1" "$teacher")
echo "[postgres-outage] reading $class for 35 s; PostgreSQL stops at 10 s and starts at 20 s"
URL="$url1$class" COOKIE="$teacher" SECONDS=35 CLIENTS=8 node bench/outage-load.mjs > "$data/answers.jsonl" &
load=$!
sleep 10
"$CLASSKEYS_TEST_POSTGRES_CTL" stop > /dev/null
echo "  10 s: PostgreSQL stopped"
sleep 10
"$CLASSKEYS_TEST_POSTGRES_CTL" start > /dev/null
echo "  20 s: PostgreSQL started"
wait "$load"
alive=yes; kill -0 "$pid1" 2>/dev/null || alive=no
panics=$(grep -c panicked "$data/instance1.err" || true)
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const phase = (r) => (r.t < 10000 ? "before" : r.t < 20000 ? "during" : "after");
  const summary = {};
  for (const r of lines) {
    const p = (summary[phase(r)] ??= { answers: 0, byStatus: {}, maxMs: 0 });
    p.answers++;
    p.byStatus[r.status] = (p.byStatus[r.status] ?? 0) + 1;
    p.maxMs = Math.max(p.maxMs, r.ms);
  }
  for (const [name, p] of Object.entries(summary)) console.log(`  ${name}: ${p.answers} answers ${JSON.stringify(p.byStatus)}, slowest ${p.maxMs} ms`);
  const outage = lines.filter((r) => phase(r) === "during" && r.status !== 200);
  const says = [...new Set(outage.map((r) => r.says.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim()))];
  console.log(`  what the outage answers said: ${JSON.stringify(says.slice(0, 3))}`);
  const back = lines.filter((r) => r.t >= 20000 && r.status === 200).map((r) => r.t).sort((a, b) => a - b)[0];
  console.log(`  first page served after the restart: ${back === undefined ? "never" : back - 20000 + " ms after it"}`);
  const wrong = lines.filter((r) => ![200, 503].includes(r.status));
  const late = lines.filter((r) => r.t >= 25000 && r.status !== 200);
  console.log(`  answers other than 200 or 503: ${wrong.length}; failures from 5 s after the restart: ${late.length}`);
  process.exit(wrong.length === 0 && late.length === 0 && back !== undefined ? 0 : 1);
' "$data/answers.jsonl" && ok=yes || ok=no
echo "  server still running: $alive; panics in its log: $panics"
if [ "$ok" = yes ] && [ "$alive" = yes ] && [ "$panics" = 0 ]; then
  echo "[postgres-outage] 503s while the database was down, back by itself"
else
  echo "[postgres-outage] FAILED"; exit 1
fi
