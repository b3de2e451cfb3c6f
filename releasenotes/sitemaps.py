"""/sitemap.xml: every public page in both languages, each with its hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import ApiRemoval, Enhancement, Release, Sig


class I18nSitemap(Sitemap):
    i18n = True  # one <url> per language...
    alternates = True  # ...each listing the others as <xhtml:link rel="alternate" hreflang>
    x_default = True


class StaticSitemap(I18nSitemap):
    NAMES = [
        "home", "release-index", "enhancement-list", "sig-list", "deprecations", "removed-apis-index",
        "upgrade", "dockershim", "check", "search", "glossary",
    ]  # fmt: skip

    def items(self):
        return self.NAMES

    def location(self, item):
        return reverse(f"releasenotes:{item}")


class ReleaseSitemap(I18nSitemap):
    def items(self):
        return list(Release.objects.with_note_counts())

    def lastmod(self, item):
        return item.release_date


class ReleaseNotesSitemap(ReleaseSitemap):
    def location(self, item):
        return reverse("releasenotes:release-notes", kwargs={"version": item.version})


class EnhancementSitemap(I18nSitemap):
    def items(self):
        return Enhancement.objects.order_by("kep_number")


class SigSitemap(I18nSitemap):
    def items(self):
        return Sig.objects.all()


class RemovedApiSitemap(I18nSitemap):
    def items(self):
        return sorted({r.removed_in.version for r in ApiRemoval.objects.with_releases()})

    def location(self, item):
        return reverse("releasenotes:removed-apis", kwargs={"version": item})


SITEMAPS = {
    "pages": StaticSitemap,
    "releases": ReleaseSitemap,
    "release-notes": ReleaseNotesSitemap,
    "enhancements": EnhancementSitemap,
    "sigs": SigSitemap,
    "removed-apis": RemovedApiSitemap,
}
