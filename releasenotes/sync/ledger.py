"""Write upstream values without losing what editors changed.

For every field it writes, the sync keeps a hash of the value it wrote (`SyncedField`).
On the next run, a stored value whose hash no longer matches was changed by someone else
since (admin, API or shell, it does not matter how): that value stays. When upstream
changed the same field too, the disagreement goes to the review queue (`SyncConflict`),
once. Every other field takes the upstream value, through `save()`, so the history
records real changes only; a row whose values are all equal is not saved at all.
"""

import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ..models import SyncConflict, SyncedField
from .report import SyncReport


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def value_hash(value) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()[:32]


def _field(model, name: str):
    return model._meta.get_field(name)


def normalise(field, value):
    """The value as the database would give it back, so equal values compare equal."""
    if field.many_to_many:
        return sorted(item.pk if isinstance(item, models.Model) else item for item in value or ())
    if isinstance(value, models.Model):
        value = value.pk
    if value is None:
        return None
    target = field.target_field if field.is_relation else field
    if isinstance(field, models.JSONField):
        return json.loads(canonical(value))  # tuples → lists, the way it comes back
    return target.get_prep_value(target.to_python(value))


def stored(obj, field):
    if field.many_to_many:
        return sorted(item.pk for item in getattr(obj, field.name).all())  # .all(): uses a prefetch
    return normalise(field, getattr(obj, field.attname))


def _assign(obj, field, value):
    if not field.many_to_many:
        setattr(obj, field.attname, value)


class Ledger:
    """The hashes of one model's rows, read once per model and sync."""

    def __init__(self, model):
        self.content_type = ContentType.objects.get_for_model(model)
        self.hashes = {
            (row.object_pk, row.field): row for row in SyncedField.objects.filter(content_type=self.content_type)
        }
        self.open_conflicts = {
            (c.object_pk, c.field): c for c in SyncConflict.objects.unresolved().filter(content_type=self.content_type)
        }

    def get(self, pk, name):
        row = self.hashes.get((str(pk), name))
        return row.value_hash if row else None

    def record(self, pk, name, value):
        key = (str(pk), name)
        row = self.hashes.get(key)
        if row is None:
            row = SyncedField(content_type=self.content_type, object_pk=str(pk), field=name)
            self.hashes[key] = row
        row.value_hash = value_hash(value)
        row.synced_at = timezone.now()
        return row

    def conflict(self, pk, name, editor_value, upstream_value, source) -> bool:
        """Queue a conflict unless this very one is already queued. True when queued now."""
        existing = self.open_conflicts.get((str(pk), name))
        upstream_text = canonical(upstream_value)
        if existing is not None:
            if existing.upstream_value == upstream_text:
                return False
            existing.upstream_value, existing.editor_value = upstream_text, canonical(editor_value)
            existing.save(update_fields=["upstream_value", "editor_value"])
            return True
        self.open_conflicts[(str(pk), name)] = SyncConflict.objects.create(
            content_type=self.content_type,
            object_pk=str(pk),
            field=name,
            editor_value=canonical(editor_value),
            upstream_value=upstream_text,
            source=source[:200],
        )
        return True


def _ledger(report: SyncReport, model) -> Ledger:
    cache = report.__dict__.setdefault("_ledgers", {})
    if model not in cache:
        cache[model] = Ledger(model)
    return cache[model]


def _save_hashes(rows: list[SyncedField]) -> None:
    new = [row for row in rows if row.pk is None]
    old = [row for row in rows if row.pk is not None]
    SyncedField.objects.bulk_create(new, batch_size=500)
    if old:
        SyncedField.objects.bulk_update(old, ["value_hash", "synced_at"], batch_size=500)


