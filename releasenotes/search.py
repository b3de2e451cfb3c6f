"""Finding things by what people type.

`filter_enhancements` is what the enhancement list's `q` filter and the API call.
"""

from django.db.models import Q, QuerySet

from .query import normalise_query


def filter_enhancements(queryset: QuerySet, q: str) -> QuerySet:
    text = normalise_query(q)
    if not text:
        return queryset
    number = text.removeprefix("kep-").removeprefix("#")
    condition = (
        Q(title_en__icontains=text)
        | Q(title_ko__icontains=text)
        | Q(summary_en__icontains=text)
        | Q(summary_ko__icontains=text)
        | Q(feature_gates__icontains=text)
        | Q(aliases__icontains=text)
    )
    if number.isdigit():
        condition |= Q(kep_number=int(number)) | Q(tracking_issue=int(number))
    return queryset.filter(condition)
