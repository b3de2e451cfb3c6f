from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import include, path

from releasenotes.admin import translation_queue
from releasenotes.sitemaps import SITEMAPS

admin.site.site_header = admin.site.site_title = "Kubernetes release notes"


def healthz(request):
    """For load balancers and uptime checks: the process answers and the database too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


ROBOTS = "User-agent: *\nDisallow: /admin/\nDisallow: /api/\n"


def robots_txt(request):
    return HttpResponse(ROBOTS, content_type="text/plain")


urlpatterns = [
    path("robots.txt", robots_txt, name="robots-txt"),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/translations/", admin.site.admin_view(translation_queue), name="translation-queue"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("releasenotes.api_urls")),
]
urlpatterns += i18n_patterns(path("", include("releasenotes.urls")))

handler400 = "releasenotes.errors.bad_request"
handler404 = "releasenotes.errors.not_found"
handler500 = "releasenotes.errors.server_error"
