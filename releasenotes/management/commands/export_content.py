import json

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.base import BaseCommand

from releasenotes import models as m

# What editors write, in an order loaddata can follow; the search index is derived.
CONTENT_MODELS = [
    m.Release, m.Sig, m.Enhancement, m.StageEntry, m.Theme, m.ApiRemoval, m.FaqEntry, m.GlossaryTerm, m.Snippet,
    m.NoteLabel, m.ReleaseNote, m.FeatureGate,
]  # fmt: skip
# The accounts named in the history, found by user name on restore (so a restore into a
# database that has them updates them in place). Their password hashes come along: the
# export is a backup, to be kept as private as the database.
USER_FIELDS = ["username", "password", "first_name", "last_name", "email", "is_staff", "is_active", "groups"]


def export_rows() -> list[dict]:
    """Content, its whole history and the accounts that history names, as fixture rows.

    Content keeps its primary keys: history rows refer to their record by id, so a restore
    into a fresh database must give every record the id it had. Foreign keys are written
    as natural keys where the model has one (releases by version, users by name).
    """
    history = [model.history.model for model in CONTENT_MODELS if hasattr(model, "history")]
    user_ids = set()
    for model in history:
        user_ids |= set(model.objects.exclude(history_user=None).values_list("history_user_id", flat=True))
    users = get_user_model().objects.filter(pk__in=user_ids).order_by("username")

    def rows(querysets, **options):
        return [row for qs in querysets for row in json.loads(serializers.serialize("json", qs, **options))]

    history_rows = rows([model.objects.order_by("pk") for model in history], use_natural_foreign_keys=True)
    # Django's JSON keeps milliseconds only; history is ordered by its dates, so keep them whole.
    dates = {
        (model._meta.label_lower, pk): date.isoformat()
        for model in history
        for pk, date in model.objects.values_list("pk", "history_date")
    }
    for row in history_rows:
        row["fields"]["history_date"] = dates[(row["model"], row["pk"])]
    return [
        *rows([users], use_natural_foreign_keys=True, use_natural_primary_keys=True, fields=USER_FIELDS),
        *rows([model.objects.order_by("pk") for model in CONTENT_MODELS], use_natural_foreign_keys=True),
        *history_rows,
    ]


class Command(BaseCommand):
    help = "Export all content and its edit history as one fixture that `loaddata` reads back without loss."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="File to write (JSON).")

    def handle(self, *args, output, **options):
        rows = export_rows()
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, ensure_ascii=False, indent=1)
        self.stdout.write(f"Exported {len(rows)} records (content, its history and the editors it names) to {output}")
