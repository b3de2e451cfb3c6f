from django.core.management.base import BaseCommand

from releasenotes.sync import run_sync


class Command(BaseCommand):
    help = (
        "Bring the database up to date with the shipped content and the upstream data. "
        "Fields an editor changed since the last sync are kept; conflicts go to the review queue."
    )

    SHOWN = 20  # changes listed per step under --dry-run, unless -v 2

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")

    def handle(self, *args, dry_run, **options):
        report = run_sync(dry_run=dry_run)
        shown = None if options["verbosity"] > 1 else self.SHOWN
        for step in report.steps:
            if dry_run:
                for change in step.changes[:shown]:
                    self.stdout.write(f"  would have {change}")
                if shown is not None and len(step.changes) > shown:
                    self.stdout.write(f"  … and {len(step.changes) - shown} more (-v 2 lists them all)")
            for problem in step.problems:
                self.stderr.write(f"  {problem}")
            self.stdout.write(step.summary())
        self.stdout.write(report.total())
