"""The stock's lock and take are plain SQL (an upsert the ORM cannot say, and the UPDATE beside it): each must
leave and give back what the ORM's conventional form would, for the nights' dates and for the hours' slots."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Case, F, Value, When

from bookings import services
from bookings.models import SlotStock, UnitStock
from tests.bookings.factories import HourlyRoomFactory, LodgingUnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKYO = ZoneInfo("Asia/Tokyo")
DAY = date(2027, 3, 1)


CASES = {
    "nights": (
        UnitStock,
        "date",
        LodgingUnitFactory,
        [DAY + timedelta(days=n) for n in (4, 0, 2, 1)],
        services._stock_lock,
        services._stock_take,
        "dates",
    ),
    "slots": (
        SlotStock,
        "starts_at",
        HourlyRoomFactory,
        [datetime(2027, 3, 1, 10, 0, tzinfo=TOKYO) + timedelta(minutes=15 * n) for n in (3, 0, 2, 1)],
        services._slot_lock,
        services._slot_take,
        "slots",
    ),
}


def state(model, key, unit) -> list[tuple]:
    return list(model.objects.filter(unit=unit).order_by(key).values_list(key, "total", "taken"))


def seeded_unit(case, organisation):
    """A unit of count 3 with stock already on two of the four keys (one of them taken beyond a later count)."""
    model, key, factory, keys, *_ = CASES[case]
    unit = factory(facility__operator=organisation, count=3)
    model.objects.create(unit=unit, **{key: keys[1]}, total=3, taken=1)
    model.objects.create(unit=unit, **{key: keys[2]}, total=3, taken=3)
    return unit


@pytest.mark.parametrize("case", CASES)
def test_the_lock_makes_the_missing_rows_and_returns_every_row_as_the_orm_reads_it(case, organisation):
    model, key, _factory, keys, lock, _take, _name = CASES[case]
    plain, orm = seeded_unit(case, organisation), seeded_unit(case, organisation)

    with transaction.atomic():
        returned = lock(unit=plain, **{CASES[case][6]: keys + keys[:1]})  # a repeated key is one row
    with transaction.atomic():
        for one in keys:
            model.objects.get_or_create(unit=orm, **{key: one}, defaults={"total": orm.count, "taken": 0})
        expected = list(model.objects.select_for_update().filter(unit=orm, **{f"{key}__in": keys}).order_by(key))

    assert [(getattr(row, key), row.total, row.taken) for row in returned] == [
        (getattr(row, key), row.total, row.taken) for row in expected
    ]
    assert [row.pk for row in returned] == list(
        model.objects.filter(unit=plain, **{f"{key}__in": keys}).order_by(key).values_list("pk", flat=True)
    )
    assert state(model, key, plain) == state(model, key, orm)
    # The rows already there are left as they were; the new ones are whole and free.
    assert sorted(state(model, key, plain), key=lambda row: row[2]) == sorted(
        [(keys[3], 3, 0), (keys[0], 3, 0), (keys[1], 3, 1), (keys[2], 3, 3)], key=lambda row: row[2]
    )


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("count", [3, 2, 5])
def test_the_take_leaves_what_the_orms_update_leaves(case, count, organisation):
    """The total follows the unit's count but never falls below what is already taken; each key takes one."""
    model, key, _factory, keys, lock, take, name = CASES[case]
    plain, orm = seeded_unit(case, organisation), seeded_unit(case, organisation)
    some = [keys[0], keys[1], keys[3]]  # not the full one (keys[2])
    for unit in (plain, orm):
        type(unit).objects.filter(pk=unit.pk).update(count=count)
        unit.refresh_from_db()
        with transaction.atomic():
            lock(unit=unit, **{name: keys})

    with transaction.atomic():
        take(unit=plain, **{name: some})
    with transaction.atomic():
        model.objects.filter(unit=orm, **{f"{key}__in": some}).update(
            total=Case(When(taken__gt=count, then=F("taken")), default=Value(count)), taken=F("taken") + 1
        )

    assert state(model, key, plain) == state(model, key, orm)
    taken = {row[0]: row[2] for row in state(model, key, plain)}
    assert [taken[one] for one in keys] == [1, 2, 3, 1]
