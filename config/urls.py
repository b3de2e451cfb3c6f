from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

admin.site.site_header = "Kubernetes release notes"


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("releasenotes.api_urls")),
]
urlpatterns += i18n_patterns(path("", include("releasenotes.urls")))

handler400 = "releasenotes.errors.bad_request"
handler404 = "releasenotes.errors.not_found"
handler500 = "releasenotes.errors.server_error"
