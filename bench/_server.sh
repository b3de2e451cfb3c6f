# Sourced by bench/load.sh and bench/lighthouse.sh: the site under gunicorn with
# production settings on 127.0.0.1, on a scratch SQLite database filled by sync_content.
#
# After `start_production_server`, BASE is the server's URL and SCRATCH a temp dir that
# is removed, with the server stopped, when the calling script exits. The working copy's
# db.sqlite3 is never touched; collectstatic writes to STATIC_ROOT (staticfiles/, ignored
# by git), as a deployment would.

PY="${PY:-.venv/bin/python}"
SCRATCH=""
GUNICORN_PID=""
NOCACHE=""

_stop_production_server() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill "$GUNICORN_PID"
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ -n "$SCRATCH" ]; then rm -rf "$SCRATCH"; fi
  if [ -n "$NOCACHE" ]; then rm -rf "$NOCACHE"; fi
}

# Call before start_production_server: the production settings with Django's dummy cache,
# so that every page is rendered in full ("no cache at all", as the page budgets say).
use_no_cache() {
  NOCACHE="$(mktemp -d)"
  cat >"$NOCACHE/bench_nocache.py" <<'PY'
from config.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
PY
  export PYTHONPATH="$NOCACHE:$PWD" DJANGO_SETTINGS_MODULE=bench_nocache
}

start_production_server() {
  [ -x "$PY" ] || { echo "no virtualenv at $PY: run 'make install' first" >&2; exit 2; }
  SCRATCH="$(mktemp -d)"
  trap _stop_production_server EXIT
  trap 'exit 130' INT TERM

  # Production settings, as config/settings.py reads them. Plain http on loopback, so no
  # redirect to https: in a real deployment the proxy in front terminates TLS.
  export DATABASE_URL="sqlite:///$SCRATCH/db.sqlite3"
  export DJANGO_DEBUG=false
  DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  export DJANGO_SECRET_KEY
  export DJANGO_ALLOWED_HOSTS=127.0.0.1
  export DJANGO_SECURE_SSL_REDIRECT=false
  export CACHE_DIR="$SCRATCH/cache"

  echo "Preparing a scratch database in $SCRATCH ..." >&2
  "$PY" manage.py migrate --noinput -v 0
  "$PY" manage.py sync_content -v 0 >/dev/null
  "$PY" manage.py collectstatic --noinput -v 0

  local port workers
  port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  workers=$(( 2 * $(nproc) ))
  BASE="http://127.0.0.1:$port"
  "$(dirname "$PY")/gunicorn" -c deploy/gunicorn.conf.py config.wsgi:application --bind "127.0.0.1:$port" \
    --workers "$workers" >"$SCRATCH/gunicorn.log" 2>&1 &
  GUNICORN_PID=$!

  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
    if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
      echo "gunicorn died:" >&2
      cat "$SCRATCH/gunicorn.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  curl -fsS -o /dev/null "$BASE/healthz" || { echo "gunicorn never answered $BASE/healthz" >&2; exit 1; }
  echo "gunicorn: $workers workers on $BASE (production settings)" >&2
  GUNICORN_ADDRESS="127.0.0.1:$port"
}

NGINX_PID=""
STATIC_COPY=""

_stop_nginx() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill "$NGINX_PID"
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  if [ -n "$STATIC_COPY" ]; then rm -f "$STATIC_COPY"; fi
  _stop_production_server
}

# nginx with deploy/nginx.conf in front of the gunicorn above; FRONT is its URL.
start_nginx_front() {
  local nginx port prefix user=""
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  [ -x "$nginx" ] || { echo "nginx is missing: make deploy-deps installs it" >&2; exit 2; }
  port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  prefix="$SCRATCH/nginx"
  mkdir -p "$prefix"
  "$PY" deploy/nginx_conf.py --port "$port" --upstream "$GUNICORN_ADDRESS" --static-root "$PWD/staticfiles" \
    --prefix "$prefix" >"$prefix/nginx.conf"
  # As root, nginx's workers would run as nobody, who can't enter the private scratch folder.
  if [ "$(id -u)" = 0 ]; then user="user root;"; fi
  "$nginx" -p "$prefix" -c "$prefix/nginx.conf" -g "daemon off; $user" &
  NGINX_PID=$!
  trap _stop_nginx EXIT
  FRONT="http://127.0.0.1:$port"
  for _ in $(seq 1 50); do curl -fsS -o /dev/null "$FRONT/healthz" 2>/dev/null && break; sleep 0.1; done
  echo "nginx: $FRONT in front of $GUNICORN_ADDRESS" >&2
}

# The page at PATH saved as a static file nginx serves; prints its URL path.
static_copy_of() {
  STATIC_COPY="$PWD/staticfiles/bench-static-copy.html"
  curl -fsS -o "$STATIC_COPY" "$BASE$1"
  echo "/static/bench-static-copy.html"
}

# Tracebacks or errors that the server logged while the benchmark ran.
server_errors() {
  grep -B2 -A10 "Traceback\|ERROR" "$SCRATCH/gunicorn.log" | head -40 || true
}

need_wrk() {
  command -v wrk >/dev/null && return
  echo "wrk is missing: installing it with apt-get" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}

# side_by_side URL... : requests/s of each URL beside /robots.txt on the running server,
# in ROUNDS rounds (default 3): each round measures /robots.txt, then each URL, each for
# DURATION (default 5s) after a 2 s warm-up, with wrk's THREADS and CONNECTIONS. A shared
# machine drifts over a minute; measured in turns, a drift falls on both sides of a ratio
# instead of on one. Prints every measurement with its ratio to the same round's
# /robots.txt, then each URL's median ratio; RATIOS[url] holds that median (a fraction),
# and ERRORS counts failed requests.
declare -A RATIOS=()
ERRORS=0
side_by_side() {
  local rounds="${ROUNDS:-3}" duration="${DURATION:-5s}" threads="${THREADS:-2}" connections="${CONNECTIONS:-20}"
  local lua="$SCRATCH/side_by_side.lua" round url floor rps p99 errors ratios="$SCRATCH/ratios"
  cat >"$lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout + e.status))
end
LUA
  : >"$ratios"
  printf '%-6s %-58s %11s %9s %7s %9s\n' round url "requests/s" "p99 ms" errors "vs robots"
  for round in $(seq 1 "$rounds"); do
    for url in /robots.txt "$@"; do
      wrk -t"$threads" -c"$connections" -d2s "$BASE$url" >/dev/null
      read -r rps p99 errors <<<"$(wrk -t"$threads" -c"$connections" -d"$duration" -s "$lua" "$BASE$url" | grep '^RESULT ' | cut -d' ' -f2-)"
      ERRORS=$((ERRORS + errors))
      if [ "$url" = /robots.txt ]; then floor="$rps"; fi
      printf '%-6s %-58s %11s %9s %7s %8.0f %%\n' "$round" "$url" "$rps" "$p99" "$errors" \
        "$(awk -v a="$rps" -v b="$floor" 'BEGIN { print 100 * a / b }')"
      [ "$url" = /robots.txt ] || awk -v u="$url" -v a="$rps" -v b="$floor" 'BEGIN { printf "%s\t%.4f\n", u, a / b }' >>"$ratios"
    done
  done
  for url in "$@"; do
    RATIOS[$url]="$(awk -F'\t' -v u="$url" '$1 == u { print $2 }' "$ratios" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
    printf 'median of %s rounds  %-58s %8.0f %%\n' "$rounds" "$url" "$(awk -v r="${RATIOS[$url]}" 'BEGIN { print 100 * r }')"
  done
}
