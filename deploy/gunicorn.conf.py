"""gunicorn settings for production, behind deploy/nginx.conf.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

Sync workers: nginx buffers whole requests and responses, so a worker is busy only while
Django works, never while a slow client sends or reads (gunicorn's docs recommend
exactly this pairing). Every value can be overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"

# A request that takes longer than this is a bug or an attack: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 2

# Workers are replaced after this many requests (with jitter, so not all at once), which
# bounds the memory any slow leak can take.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200

# The application is imported once, in the master, before the workers are forked: a
# replaced worker starts serving at once instead of importing Django and the site again
# (about a second of CPU each time, taken from the workers still serving), and the workers
# share the imported code's memory. Django opens no database connection at import, so
# none is shared across the fork. A code change then needs a restart, not a HUP.
preload_app = True


def when_ready(server):
    """In the master, once the application is imported and before any worker is forked:
    what Django leaves to the first requests (the URLconf and its views, the routes of
    each language, every template) is done here, once (releasenotes/warmup.py). Without
    it every worker, each replaced one too, spent a quarter of a second of CPU on its first
    requests and kept those waiting."""
    import gc

    from releasenotes.warmup import warm_up

    server.log.info("warmed up: %d templates compiled before forking", warm_up())
    gc.freeze()


# Refuse oversized request lines and headers before Django sees them (bodies are limited
# by nginx's client_max_body_size and Django's DATA_UPLOAD_MAX_MEMORY_SIZE).
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

# Only nginx on this machine may say which scheme the client used.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
