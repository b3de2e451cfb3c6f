from django.urls import path

from . import feeds, views

app_name = "releasenotes"

urlpatterns = [
    path("", views.home, name="home"),
    path("releases/", views.release_index, name="release-index"),
    path("releases/feed/", feeds.ReleaseFeed(), name="release-feed"),
    path("releases/<str:version>/", views.release_detail, name="release-detail"),
    path("releases/<str:version>/notes/", views.release_notes, name="release-notes"),
    path("releases/<str:version>/action-required/feed/", feeds.ActionRequiredFeed(), name="action-required-feed"),
    path("enhancements/", views.enhancement_list, name="enhancement-list"),
    path("enhancements/<int:kep_number>/", views.enhancement_detail, name="enhancement-detail"),
    path("feature-gates/", views.feature_gate_list, name="feature-gate-list"),
    path("feature-gates/<str:name>/", views.feature_gate_detail, name="feature-gate-detail"),
    path("sigs/", views.sig_list, name="sig-list"),
    path("sigs/<slug:slug>/", views.sig_detail, name="sig-detail"),
    path("deprecations/", views.deprecations, name="deprecations"),
    path("removed-apis/", views.removed_apis_index, name="removed-apis-index"),
    path("removed-apis/<str:version>/", views.removed_apis, name="removed-apis"),
    path("upgrade/", views.upgrade, name="upgrade"),
    path("dockershim/", views.dockershim, name="dockershim"),
    path("check/", views.check, name="check"),
    path("search/", views.search, name="search"),
    path("glossary/", views.glossary, name="glossary"),
]
