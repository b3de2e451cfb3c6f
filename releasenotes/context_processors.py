from django.conf import settings
from django.urls import translate_url
from django.utils import translation

# Each language named in itself, as a switcher should.
NATIVE_NAMES = {"ko": "한국어", "en": "English"}
SECTION_ALIASES = {"upgrade": "removed"}


def site(request):
    """Links to this page in every language, for the switcher and the hreflang alternates."""
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
    return {
        # The section of the site this page belongs to, for the navigation: the first
        # word of the URL name ("enhancement-detail" → "enhancement"); the upgrade path
        # belongs with the removed APIs.
        "section": SECTION_ALIASES.get(url_name, url_name.split("-")[0]),
        "alternates": alternates,
        "x_default": next(a["url"] for a in alternates if a["code"] == settings.LANGUAGE_CODE),
    }
