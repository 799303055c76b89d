# Sourced by the benches: runs release `classkeys` instances on SQLite (a
# temporary data folder) or on PostgreSQL (the throw-away cluster of
# scripts/with-postgres.sh: a bench that is not under it yet runs itself again
# under it), with the demo schools seeded once. Instances share the data folder, so they share the
# secret key, as real instances behind a load balancer must.
#
#   backend=sqlite|postgres; source bench/instances.sh
#   start_instance 1; start_instance 2    # sets url1, url2 (pid1, pid2)
#   sql "SELECT COUNT(*) FROM accounts"   # one value, on either backend
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
if [ "${backend:-sqlite}" = postgres ] && [ -z "${CLASSKEYS_TEST_POSTGRES:-}" ]; then
  # The sourcing bench's own name and arguments.
  exec bash "$ROOT/scripts/with-postgres.sh" bash "$0" "$@"
fi
[ -x "$CLASSKEYS_BIN" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
data=$(mktemp -d)
instance_pids=()
cleanup() {
  for pid in "${instance_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
case "${backend:-sqlite}" in
  sqlite) export DATABASE_URL="sqlite://$data/classkeys.db" ;;
  postgres) export DATABASE_URL="$CLASSKEYS_TEST_POSTGRES" ;;
  *) echo "backend must be sqlite or postgres" >&2; exit 1 ;;
esac
export CLASSKEYS_DATA="$data" LEPTOS_SITE_ROOT="$ROOT/target/site" RUST_LOG=warn

# Runs one SQL statement and prints its single value.
sql() {
  if [ "${backend:-sqlite}" = postgres ]; then
    psql "$DATABASE_URL" -Atc "$1"
  else
    sqlite3 -cmd '.timeout 15000' "$data/classkeys.db" "$1"
  fi
}

seed_demo() {
  "$CLASSKEYS_BIN" demo ${1:+--learners-per-class "$1"} > "$data/demo.out"
}

# start_instance N: serves on a free port; sets urlN and pidN.
start_instance() {
  local n=$1 out="$data/instance$1.out"
  : > "$out"
  LEPTOS_SITE_ADDR=127.0.0.1:0 "$CLASSKEYS_BIN" serve > "$out" 2> "$data/instance$n.err" &
  local pid=$!
  disown "$pid"  # no "Killed" notices when a bench kills it
  instance_pids+=("$pid")
  local url=""
  for _ in $(seq 1 150); do
    url=$(grep -o 'http://[0-9.:]*' "$out" 2>/dev/null || true)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$data/instance$n.err" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "instance $n did not start" >&2; exit 1; }
  printf -v "url$n" '%s' "$url"
  printf -v "pid$n" '%s' "$pid"
}

# sign_in URL SCHOOL USERNAME PASSWORD: prints the session cookie (name=value).
sign_in() {
  local jar
  jar=$(mktemp -p "$data")
  curl -sf -c "$jar" -o /dev/null -H 'sec-fetch-site: same-origin' \
    --data-urlencode "school_code=$2" --data-urlencode "username=$3" --data-urlencode "password=$4" \
    "$1/api/sign_in"
  awk '$6 == "id" || $6 ~ /session/ { print $6 "=" $7 }' "$jar" | head -1
}

# first_class URL COOKIE: the path of the first class the user sees.
first_class() {
  curl -sf -H "Cookie: $2" "$1/classes" | grep -o 'href="/classes/[0-9a-f-]\{36\}"' | head -1 | cut -d'"' -f2
}

# teacher_class URL: signs the demo teacher in and sets $session (her cookie)
# and $class (the path of her first class), or stops the script.
teacher_class() {
  session=$(sign_in "$1" OAK teacher oakwood-teacher-1)
  class=$(first_class "$1" "$session")
  [ -n "$session" ] && [ -n "$class" ] || { echo "could not sign in or find a class" >&2; exit 1; }
}

# add_bench_classes N: N more Oakwood classes of 28 learners each, copied in
# SQL from Year 3 Hazel's learners (new accounts with the same password
# hashes, no reveal copies until a reset makes them): enough classes for
# two resets a second without two resets of one class at once.
add_bench_classes() {
  for k in $(seq 1 "$1"); do
    sql "INSERT INTO classes (id, school_id, name, created_at) \
      SELECT 'bench-class-$k', school_id, 'Bench class $k', created_at FROM classes WHERE name = 'Year 3 Hazel'" > /dev/null
    sql "INSERT INTO accounts (id, school_id, role, username, display_name, first_name, last_name, password_hash, created_at) \
      SELECT a.id || '-b$k', a.school_id, 'learner', a.username || 'b$k', a.display_name, a.first_name, a.last_name, \
      a.password_hash, a.created_at FROM accounts a JOIN enrolments e ON e.account_id = a.id \
      JOIN classes c ON c.id = e.class_id WHERE c.name = 'Year 3 Hazel'" > /dev/null
    sql "INSERT INTO enrolments (class_id, account_id) SELECT 'bench-class-$k', a.id FROM accounts a \
      WHERE a.id LIKE '%-b$k'" > /dev/null
  done
}
