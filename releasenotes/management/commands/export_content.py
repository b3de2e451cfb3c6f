from django.core.management import call_command
from django.core.management.base import BaseCommand

# What editors write; the history tables and the search index are derived or internal.
CONTENT_MODELS = [
    "releasenotes.release",
    "releasenotes.sig",
    "releasenotes.enhancement",
    "releasenotes.stageentry",
    "releasenotes.theme",
    "releasenotes.apiremoval",
    "releasenotes.faqentry",
    "releasenotes.glossaryterm",
    "releasenotes.snippet",
    "releasenotes.notelabel",
    "releasenotes.releasenote",
]


class Command(BaseCommand):
    help = "Export all content as one fixture that `loaddata` reads back without loss."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="File to write (JSON).")

    def handle(self, *args, output, **options):
        call_command(
            "dumpdata",
            *CONTENT_MODELS,
            natural_foreign=True,
            natural_primary=True,
            indent=1,
            output=output,
            verbosity=0,
        )
        self.stdout.write(f"Exported {len(CONTENT_MODELS)} kinds of content to {output}")
