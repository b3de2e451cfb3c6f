"""System checks for configuration that would be wrong in production."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Backends that keep their data inside one process: with several gunicorn workers (or
# several machines), each would serve the pages it cached before an edit.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    errors = []
    for alias, config in settings.CACHES.items():
        if config.get("BACKEND") in PER_PROCESS_CACHES:
            errors.append(
                Error(
                    f"The {alias!r} cache ({config['BACKEND']}) lives inside one process.",
                    hint="Every worker and instance would keep its own pages after an edit. Set REDIS_URL "
                    "(Django's Redis cache), or leave CACHES to the database cache that config/settings.py "
                    "picks without it.",
                    id="releasenotes.E001",
                )
            )
    return errors
