from functools import lru_cache, partial

from django.conf import settings
from django.templatetags.static import static
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
def _nav_entries(language: str, script_prefix: str) -> tuple[tuple[str, str, str, str], ...]:
    """(URL, label, URL name, section) of each entry. The URLs and labels depend on the
    language and the mount point only: reversed and translated once per process rather
    than on every page (a lazy label is translated again each time it is read)."""
    with translation.override(language):
        return tuple((reverse(name), str(label), name, key) for name, key, label in MAIN_NAV)


def shell_links() -> dict[str, str]:
    """The links every page's shell draws (layout.html and its header and footer), error
    pages included."""
    return _shell_links(translation.get_language(), get_script_prefix())


@lru_cache(maxsize=16)
def _shell_links(language: str, script_prefix: str) -> dict[str, str]:
    # They depend on the language and the mount point only: made once per process.
    with translation.override(language):
        return {
            "home": reverse("releasenotes:home"),
            "search": reverse("releasenotes:search"),
            "api_schema": reverse("api:schema"),
            "css": static("css/site.css"),
            "favicon": static("favicon.svg"),
        }


def main_nav(request, section: str) -> list[dict]:
    """Each entry with its URL and `current`: "page" on its own page, "true" elsewhere in
    its section (the value of aria-current), "" otherwise."""
    match = request.resolver_match
    view_name = match.view_name if match else ""
    return [
        {"url": url, "label": label, "current": ("page" if view_name == name else "true") if section == key else ""}
        for url, label, name, key in _nav_entries(translation.get_language(), get_script_prefix())
    ]


def in_language(request, path: str, code: str) -> str:
    """`path` (this request's) in the language `code`, as translate_url() gives it. Our
    routes are not translated, so a page that resolved under its language prefix has the
    same path under the other one: swapped here without resolving and reversing again."""
    script_prefix = get_script_prefix()
    own = f"{script_prefix}{translation.get_language()}/"
    if request.resolver_match is not None and path.startswith(own):
        return f"{script_prefix}{code}/{path[len(own) :]}"
    return translate_url(path, code)


def site(request):
    """Links to this page in every language, for the switcher and the hreflang alternates,
    and the main navigation with this page's section marked."""
    path = request.get_full_path()
    alternates = []
    for code, _label in settings.LANGUAGES:
        url = in_language(request, path, code)
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


def jinja_translations(request):
    """The `gettext` behind a Jinja2 page's `_("…")` (the i18n extension looks for it in
    the page's context first): each interface string translated once per language and
    process, as Django's gettext translates it, rather than through the active language
    on each of the page's fifty-odd calls."""
    return {"gettext": partial(_translated, translation.get_language())}


@lru_cache(maxsize=4096)
def _translated(language: str, message: str) -> str:
    # Called while `language` is the active one (the page's): it only keys the memo.
    return translation.gettext(message)
