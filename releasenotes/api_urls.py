from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import api

app_name = "api"

urlpatterns = [
    path("enhancements/", api.EnhancementList.as_view(), name="enhancement-list"),
    path("enhancements/<int:kep_number>/", api.EnhancementDetail.as_view(), name="enhancement-detail"),
    path("feature-gates/", api.FeatureGateList.as_view(), name="feature-gate-list"),
    path("feature-gates/<str:name>/", api.FeatureGateDetail.as_view(), name="feature-gate-detail"),
    path("check/", api.CheckView.as_view(), name="check"),
    path("removed-apis/", api.RemovedApiList.as_view(), name="removed-api-list"),
    path("search/", api.SearchView.as_view(), name="search"),
    path("release-notes/", api.ReleaseNoteList.as_view(), name="release-note-list"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
