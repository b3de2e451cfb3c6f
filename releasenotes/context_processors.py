from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Each language named in itself, as a switcher should.
NATIVE_NAMES = {"ko": "한국어", "en": "English"}
SECTION_ALIASES = {"upgrade": "removed"}
# The main navigation: (URL name, section, label). A page belongs to the section named by
# the first word of its URL name ("enhancement-detail" → "enhancement").
MAIN_NAV = [
    ("releasenotes:home", "home", _("Home")),
    ("releasenotes:release-index", "release", _("Releases")),
    ("releasenotes:enhancement-list", "enhancement", _("Enhancements")),
    ("releasenotes:sig-list", "sig", _("SIGs")),
    ("releasenotes:feature-gate-list", "feature", _("Feature gates")),
    ("releasenotes:deprecations", "deprecations", _("Deprecations")),
    ("releasenotes:removed-apis-index", "removed", _("Removed APIs")),
    ("releasenotes:dockershim", "dockershim", _("Dockershim FAQ")),
    ("releasenotes:check", "check", _("Manifest checker")),
    ("releasenotes:glossary", "glossary", _("Glossary")),
]


@lru_cache(maxsize=16)
def _nav_urls(language: str, script_prefix: str) -> tuple[str, ...]:
    """The navigation's URLs, which depend on the language and the mount point only:
    reversed once per process rather than ten times per page."""
    with translation.override(language):
        return tuple(reverse(name) for name, _section, _label in MAIN_NAV)


def main_nav(request, section: str) -> list[dict]:
    """Each entry with its URL and `current`: "page" on its own page, "true" elsewhere in
    its section (the value of aria-current), "" otherwise."""
    urls = _nav_urls(translation.get_language(), get_script_prefix())
    match = request.resolver_match
    view_name = match.view_name if match else ""
    return [
        {"url": url, "label": label, "current": ("page" if view_name == name else "true") if section == key else ""}
        for url, (name, key, label) in zip(urls, MAIN_NAV, strict=True)
    ]


def site(request):
    """Links to this page in every language, for the switcher and the hreflang alternates,
    and the main navigation with this page's section marked."""
    path = request.get_full_path()
    alternates = []
    for code, _label in settings.LANGUAGES:
        url = translate_url(path, code)
        if url == path and code != translation.get_language():
            url = f"/{code}/"  # a page that exists in one language only: send to that language's home
        alternates.append(
            {"code": code, "name": NATIVE_NAMES[code], "url": request.build_absolute_uri(url), "path": url}
        )
    match = request.resolver_match
    url_name = (match.url_name or "") if match else ""
    # The upgrade path belongs with the removed APIs.
    section = SECTION_ALIASES.get(url_name, url_name.split("-")[0])
    return {
        "section": section,
        "nav": main_nav(request, section),
        "alternates": alternates,
        "x_default": next(a["url"] for a in alternates if a["code"] == settings.LANGUAGE_CODE),
    }
