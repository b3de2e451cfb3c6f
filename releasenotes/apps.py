from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReleaseNotesConfig(AppConfig):
    name = "releasenotes"
    verbose_name = _("Kubernetes release notes")

    def ready(self):
        from . import cache, checks  # noqa: F401  (connect the page-cache signals, register the checks)
        from .editors import ensure_editors_group

        # Permissions exist only after migrate has run, so the group is set up then.
        post_migrate.connect(ensure_editors_group, sender=self)
