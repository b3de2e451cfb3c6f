from django.core.management.base import BaseCommand

from releasenotes.sync import run_sync


class Command(BaseCommand):
    help = (
        "Bring the database up to date with the shipped content and the upstream data. "
        "Fields an editor changed since the last sync are kept; conflicts go to the review queue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")

    def handle(self, *args, dry_run, **options):
        report = run_sync(dry_run=dry_run)
        for step in report.steps:
            if dry_run and options["verbosity"] > 1:
                for change in step.changes:
                    self.stdout.write(f"  {change}")
            for problem in step.problems:
                self.stderr.write(f"  {problem}")
            self.stdout.write(step.summary())
        self.stdout.write(report.total())
