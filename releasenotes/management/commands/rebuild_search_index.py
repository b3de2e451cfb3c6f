from django.core.management.base import BaseCommand

from releasenotes import search


class Command(BaseCommand):
    help = "Rebuild the search index and its vocabulary from everything registered as searchable."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Build the entries and count them, write nothing.")

    def handle(self, *args, dry_run, **options):
        count = search.rebuild(dry_run=dry_run)
        self.stdout.write(f"{'Would index' if dry_run else 'Indexed'} {count} entries")
