"""The Jinja2 environment: the page shell, the busiest pages and the parts of long lists.

`releasenotes/jinja2/layout.html` is the one page shell. The notes browser and the
enhancement list, the pages that draw the most, are Jinja2 templates that extend it;
the other pages are Django templates, whose `templates/base.html` renders their blocks
and hands them to it (templatetags `{% layout %}`). The parts long lists share (the
release-note rows, chips and pager) are Jinja2 partials, included from a Django page with
`{% jinja "releasenotes/_notes.html" notes=... %}`; the two Jinja2 pages call the row and
facet drawers (releasenotes.rows) directly. Jinja2 compiles a template to Python, so a
list of fifty rows costs a fraction of the same Django template; each partial exists
once, in Jinja2 only.

Strings are marked `{{ _("…") }}`, the one form `makemessages` reads from any .html file,
so the Korean catalogue covers these templates like the others; a plural is asked for
with ngettext and marked where makemessages reads it (tests/test_i18n.py checks both).
"""

from functools import lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import translation
from jinja2 import Environment

from .context_processors import shell_links
from .facets import with_query
from .rows import enhancement_rows, facet_block, note_rows


def url(name: str, *args) -> str:
    """reverse(name, args=args) for the page's language: a route's URL for the same
    arguments depends on the code, the language and the mount point only, so each is
    made once per process (the shells and crumbs of every page ask for the same few)."""
    return _reversed(name, args, translation.get_language(), get_script_prefix())


@lru_cache(maxsize=1024)
def _reversed(name: str, args: tuple, language: str, script_prefix: str) -> str:
    # Called while `language` is the active one: it only keys the memo.
    return reverse(name, args=args or None)


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 - the backend sets autoescape=True
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.globals.update(
        {
            "url": url,
            "static": static,
            "query_with": with_query,
            "get_language": translation.get_language,
            "shell_links": shell_links,
            "note_rows": note_rows,
            "enhancement_rows": enhancement_rows,
            "facet_block": facet_block,
        }
    )
    return env
