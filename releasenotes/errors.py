"""Error pages in the language of the page asked for."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template


def bad_request(request, exception=None):
    return render(request, "400.html", {}, status=400)


def not_found(request, exception=None):
    return render(request, "404.html", {}, status=404)


def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(get_template("500.html").render({}))
