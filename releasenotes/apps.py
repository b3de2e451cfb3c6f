from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleaseNotesConfig(AppConfig):
    name = "releasenotes"
    verbose_name = _("Kubernetes release notes")
