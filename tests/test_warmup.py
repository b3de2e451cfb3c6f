"""deploy/gunicorn.conf.py's master does before forking what a worker's first requests did."""

import json
import subprocess
import sys

from .conftest import REPO

# Run as gunicorn's master runs it: the application imported (preload_app), then the
# when_ready hook, in a fresh interpreter where nothing else has imported the site.
MASTER = """
import gc, json, runpy, sys
from config.wsgi import application
from django.db import connections
from django.template import engines

before = "drf_spectacular.views" in sys.modules, "releasenotes.views" in sys.modules
conf = runpy.run_path("deploy/gunicorn.conf.py")

class Log:
    def info(self, message, *args):
        self.line = message % args

server = type("Server", (), {"log": Log()})()
conf["when_ready"](server)
jinja = engines["jinja2"].env
django_loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "imported_before": before,
    "imported_after": ["drf_spectacular.views" in sys.modules, "releasenotes.views" in sys.modules],
    "log": server.log.line,
    "jinja": sorted(name for _loader, name in jinja.cache.keys()),
    "django": sorted(django_loader.get_template_cache),
    "connections": [c.connection is not None for c in connections.all(initialized_only=True)],
    "frozen": gc.get_freeze_count(),
}))
"""


def test_the_master_imports_every_view_and_compiles_every_template_before_forking():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", MASTER], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    state = json.loads(run.stdout.strip().splitlines()[-1])
    # Importing the application leaves the URLconf, its views and the API to the first request.
    assert state["imported_before"] == [False, False]
    assert state["imported_after"] == [True, True]
    assert "releasenotes/release_notes.html" in state["jinja"] and "layout.html" in state["jinja"]
    assert {"releasenotes/home.html", "base.html", "admin/base.html"} <= set(state["django"])
    compiled = int(state["log"].removeprefix("warmed up: ").split()[0])
    assert compiled >= len(state["jinja"]) + len(state["django"])  # a name two folders hold counts twice
    assert not any(state["connections"])  # nothing to share across the fork
    assert state["frozen"] > 0  # what the master made, the workers' collector leaves alone