def _merge(obj, model, values, ledger, report, source) -> tuple[list, list, dict]:
    """Decide field by field; return (changed fields, ledger rows to save, m2m to set)."""
    changed, hashes, m2m = [], [], {}
    step = report.current
    for name, upstream in values.items():
        field = _field(model, name)
        upstream = normalise(field, upstream)
        current = stored(obj, field)
        known = ledger.get(obj.pk, name)
        if known is not None and value_hash(current) != known:
            # Someone changed this field since the last sync: it stays as they left it.
            step.kept += 1
            if value_hash(upstream) == value_hash(current):
                hashes.append(ledger.record(obj.pk, name, upstream))  # both now agree
            elif value_hash(upstream) != known and ledger.conflict(obj.pk, name, current, upstream, source):
                step.conflicts += 1
            continue
        if known is None and current != upstream:
            # Stored before the ledger knew it (e.g. a database loaded with loaddata):
            # who wrote it is unknown, so keep it and let a person decide.
            step.kept += 1
            if ledger.conflict(obj.pk, name, current, upstream, source):
                step.conflicts += 1
            continue
        if current != upstream:
            changed.append(name)
            if field.many_to_many:
                m2m[name] = upstream
            else:
                _assign(obj, field, upstream)
        if known != value_hash(upstream):
            hashes.append(ledger.record(obj.pk, name, upstream))
    return changed, hashes, m2m


def upsert(model, lookup: dict, values: dict, report: SyncReport, source: str):
    """Create the row `lookup` names with `values`, or bring an existing one up to date
    without overwriting what an editor changed. Returns the row (unsaved under --dry-run
    only in that the transaction is rolled back)."""
    ledger = _ledger(report, model)
    step = report.current
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup)
        m2m = {}
        for name, value in values.items():
            field = _field(model, name)
            if field.many_to_many:
                m2m[name] = normalise(field, value)
            else:
                _assign(obj, field, normalise(field, value))
        obj.save()
        for name, pks in m2m.items():
            getattr(obj, name).set(pks)
        _save_hashes([ledger.record(obj.pk, name, normalise(_field(model, name), v)) for name, v in values.items()])
        step.created += 1
        step.changes.append(f"created {model._meta.model_name} {obj}")
        return obj
    changed, hashes, m2m = _merge(obj, model, values, ledger, report, source)
    if changed:
        if set(changed) - set(m2m):
            obj.save()
        for name, pks in m2m.items():
            getattr(obj, name).set(pks)
        step.updated += 1
        step.changes.append(f"updated {model._meta.model_name} {obj}: {', '.join(changed)}")
    else:
        step.unchanged += 1
    _save_hashes(hashes)
    return obj


