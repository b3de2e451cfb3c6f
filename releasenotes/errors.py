"""Error answers that say what happened: pages in the language asked for, JSON under /api/.

None of these handlers needs the request's host, the database or a context processor:
they answer when one of those is what went wrong (a foreign Host header, a stopped
database server).
"""

import re
import sys

from django.db import DatabaseError
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

API_PREFIX = "/api/"

# Control characters (NUL above all) and U+FFFD, which stands for bytes that were not
# UTF-8: no address on this site contains them.
_BAD_PATH = re.compile(r"[\x00-\x1f\x7f\ufffd]")


def error_body(code: str, message: str, **extra) -> dict:
    """The one error envelope of the JSON API: {"error": {"code", "message", "document", "line"}}."""
    return {"error": {"code": code, "message": str(message), "document": None, "line": None, **extra}}


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _page(template: str, status: int, **context) -> HttpResponse:
    # Rendered without the request: no context processor runs, so nothing reads the host,
    # the session or the database.
    context.setdefault("LANGUAGE_CODE", get_language() or "en")
    response = HttpResponse(get_template(template).render(context), status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("The request could not be understood.")), status=400)
    return _page("400.html", 400)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("There is nothing at this address.")), status=404)
    return _page("404.html", 404)


def server_error(request):
    # Django calls this while it handles the exception, so it can tell what failed: a
    # database that can't be reached is "try again later" (503), not a bug (500).
    unavailable = isinstance(sys.exc_info()[1], DatabaseError)
    status = 503 if unavailable else 500
    if _is_api(request):
        code, message = (
            ("unavailable", _("The database is unavailable. Please try again in a moment."))
            if unavailable
            else ("server_error", _("Something went wrong on our side. Please try again later."))
        )
        response = JsonResponse(error_body(code, message), status=status)
    else:
        response = _page("503.html" if unavailable else "500.html", status)
    response["Cache-Control"] = "no-store"
    if unavailable:
        response["Retry-After"] = "30"
    return response


class RejectBadBytesMiddleware:
    """A path with NUL or other control bytes, or bytes that are not UTF-8, is not found (404).

    No page has such an address, and PostgreSQL refuses NUL in a query, so they are
    answered before any view looks a path segment up. (Query strings are each form's
    business: Django's form fields refuse NUL with a 400, and search ignores it.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _BAD_PATH.search(request.path):
            return not_found(request, Http404())
        return self.get_response(request)
