# Source this file: starts a throw-away redis-server on 127.0.0.1 and exports its URL
# as TEST_REDIS_URL (the tests that run gunicorn instances share it; `make test-postgres`
# also makes it the cache of the whole suite). Stop it with `stop_redis`.
# REDIS_PORT chooses the port; by default a free one, so two runs side by side (CI runs
# the SQLite and PostgreSQL suites at once) each get their own server.
set -e
command -v redis-server >/dev/null || { echo "redis-server not found; apt-get install redis-server" >&2; return 1 2>/dev/null || exit 1; }
REDIS_PORT=${REDIS_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
REDIS_DIR=$(mktemp -d /tmp/releasenotes-redis.XXXXXX)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --save "" --appendonly no \
  --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null
for _ in $(seq 1 50); do
  [ -s "$REDIS_DIR/redis.pid" ] && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done
export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
echo "Redis running on 127.0.0.1:$REDIS_PORT ($REDIS_DIR)"
stop_redis() {
  local pid
  if [ -s "$REDIS_DIR/redis.pid" ]; then
    pid="$(cat "$REDIS_DIR/redis.pid")"
    kill "$pid" 2>/dev/null || true
    # It writes its last log lines as it exits: remove its folder after that.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$REDIS_DIR"
}
set +e
