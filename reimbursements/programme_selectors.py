"""Reads of programmes by who asks: everyone sees the active ones, a town's staff also its retired ones."""

import re

from django.db.models import Q, QuerySet

from .errors import ProgrammeNotFound
from .models import Programme

# What a programme code can be (a slug); anything else, a NUL byte included, is simply not found.
PROGRAMME_CODE = re.compile(r"[-a-zA-Z0-9_]{1,60}")


def _visible_q(user) -> Q:
    visible = Q(is_active=True)
    if user is not None and user.is_authenticated and user.is_municipal_staff:
        visible |= Q(municipality_id=user.municipality_id)
    return visible


def programme_list_visible(*, user) -> QuerySet[Programme]:
    return (
        Programme.objects.filter(_visible_q(user))
        .select_related("municipality")
        .prefetch_related("categories", "not_combinable_with")
        .order_by("code")
    )


def programme_get_visible(*, user, code: str) -> Programme:
    programme = programme_list_visible(user=user).filter(code=code).first() if PROGRAMME_CODE.fullmatch(code) else None
    if programme is None:
        raise ProgrammeNotFound()
    return programme


def programme_get_for_staff(*, user, code: str) -> Programme:
    """One of the staff member's town's programmes, retired ones included; another town's is not found."""
    programme = (
        (
            Programme.objects.filter(municipality_id=user.municipality_id, code=code)
            .select_related("municipality")
            .first()
        )
        if PROGRAMME_CODE.fullmatch(code)
        else None
    )
    if programme is None:
        raise ProgrammeNotFound()
    return programme
