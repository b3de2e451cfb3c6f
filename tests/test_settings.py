"""Production settings, checked in a fresh interpreter with a given environment."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from .conftest import REPO

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x7!k2-production-test-key-that-is-long-enough-and-random-9q#Lw0pZ",
    "DJANGO_ALLOWED_HOSTS": "releases.example.org",
    "DATABASE_URL": "sqlite:////tmp/releasenotes-settings-test.sqlite3",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_bad_boolean_is_refused_with_its_name():
    result = run_manage("check", env={"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_with_no_environment_it_runs_on_sqlite_in_debug():
    result = run_manage(
        "shell", "-c", "from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])", env={}
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "django.db.backends.sqlite3"], result.stderr


@pytest.mark.parametrize(
    ("helper", "raw", "expected"),
    [
        ("env_bool", "yes", True),
        ("env_bool", "0", False),
        ("env_int", "42", 42),
        ("env_list", "a, b,,c", ["a", "b", "c"]),
    ],
)
def test_the_typed_helpers_read_values(monkeypatch, helper, raw, expected):
    from config import settings

    monkeypatch.setenv("X_TEST", raw)
    assert getattr(settings, helper)("X_TEST", None) == expected


@pytest.mark.parametrize(("helper", "raw"), [("env_bool", "maybe"), ("env_int", "ten")])
def test_the_typed_helpers_reject_bad_values(monkeypatch, helper, raw):
    from config import settings

    monkeypatch.setenv("X_TEST", raw)
    with pytest.raises(ImproperlyConfigured, match="X_TEST"):
        getattr(settings, helper)("X_TEST", None)


def test_check_deploy_is_clean_with_redis_as_the_cache():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6390/0"}
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_fails_when_production_would_use_a_per_process_cache(tmp_path):
    settings = tmp_path / "locmem_settings.py"
    settings.write_text(
        "from config.settings import *  # noqa\n"
        "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n"
    )
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "locmem_settings", "PYTHONPATH": str(tmp_path)}
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "releasenotes.E001" in result.stderr


def test_sqlite_write_transactions_take_the_lock_when_they_begin():
    from config import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:  # PostgreSQL locks the row instead (select_for_update in the admin form)
        assert "transaction_mode" not in database.get("OPTIONS", {})


def test_sqlite_connections_read_through_memory_mapped_io(tmp_path):
    """Every SQLite connection maps the database file (searches read scattered pages)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from config import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    wrapper = DatabaseWrapper({**database, "NAME": str(tmp_path / "mapped.sqlite3")}, alias="mapped")
    connection = wrapper.get_new_connection(wrapper.get_connection_params())  # as Django opens one
    try:
        assert connection.execute("PRAGMA mmap_size").fetchone()[0] == 1 << 30
    finally:
        connection.close()
