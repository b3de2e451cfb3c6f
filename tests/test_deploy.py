"""The production shape, for real: two gunicorn instances (deploy/gunicorn.conf.py) on one
database and one Redis, with nginx (deploy/nginx.conf) in front.

The database is PostgreSQL when the suite runs on it (a scratch database on the same
server), otherwise a SQLite file. Redis is TEST_REDIS_URL (.ci/start-redis.sh) or a
redis-server started here. Without redis-server, nginx or gunicorn these tests skip,
unless REQUIRE_DEPLOY is set (as `make test` does), when they fail.
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy"))
from nginx_conf import render as render_nginx  # noqa: E402

pytestmark = pytest.mark.deploy
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
PASSWORD = "deploy-test-" + secrets.token_hex(8)


def _missing(what):
    if os.environ.get("REQUIRE_DEPLOY"):
        pytest.fail(f"REQUIRE_DEPLOY is set but {what} is missing")
    pytest.skip(f"{what} is missing")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port, path="/healthz", proc=None, log=None, attempts=150):
    for _ in range(attempts):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text() if log else ''}")
        try:
            if request(port, "GET", path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on {port}{path}: {log.read_text() if log else ''}")


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if not server:
        _missing("redis-server")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    main = os.environ.get("DATABASE_URL", "")
    if not main.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'db.sqlite3'}"
        return
    import psycopg

    name = f"releasenotes_deploy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(main, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield main.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(main, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_url, database_url):
    """Two gunicorn instances (two workers each) and nginx in front; yields their ports."""
    if not GUNICORN.exists():
        _missing("gunicorn")
    if not NGINX:
        _missing("nginx")
    scratch = tmp_path_factory.mktemp("site")
    static = scratch / "static"  # not the checkout's staticfiles/: another run may be writing there
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"deploy-{uuid.uuid4().hex[:8]}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "AXES_PROXY_COUNT": "1",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "GUNICORN_WORKERS": "2",
        "STATIC_ROOT": str(static),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    python = str(REPO / ".venv" / "bin" / "python")

    def manage(*args):
        subprocess.run([python, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("loaddata", "-v", "0", *sorted(str(p) for p in (REPO / "fixtures").glob("*.json")))
    manage("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org")
    manage("collectstatic", "--noinput", "-v", "0")

    procs, ports = [], []
    for i in range(2):
        port = _free_port()
        log = scratch / f"gunicorn-{i}.log"
        proc = subprocess.Popen(
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "config.wsgi"],
            cwd=REPO,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        ports.append(port)
        _wait_for(port, proc=proc, log=log)
    front = _free_port()
    prefix = scratch / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    upstreams = [f"127.0.0.1:{port}" for port in ports]
    conf.write_text(render_nginx(front, upstreams, str(static), str(prefix)))
    # As root, nginx's workers would run as nobody, who can't enter pytest's private folders.
    globals_ = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-g", globals_], stderr=subprocess.DEVNULL)
    try:
        _wait_for(front, proc=nginx)
        yield {"a": ports[0], "b": ports[1], "nginx": front, "scratch": scratch, "static": static}
    finally:
        nginx.terminate()
        nginx.wait(10)
        for proc in procs:
            proc.terminate()
            proc.wait(20)


def _cookies(headers_list):
    jar = SimpleCookie()
    for value in headers_list:
        jar.load(value)
    return {key: morsel.value for key, morsel in jar.items()}


def _set_cookies(port, method, path, cookies, body=None):
    """One request with our own cookie jar (production cookies are Secure, so no client keeps them over http)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
    conn.request(method, path, body=urlencode(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    cookies.update(_cookies(response.headers.get_all("Set-Cookie") or []))
    status, text = response.status, response.read().decode()
    conn.close()
    return status, text


def _admin_session(port):
    cookies = {}
    status, html = _set_cookies(port, "GET", "/admin/login/", cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, _ = _set_cookies(
        port,
        "POST",
        "/admin/login/?next=/admin/",
        cookies,
        {"csrfmiddlewaretoken": token, "username": "admin", "password": PASSWORD, "next": "/admin/"},
    )
    assert status == 302 and "sessionid" in cookies
    return cookies


def test_it_shows_an_edit_on_one_instance_on_the_other_at_once(site):
    a, b = site["a"], site["b"]
    status, headers, body = request(b, "GET", "/en/glossary/")
    assert status == 200
    slug = re.search(r'<tr id="([^"]+)"', body.decode()).group(1)
    etag = headers["ETag"]
    assert request(a, "GET", "/en/glossary/")[1]["ETag"] == etag  # same page, same ETag, any instance
    for _ in range(4):  # fill both workers' of both instances
        assert f'id="{slug}"' in request(a, "GET", "/en/glossary/")[2].decode()
        assert f'id="{slug}"' in request(b, "GET", "/en/glossary/")[2].decode()

    cookies = _admin_session(a)
    # Both lists are ordered by the English term: the first row is the same term.
    status, html = _set_cookies(a, "GET", "/admin/releasenotes/glossaryterm/", cookies)
    pk = re.search(r"/admin/releasenotes/glossaryterm/(\d+)/change/", html).group(1)
    delete = f"/admin/releasenotes/glossaryterm/{pk}/delete/"
    status, html = _set_cookies(a, "GET", delete, cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, _ = _set_cookies(a, "POST", delete, cookies, {"csrfmiddlewaretoken": token, "post": "yes"})
    assert status == 302

    for _ in range(6):  # every worker of both instances, straight away
        for port in (a, b):
            status, headers, body = request(port, "GET", "/en/glossary/")
            assert status == 200 and f'id="{slug}"' not in body.decode()
            assert headers["ETag"] != etag
    assert request(b, "GET", "/en/glossary/", {"If-None-Match": etag})[0] == 200


def test_an_etag_from_one_instance_gets_304_from_the_other(site):
    status, headers, _ = request(site["a"], "GET", "/ko/enhancements/2400/")
    assert status == 200
    status, again, body = request(site["b"], "GET", "/ko/enhancements/2400/", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    assert again["ETag"] == headers["ETag"]


def test_nginx_keeps_public_pages_by_their_headers_and_revalidates_them(site):
    front = site["nginx"]
    first = request(front, "GET", "/en/sigs/")
    second = request(front, "GET", "/en/sigs/")
    assert first[0] == second[0] == 200
    assert second[1]["X-Cache-Status"] in ("HIT", "REVALIDATED", "UPDATING")
    assert second[2] == first[2]
    assert request(front, "GET", "/en/sigs/", {"If-None-Match": first[1]["ETag"]})[0] == 304


def test_nginx_never_stores_the_admin_or_a_form_page(site):
    front = site["nginx"]
    for path in ("/admin/login/", "/en/check/"):
        request(front, "GET", path)
        assert request(front, "GET", path)[1].get("X-Cache-Status") in (None, "MISS", "BYPASS", "EXPIRED")


def test_nginx_serves_static_files_for_a_year(site):
    css = next((site["static"] / "css").glob("site.*.css")).name
    status, headers, _ = request(site["nginx"], "GET", f"/static/css/{css}")
    assert status == 200
    assert "immutable" in headers["Cache-Control"]


def test_a_foreign_host_is_a_400_through_the_whole_chain(site):
    status, headers, body = request(site["nginx"], "GET", "/en/", {"Host": "evil.example"})
    assert status == 400
    assert b"Server error" not in body


class _FormReader(HTMLParser):
    """The fields an unchanged admin change form would post."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "checkbox", "file"):
            self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "input" and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.data[attrs["name"]] = "on"
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None


def test_two_simultaneous_saves_one_wins_and_the_other_gets_the_stale_save_note(site):
    """On SQLite too (IMMEDIATE transactions): never a 500, never a lost edit."""
    a, b = site["a"], site["b"]
    first, second = _admin_session(a), _admin_session(b)
    _, html = _set_cookies(a, "GET", "/admin/releasenotes/glossaryterm/", first)
    pk = re.findall(r"/admin/releasenotes/glossaryterm/(\d+)/change/", html)[-1]
    change = f"/admin/releasenotes/glossaryterm/{pk}/change/"
    forms = []
    for port, cookies in ((a, first), (b, second)):
        reader = _FormReader()
        reader.feed(_set_cookies(port, "GET", change, cookies)[1])
        forms.append(reader.data)
    forms[0]["note_en"] = "Saved through the first instance."
    forms[1]["note_en"] = "Saved through the second instance."
    results = {}

    def save(i, port, cookies):
        results[i] = _set_cookies(port, "POST", change, cookies, forms[i])

    threads = [threading.Thread(target=save, args=args) for args in ((0, a, first), (1, b, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 302], statuses
    loser = next(html for status, html in results.values() if status == 200)
    assert "after you opened it" in loser or "연 뒤에" in loser
    winner = next(i for i, (status, _) in results.items() if status == 302)
    _, page = _set_cookies(a, "GET", change, first)
    assert forms[winner]["note_en"] in page
