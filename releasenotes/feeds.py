"""Atom feeds: the releases, and each release's action-required notes (Django syndication)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Release, ReleaseNote


class ReleaseFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Kubernetes releases")

    def subtitle(self):
        return _("Every Kubernetes release with its release notes, newest first.")

    def link(self):
        return reverse("releasenotes:release-index")

    def items(self):
        return Release.objects.with_note_counts()

    def item_title(self, item):
        return str(item.name or item)

    def item_description(self, item):
        return _("%(notes)d release notes, %(action)d of them need action before upgrading.") % {
            "notes": item.note_count,
            "action": item.action_required_count,
        }

    def item_pubdate(self, item):
        return _midnight(item.release_date)

    def item_updateddate(self, item):
        return _midnight(item.release_date)


class ActionRequiredFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, version):
        return get_object_or_404(Release, version=version)

    def title(self, obj):
        return _("Action-required notes of Kubernetes %(version)s") % {"version": obj.version}

    def link(self, obj):
        return reverse("releasenotes:release-notes", kwargs={"version": obj.version}) + "?action_required=true"

    def items(self, obj):
        return ReleaseNote.objects.in_release(obj).action_required().select_related("release").order_by("pr_number")

    def item_title(self, item):
        text = item.text_ko if get_language() == "ko" and item.text_ko else item.text_en
        first = strip_tags(item.html_ko if text == item.text_ko else item.html_en).strip().split("\n")[0]
        return first[:120] + ("…" if len(first) > 120 else "")

    def item_description(self, item):
        return item.html_ko if get_language() == "ko" and item.html_ko else item.html_en

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return _midnight(item.release.release_date)

    def item_updateddate(self, item):
        return _midnight(item.release.release_date)


def _midnight(day):
    import datetime

    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
