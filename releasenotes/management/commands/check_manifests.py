"""`manage.py check_manifests [--target V] [--current V] [-o text|json|markdown|sarif] PATH…|-`

Checks manifest files, directories (read recursively: *.yaml, *.yml, *.json) or standard
input (`-`, e.g. `helm template … | manage.py check_manifests -`) with the same service as
the checker page and the API. Exit codes as pluto's: 0 nothing found, 2 deprecated APIs
only, 3 something removed at the target; 1 when an input could not be read and nothing
worse was found.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from releasenotes import manifests
from releasenotes.checker import report_formats


class Command(BaseCommand):
    help = "Check Kubernetes manifests for deprecated and removed API versions before an upgrade."
    requires_system_checks = []  # a CI job needs no database and no deploy settings

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="File, directory, or - for standard input.")
        parser.add_argument(
            "--target",
            default=f"1.{manifests.LAST_CHECK_TARGET}",
            help=f"Release to upgrade to (default 1.{manifests.LAST_CHECK_TARGET}).",
        )
        parser.add_argument("--current", help="Release the cluster runs now.")
        parser.add_argument("-o", "--output", choices=report_formats.FORMATS, default="text")

    def handle(self, *args, **options):
        with translation.override("en"):  # CI logs and code-scanning tools read English
            self._check(**options)

    def _check(self, *, paths, target, current, output, **options):
        try:
            manifests.clean_versions(target, current)
        except manifests.CheckRequestError as error:
            raise CommandError(error.message) from None
        try:
            inputs = report_formats.collect(paths, stdin=sys.stdin.buffer, limit=manifests.settings.CHECKER_MAX_BYTES)
        except OSError as error:
            raise CommandError(str(error)) from None

        checked = []
        for name, body in inputs:
            try:
                checked.append((name, manifests.check_request(body, target, current)))
            except manifests.CheckRequestError as error:
                checked.append((name, error))
        self.stdout.write(report_formats.render(output, checked, target, current), ending="")
        code = report_formats.exit_code(checked)
        if code:
            sys.exit(code)
