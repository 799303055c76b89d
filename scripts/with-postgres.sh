#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster: a temporary folder,
# loopback only, no fsync (tests lose nothing they keep), stopped and removed
# when the command ends, however it ends.
#
#   bash scripts/with-postgres.sh COMMAND [ARGS...]
#
# The command sees CLASSKEYS_TEST_POSTGRES, a superuser URL of the cluster's
# `postgres` database (the Rust test helpers create one fresh database per
# test from it), and CLASSKEYS_TEST_POSTGRES_CTL, a script that takes
# `stop` or `start` (the fault benches stop the cluster under load). Needs PostgreSQL's server binaries (Debian: postgresql); as
# root, the cluster runs as the `postgres` user.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "[postgres] PostgreSQL's server is not installed (apt-get install postgresql)" >&2; exit 1; }
dir=$(mktemp -d /tmp/classkeys-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
# `$dir/ctl stop|start`: the fault benches stop the cluster under load.
cat > "$dir/ctl" <<CTL
#!/usr/bin/env bash
exec ${as_owner[*]} "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -m fast -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off \
   -c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB" "\$@"
CTL
chmod 755 "$dir/ctl"
"$dir/ctl" start >/dev/null
echo "[postgres] PostgreSQL $("$bin/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$port (stopped when the command ends)"
export CLASSKEYS_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
export CLASSKEYS_TEST_POSTGRES_CTL="$dir/ctl"
"$@"
