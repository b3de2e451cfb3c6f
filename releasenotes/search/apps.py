from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Similarity at which pg_trgm offers a word as a typo candidate: a swapped letter in a
# five-letter word shares only a fifth of its trigrams (rapidfuzz then checks the distance).
TRIGRAM_THRESHOLD = 0.2


def _set_trigram_threshold(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET pg_trgm.similarity_threshold = {TRIGRAM_THRESHOLD:.2f}")


def _fill_an_empty_index(sender, using, **kwargs):
    """A migration that changes how entries are built empties the index; fill it again."""
    from .index import rebuild
    from .models import SearchEntry
    from .registry import registry

    if SearchEntry.objects.using(using).exists():
        return
    if any(source.model._default_manager.using(using).exists() for source in registry):
        rebuild(using=using)


class SearchConfig(AppConfig):
    name = "releasenotes.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self):
        from . import sources  # noqa: F401  (registers the searchable models)
        from .index import connect_signals

        connect_signals()  # keeps the index current
        connection_created.connect(_set_trigram_threshold, dispatch_uid="search-trigram-threshold")
        post_migrate.connect(_fill_an_empty_index, sender=self)
