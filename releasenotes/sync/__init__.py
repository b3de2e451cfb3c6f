"""`sync_content`: bring a database up to date with the shipped content and upstream data.

One front door, `run_sync()`. Each step is a function `step(report, dry_run)` that writes
through `ledger.upsert` / `ledger.upsert_many`, so a field an editor changed is never
overwritten. Steps run in the order listed; add a step by appending it to STEPS.
"""

from django.db import transaction

from .keps import sync_keps
from .release_notes import sync_release_notes
from .report import SyncReport
from .shipped import sync_shipped_content

STEPS = [
    sync_shipped_content,
    sync_release_notes,
    sync_keps,
]


def run_sync(dry_run: bool = False, steps=None) -> SyncReport:
    """Run every step in one transaction; with dry_run, roll it back and report what would change."""
    report = SyncReport(dry_run=dry_run)
    with transaction.atomic():
        for step in steps or STEPS:
            step(report, dry_run)
        if report.changed and not dry_run:
            # Bulk inserts send no post_save, so count the change once here: cached pages
            # keyed by the content version are then rebuilt on every instance.
            from releasenotes.cache import bump_content_version

            bump_content_version()
        if dry_run:
            transaction.set_rollback(True)
        elif any(step.created or step.updated for step in report.steps):
            # Steps write in bulk, past the signals that keep the search index current.
            from ..search import rebuild

            rebuild()
    return report
