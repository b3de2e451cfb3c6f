import os
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[1]
FIXTURES = sorted(str(p) for p in (REPO / "fixtures").glob("*.json"))
FACTS = REPO.parent / "shared" / "data" / "k8s-1.22-facts.yaml"


@pytest.fixture(scope="session", autouse=True)
def _jinja2_pages_report_their_context():
    """The test client reads `response.context` from the template_rendered signal, which
    only Django's own template engine sends while tests run. Pages drawn by Jinja2 send it
    here too, as Django's instrumented rendering does for its templates."""
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def instrumented(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}))
        return render(self, context, request)

    Template.render = instrumented
    yield
    Template.render = render


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from the real 1.22 dataset."""
    with django_db_blocker.unblock():
        call_command("sync_content", verbosity=0)
        call_command("populate_history", auto=True, verbosity=0)
        _take_snapshot()


# A copy of the synced test database, so transactional tests get the dataset back in a
# moment instead of running sync_content again: SQLite's online backup API, or on
# PostgreSQL a copy of every table beside it.
_SNAPSHOT = {}
_PG_PREFIX = "snapshot_"


def _tables(connection):
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _take_snapshot():
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _SNAPSHOT["db"] = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_SNAPSHOT["db"])
    elif connection.vendor == "postgresql":
        tables = _tables(connection)
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'CREATE TABLE "{_PG_PREFIX}{table}" AS TABLE "{table}"')
        _SNAPSHOT["tables"] = tables


def _restore_snapshot() -> bool:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    connection.ensure_connection()
    if "db" in _SNAPSHOT:
        _SNAPSHOT["db"].backup(connection.connection)
        return True
    if "tables" in _SNAPSHOT:
        tables = _SNAPSHOT["tables"]
        # One transaction: Django's foreign keys on PostgreSQL are deferred to the commit,
        # so tables can be refilled in any order.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
            for table in tables:
                cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{_PG_PREFIX}{table}"')
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                cursor.execute(sql)
        return True
    return False


@pytest.fixture
def load_dataset():
    """For transactional tests (browser, live server), which start from an empty database."""
    if not _restore_snapshot():
        call_command("sync_content", verbosity=0)
        call_command("populate_history", auto=True, verbosity=0)


@pytest.fixture(scope="session")
def facts():
    import yaml

    with open(FACTS, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REQUIRE_POSTGRES"):
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"REQUIRE_POSTGRES is set but the database engine is {engine}")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages are cached; each test starts with none (some change data with .update())."""
    from django.core.cache import cache

    cache.clear()
