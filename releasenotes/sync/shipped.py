"""Step (a): the content we ship (fixtures/*.json, built by `make fixtures` from
releasenotes/content/ and the facts file), written through the ledger instead of loaddata."""

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers

from .ledger import upsert
from .report import SyncReport

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def _lookup(obj) -> dict:
    """Rows with a fixed primary key are found by it; the others by their unique natural key."""
    if obj.pk is not None:
        return {"pk": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.unique and not field.primary_key:
            return {field.name: getattr(obj, field.attname)}
    raise ValueError(f"{obj._meta.label} has no natural key to find it by")


def apply_fixture(path: Path, report: SyncReport) -> None:
    rows = json.loads(path.read_text(encoding="utf-8"))
    # The serializer resolves natural keys (["1.22"], [["sig-node"]]) to primary keys,
    # and finds rows without a pk by their natural key.
    for row, item in zip(rows, serializers.deserialize("json", path.read_text(encoding="utf-8")), strict=True):
        obj = item.object
        values = {}
        for name in row["fields"]:
            field = obj._meta.get_field(name)
            values[name] = item.m2m_data[name] if field.many_to_many else getattr(obj, field.attname)
        upsert(type(obj), _lookup(obj), values, report, source=f"fixtures/{path.name}")


def sync_shipped_content(report: SyncReport, dry_run: bool) -> None:
    report.step("shipped content")
    for path in sorted(FIXTURES_DIR.glob("*.json")):
        apply_fixture(path, report)
