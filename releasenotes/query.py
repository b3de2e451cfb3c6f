"""Normalising what people type into a search box. Plain Python, no Django."""

import unicodedata

MAX_QUERY_LENGTH = 200


def normalise_query(raw: str) -> str:
    """NFC-normalise, case-fold, drop control characters and collapse spaces."""
    text = unicodedata.normalize("NFC", raw or "")[: MAX_QUERY_LENGTH * 2]
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.casefold().split())[:MAX_QUERY_LENGTH]
