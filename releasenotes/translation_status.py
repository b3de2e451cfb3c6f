"""Whether each Korean field is up to date with the English it was translated from.

Every translatable record keeps, per field, a fingerprint of the English text its Korean
text was written from. When the English changes and the Korean does not, the
fingerprints no longer match and the Korean is "outdated"; an empty Korean field beside
English text is "missing".
"""

import hashlib
from functools import lru_cache

MISSING, OUTDATED, CURRENT = "missing", "outdated", "current"


@lru_cache(maxsize=2048)
def fingerprint(text: str) -> str:
    # A function of the text alone, kept for the last texts asked: a list compares each
    # row's English with the fingerprint its Korean was written from, the same texts on
    # every page.
    return hashlib.sha256((text or "").strip().encode()).hexdigest()[:16]


def field_status(obj, field: str) -> str | None:
    english = getattr(obj, f"{field}_en", "") or ""
    korean = getattr(obj, f"{field}_ko", "") or ""
    if not english.strip():
        return None  # nothing to translate
    if not korean.strip():
        return MISSING
    if (obj.translation_sources or {}).get(field) != fingerprint(english):
        return OUTDATED
    return CURRENT


def record_status(obj) -> dict[str, str]:
    """{field: status} for the fields that have English text."""
    statuses = {field: field_status(obj, field) for field in obj.TRANSLATED_FIELDS}
    return {field: status for field, status in statuses.items() if status}


def worst(statuses) -> str:
    values = set(statuses.values() if isinstance(statuses, dict) else statuses)
    for status in (MISSING, OUTDATED):
        if status in values:
            return status
    return CURRENT


def note_translations(obj, loaded_korean: dict[str, str] | None) -> None:
    """Before a save: a Korean field that is new or changed was written from today's English."""
    sources = dict(obj.translation_sources or {})
    for field in obj.TRANSLATED_FIELDS:
        korean = getattr(obj, f"{field}_ko", "") or ""
        before = None if loaded_korean is None else loaded_korean.get(field)
        if not korean.strip():
            sources.pop(field, None)
        elif before is None or korean != before:
            sources[field] = fingerprint(getattr(obj, f"{field}_en", ""))
    obj.translation_sources = sources