def upsert_many(model, key: str, rows: list[dict], report: SyncReport, source: str, *, scope=None, create=None) -> None:
    """`upsert` for thousands of rows: one read of the existing ones, bulk inserts for the
    new ones, and the same field-by-field rule for the rest.

    `rows` are value dicts that include `key`, unique within `scope` (a filter such as
    {"release": release}; its fields are among the row values too). `create(objs)` may
    replace the plain bulk insert (e.g. to write history rows at the same time).
    """
    ledger = _ledger(report, model)
    step = report.current
    m2m_names = [name for name in (rows[0] if rows else {}) if _field(model, name).many_to_many]
    existing = {
        normalise(_field(model, key), getattr(obj, _field(model, key).attname)): obj
        for obj in model.objects.filter(**(scope or {}), **{f"{key}__in": [row[key] for row in rows]}).prefetch_related(
            *m2m_names
        )
    }
    new_objs, new_m2m, hashes = [], [], []
    for row in rows:
        obj = existing.get(normalise(_field(model, key), row[key]))
        if obj is None:
            obj = model()
            for name, value in row.items():
                field = _field(model, name)
                if not field.many_to_many:
                    _assign(obj, field, normalise(field, value))
            new_objs.append(obj)
            new_m2m.append({n: normalise(_field(model, n), row[n]) for n in m2m_names})
            continue
        changed, row_hashes, m2m = _merge(obj, model, row, ledger, report, source)
        hashes.extend(row_hashes)
        if changed:
            if set(changed) - set(m2m):
                obj.save()
            for name, pks in m2m.items():
                getattr(obj, name).set(pks)
            step.updated += 1
            step.changes.append(f"updated {model._meta.model_name} {obj}: {', '.join(changed)}")
        else:
            step.unchanged += 1
    if new_objs:
        for obj in new_objs:
            if hasattr(obj, "prepare_for_bulk"):
                obj.prepare_for_bulk()
        created = create(new_objs) if create else model.objects.bulk_create(new_objs, batch_size=500)
        if any(obj.pk is None for obj in created):  # backends that don't return ids
            keys = [getattr(o, key) for o in created]
            by_key = {getattr(o, key): o for o in model.objects.filter(**(scope or {}), **{f"{key}__in": keys})}
            created = [by_key[k] for k in keys]
        for name in m2m_names:
            through = getattr(model, name).through
            source_col, target_col = _through_columns(model, name)
            links = [
                through(**{source_col: obj.pk, target_col: pk})
                for obj, m2m in zip(created, new_m2m, strict=True)
                for pk in m2m[name]
            ]
            through.objects.bulk_create(links, batch_size=1000)
        new_rows = [r for r in rows if normalise(_field(model, key), r[key]) not in existing]
        for obj, row in zip(created, new_rows, strict=True):
            hashes.extend(ledger.record(obj.pk, name, normalise(_field(model, name), v)) for name, v in row.items())
            step.changes.append(f"created {model._meta.model_name} {obj}")
        step.created += len(created)
    _save_hashes(hashes)


def retire(model, candidates, report: SyncReport) -> None:
    """Delete the `candidates`, rows an earlier sync wrote that upstream no longer has (a
    milestone map rewritten later, say), one by one so the history records each removal.

    A row the ledger does not know was not written by a sync: it stays. A row someone
    changed since the sync wrote it stays too, and the report says so."""
    ledger = _ledger(report, model)
    step = report.current
    written: dict[str, dict[str, SyncedField]] = {}
    for (pk, name), row in ledger.hashes.items():
        written.setdefault(pk, {})[name] = row
    for obj in candidates:
        rows = written.get(str(obj.pk))
        if not rows:
            continue
        edited = [n for n, row in rows.items() if value_hash(stored(obj, _field(model, n))) != row.value_hash]
        if edited:
            step.kept += 1
            step.changes.append(f"kept {model._meta.model_name} {obj}: upstream dropped it, an editor changed it")
            continue
        pk, label = str(obj.pk), str(obj)
        obj.delete()
        SyncedField.objects.filter(pk__in=[row.pk for row in rows.values() if row.pk]).delete()
        for name in rows:
            del ledger.hashes[(pk, name)]
        step.removed += 1
        step.changes.append(f"removed {model._meta.model_name} {label}")


def _through_columns(model, name):
    field = _field(model, name)
    return field.m2m_column_name(), field.m2m_reverse_name()


def resolve(conflict: SyncConflict, take_upstream: bool) -> None:
    """Close a conflict: write upstream's value, or keep the editor's for good."""
    model = conflict.content_type.model_class()
    field = _field(model, conflict.field)
    upstream = json.loads(conflict.upstream_value)
    if take_upstream:
        obj = model.objects.get(pk=conflict.object_pk)
        if field.many_to_many:
            getattr(obj, field.name).set(upstream)
        else:
            _assign(obj, field, upstream)
            obj.save()
    # Either way the ledger now holds upstream's value: a kept editor value differs from it
    # and stays, and only a new upstream change raises a new conflict.
    row, _ = SyncedField.objects.get_or_create(
        content_type=conflict.content_type, object_pk=conflict.object_pk, field=conflict.field
    )
    row.value_hash = value_hash(normalise(field, upstream))
    row.save()
    conflict.resolved = True
    conflict.save(update_fields=["resolved"])
