"""SQL queries per page (list and detail pages of KEPs and feature gates), on the
database the calling script prepared. Run by bench/keps.sh; prints one line per page."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PAGES = [
    "/ko/enhancements/?release=1.27",
    "/ko/enhancements/?release=1.30&stage=beta&sig=sig-node",
    "/ko/enhancements/2400/",
    "/ko/feature-gates/",
    "/ko/feature-gates/?release=1.29&stage=beta",
    "/ko/feature-gates/NodeSwap/",
    "/ko/releases/1.27/",
    "/api/v1/enhancements/?release=1.27",
    "/api/v1/feature-gates/NodeSwap/",
]


def main():
    client = Client(HTTP_HOST="127.0.0.1")
    for url in PAGES:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        print(f"{url:60} {status} {len(queries):3} queries")


if __name__ == "__main__":
    main()
