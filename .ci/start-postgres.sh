# Source this file: starts a throw-away PostgreSQL server on 127.0.0.1 and exports
# DATABASE_URL for it. Works as root (the server runs as the `postgres` user).
set -e
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL server binaries not found; apt-get install postgresql" >&2; return 1 2>/dev/null || exit 1; }
PGPORT=${PGPORT:-54329}
PGDATA=$(mktemp -d /tmp/releasenotes-pg.XXXXXX)
RUNAS=""
if [ "$(id -u)" = 0 ]; then chown postgres "$PGDATA"; RUNAS="runuser -u postgres --"; fi
$RUNAS "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 -A trust >/dev/null
$RUNAS "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" -l "$PGDATA/log" -w start >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
export RELEASENOTES_PGDATA="$PGDATA"
echo "PostgreSQL running on 127.0.0.1:$PGPORT ($PGDATA)"
stop_postgres() {
  $RUNAS "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1
  rm -rf "$PGDATA"
}
set +e
