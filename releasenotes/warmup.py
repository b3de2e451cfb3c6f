"""What a fresh process would otherwise do on its first requests, done ahead of them.

Django imports the URLconf (and with it every view, the API and its schema), compiles
each route's pattern per language and compiles each template only when a request first
needs them: about a quarter of a second of CPU, and that first request's wait. gunicorn
imports the application in its master (deploy/gunicorn.conf.py, preload_app) and calls
`warm_up` there once before forking, so every worker, a replaced one included, starts
with all of it done and shares its memory. Nothing here reads the database: no
connection exists to be shared across the fork.
"""

from pathlib import Path

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver, get_script_prefix, resolve, reverse
from django.utils import translation

from .context_processors import _nav_entries, shell_links


def warm_up() -> int:
    """Import every route's view, compile the routes in each language and every template
    of each engine. Returns how many templates it compiled."""
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            # The reverse map and the language-prefixed patterns are built per language.
            resolve(reverse("releasenotes:home"))
            shell_links()
            _nav_entries(code, get_script_prefix())
    compiled = 0
    for backend in engines.all():
        for directory in backend.template_dirs:
            for path in sorted(Path(directory).rglob("*")):
                if not path.is_file():
                    continue
                try:
                    backend.get_template(path.relative_to(directory).as_posix())
                except (TemplateSyntaxError, UnicodeDecodeError):
                    # A template of an optional part this site does not install (a
                    # package's crispy-forms variant): no page asks for it.
                    continue
                compiled += 1
    return compiled
