"""SQL queries and HTML size of the release-notes pages, on the database the bench server uses.

Run by bench/notes.sh (same environment: production settings, scratch database, no cache).
Prints one line per page: queries, kilobytes, and whether both are within budget.
"""

import os
import sys

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from releasenotes.models import Release  # noqa: E402

QUERY_BUDGET, SIZE_BUDGET = 8, 100_000


def main(pages):
    client = Client(HTTP_HOST="127.0.0.1")
    over = 0
    print(f"{'page':60} {'queries':>8} {'KB':>7}  budget")
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        size, count = len(response.content), len(queries.captured_queries)
        ok = response.status_code == 200 and count <= QUERY_BUDGET and size <= SIZE_BUDGET
        over |= not ok
        print(f"{page:60} {count:>8} {size / 1000:>7.1f}  {'ok' if ok else f'OVER ({response.status_code})'}")
    print(f"budget: <= {QUERY_BUDGET} queries and <= {SIZE_BUDGET // 1000} KB per page")
    return over


if __name__ == "__main__":
    largest = max(Release.objects.with_note_counts(), key=lambda r: r.note_count).version
    if len(sys.argv) > 1 and sys.argv[1] == "--largest":
        print(largest)
        sys.exit(0)
    base = f"/ko/releases/{largest}/notes/"
    sys.exit(
        main(
            [
                base,
                base + "?page=8",
                base + "?kind=feature&sig=node",
                base + "?kind=bug&sig=node&area=kubelet&action_required=false",
                base + "?action_required=true",
                base + "?q=pod",
                f"/ko/releases/{largest}/",
                "/ko/releases/",
                "/ko/upgrade/?from=1.21&to=1.25",
            ]
        )
    )
