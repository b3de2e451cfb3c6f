# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test test-postgres browser-deps deploy-deps install migrate data lint fixtures messages bench-search bench-checker bench-load bench-keps bench-lighthouse bench-notes bench-pages clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

data: migrate
	$(PY) manage.py sync_content
	$(PY) manage.py populate_history --auto

run: data
	$(PY) manage.py runserver $(HOST)

# Browser tests drive the system Chromium with Korean fonts; install them when missing.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi nanum; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null; fi; \
	fi

# A throw-away redis-server for the tests that run several gunicorn instances.
test: install browser-deps deploy-deps
	. .ci/start-redis.sh && trap stop_redis EXIT && REQUIRE_BROWSER=1 REQUIRE_DEPLOY=1 $(PY) -m pytest

# The whole suite against real PostgreSQL and Redis servers started on 127.0.0.1, with
# Redis as the cache (the production shape).
test-postgres: install browser-deps deploy-deps
	. .ci/start-postgres.sh && . .ci/start-redis.sh && trap 'stop_redis; stop_postgres' EXIT && \
	  REDIS_URL=$$TEST_REDIS_URL REQUIRE_BROWSER=1 REQUIRE_POSTGRES=1 REQUIRE_DEPLOY=1 $(PY) -m pytest

# redis-server and nginx for the deployment tests and the load bench (Debian packages).
deploy-deps:
	@need=""; command -v redis-server >/dev/null || need="$$need redis-server"; \
	  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need="$$need nginx-light"; \
	  if [ -n "$$need" ]; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	  fi

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

fixtures: install
	$(PY) manage.py build_fixtures

messages: install
	$(PY) manage.py makemessages -l ko --no-location --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages -l ko --ignore=.venv

bench-search: install
	$(PY) bench/search.py

bench-checker: install
	$(PY) bench/checker.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache

# gunicorn with production settings on 127.0.0.1; wrk and Lighthouse against the main pages.
bench-load: install deploy-deps
	bash bench/load.sh

# The largest release's enhancement list with no page cache beside /robots.txt; queries per page.
bench-keps: install
	bash bench/keps.sh

# Release-notes pages: queries, page size, and requests/s beside /robots.txt, no cache.
bench-notes: install
	bash bench/notes.sh

# One page of each public route beside /robots.txt, no cache (DESIGN's budget for every page).
bench-pages: install
	bash bench/pages.sh

bench-lighthouse: install browser-deps
	bash bench/lighthouse.sh
