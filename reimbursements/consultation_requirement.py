"""The `consultation` requirement answered by the consultations app (below this one): whether the visitor met
the programme's town's staff between application (or booking) and check-out."""

from consultations import selectors as consultation_selectors


def consultation_attended(*, visitor_id: int, municipality_id: int, start, end) -> bool:
    return consultation_selectors.consultation_attended(
        visitor_id=visitor_id, municipality_id=municipality_id, start=start, end=end
    )


def consultations_attended_bulk(*, queries) -> dict:
    """The same for a whole list, in one query: {(visitor_id, municipality_id, start, end): bool}."""
    queries = set(queries)
    if not queries:
        return {}
    dates = consultation_selectors.consultations_attended_dates(
        visitor_ids={query[0] for query in queries}, municipality_ids={query[1] for query in queries}
    )
    return {query: any(query[2] <= day <= query[3] for day in dates.get((query[0], query[1]), ())) for query in queries}
