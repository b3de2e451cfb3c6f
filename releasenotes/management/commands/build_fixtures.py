from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from releasenotes import dataset


class Command(BaseCommand):
    help = "Rebuild fixtures/*.json from the facts file and releasenotes/content/*.yaml."

    def add_arguments(self, parser):
        parser.add_argument("--facts", type=Path, default=dataset.DEFAULT_FACTS)
        parser.add_argument("--output", type=Path, default=Path(settings.BASE_DIR) / "fixtures")
        parser.add_argument("--dry-run", action="store_true", help="Build and count, write nothing.")

    def handle(self, *args, facts, output, dry_run, **options):
        fixtures = dataset.build(facts)
        rows = sum(len(r) for r in fixtures.values())
        rules = dataset.rules_table(facts)
        if not dry_run:
            dataset.write(output, fixtures)
            dataset.write_rules(rules)
        verb = "Would write" if dry_run else "Wrote"
        self.stdout.write(f"{verb} {rows} rows in {len(fixtures)} fixtures to {output} and {len(rules)} checker rules")
