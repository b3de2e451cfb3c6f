"""Public pages: cached whole in the shared cache, and validated by HTTP (ETag, 304).

Every save or delete of content bumps one number in the database, `ContentVersion`, in
the same transaction as the edit (see models.py). A page is cached under a key made of
that number, its language and its path; its ETag is made of the same three things. So:

- an edit is visible on every instance as soon as it commits: each request reads the
  number from the shared database, and no page cached under an older number is read again
  (it expires by itself);
- losing the cache (a Redis restart, an eviction) only costs a render: the number is not
  in the cache, so it can't go back to a value whose pages are still stored;
- any instance answers `If-None-Match` with 304 without rendering, and nginx in front can
  keep pages by their `Cache-Control` and revalidate them with that ETag.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language

from .models import ContentVersion

# Not content: the version counter itself, and what is derived from content.
_NOT_CONTENT = {"contentversion", "searchentry"}


def content_version() -> int:
    return ContentVersion.objects.number()


def bump_content_version() -> None:
    ContentVersion.objects.bump()


def _is_content(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label != "releasenotes" or meta.model_name in _NOT_CONTENT:
        return False
    # History rows are written alongside the edit they record, which already counted.
    return not meta.model_name.startswith("historical")


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def _content_changed(sender, **kwargs):
    if _is_content(sender):
        bump_content_version()


def page_etag(version: int, language: str, full_path: str) -> str:
    digest = hashlib.sha256(f"{version}\n{language}\n{full_path}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def _validators(response, etag: str):
    response["ETag"] = etag
    # Browsers ask again each time (max-age=0) and get a 304 while nothing changed; a
    # shared cache (nginx) may reuse the page for SHARED_CACHE_MAX_AGE seconds.
    patch_cache_control(response, public=True, max_age=0, s_maxage=settings.SHARED_CACHE_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def public_page(view):
    """Cache a GET page that is the same for every visitor (no user, no CSRF token)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        full_path = request.get_full_path()
        language = get_language() or settings.LANGUAGE_CODE
        version = content_version()
        etag = page_etag(version, language, full_path)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return _validators(HttpResponseNotModified(), etag)
        key = "page:" + etag.strip('"')
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return _validators(HttpResponse(content, content_type=content_type), etag)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            return response
        cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
        return _validators(response, etag)

    return wrapper
