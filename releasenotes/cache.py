"""Whole-page caching of public pages, invalidated whenever content changes.

Django's `cache_page` can't be invalidated on a content change short of clearing the
whole cache, so public pages are keyed by a content version instead: any save or delete
of a content model bumps the version, and every page cached under the old version is
simply never read again (it expires by itself). The version lives in the same cache as
the pages, so all workers sharing the cache see a bump at once.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

VERSION_KEY = "content-version"
PAGE_TIMEOUT = 60 * 60


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump_content_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): any new value invalidates
        cache.set(VERSION_KEY, content_version() + 1, timeout=None)


def _is_content(sender) -> bool:
    return getattr(getattr(sender, "_meta", None), "app_label", None) == "releasenotes"


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def _content_changed(sender, **kwargs):
    if _is_content(sender):
        bump_content_version()


def public_page(view):
    """Cache a GET page that is the same for every visitor (no user, no CSRF token)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"page:{content_version()}:{path}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapper
