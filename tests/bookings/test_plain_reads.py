"""Reads a booking makes in plain SQL, written once per process for speed, must give what the ORM gives."""

from datetime import date, time

import pytest

from bookings import selectors, stays
from bookings.errors import UnknownUnit
from facilities.models import Unit
from tests.bookings.factories import LodgingUnitFactory

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_bookable_unit_read_equals_the_orm_read(saku, organisation):
    unit = LodgingUnitFactory(
        facility__operator=organisation, facility__municipality=saku, check_in_time=time(15, 30), count=2
    )
    expected = Unit.objects.select_related("facility").get(pk=unit.pk)

    read = selectors.unit_bookable(unit_id=unit.pk)

    assert fields_of(read) == fields_of(expected)
    assert fields_of(read.facility) == fields_of(expected.facility)
    # Timestamps keep their time zone on SQLite too, and nothing is left to load.
    assert read.created_at.tzinfo is not None and read.facility.updated_at.tzinfo is not None
    assert read.get_deferred_fields() == set() and read.facility.get_deferred_fields() == set()


@pytest.mark.parametrize("change", ["inactive", "unpublished", "unknown"])
def test_a_unit_that_cannot_be_booked_is_refused_on_its_field(saku, organisation, change):
    unit = LodgingUnitFactory(facility__operator=organisation, facility__municipality=saku)
    if change == "inactive":
        Unit.objects.filter(pk=unit.pk).update(is_active=False)
    elif change == "unpublished":
        type(unit.facility).objects.filter(pk=unit.facility_id).update(is_published=False)

    with pytest.raises(UnknownUnit) as refused:
        selectors.unit_bookable(unit_id=unit.pk + 1000 if change == "unknown" else unit.pk)

    assert list(refused.value.fields) == ["unit"]


def test_the_rules_read_gives_closures_and_overrides_in_the_lists_order(saku, organisation):
    unit = LodgingUnitFactory(facility__operator=organisation, facility__municipality=saku)
    later = unit.closures.create(start_date=date(2027, 1, 10), end_date=date(2027, 1, 12), reason="点検")
    earlier = unit.closures.create(start_date=date(2027, 1, 2), end_date=date(2027, 1, 3), reason="")
    unit.price_overrides.create(start_date=date(2027, 1, 5), end_date=date(2027, 1, 6), price_yen=12000, label="連休")
    unit.closures.create(start_date=date(2027, 2, 1), end_date=date(2027, 2, 2), reason="outside the span")

    rules = stays.unit_rules(unit=unit, dates=[date(2027, 1, 3), date(2027, 1, 10)])

    assert [(r.start_date, r.end_date, r.text) for r in rules.closures] == [
        (earlier.start_date, earlier.end_date, ""),
        (later.start_date, later.end_date, "点検"),
    ]
    assert [(r.start_date, r.end_date, r.value, r.text) for r in rules.overrides] == [
        (date(2027, 1, 5), date(2027, 1, 6), 12000, "連休")
    ]
    assert stays.prices_for(unit=unit, dates=[date(2027, 1, 4), date(2027, 1, 5)], rules=rules) == [
        (date(2027, 1, 4), unit.price_yen),
        (date(2027, 1, 5), 12000),
    ]


def test_the_plain_insert_saves_what_bulk_create_saves(saku, organisation, visitor):
    """Lines and audit events of a new booking go through plain_sql.insert: keys set, defaults and auto_now_add
    filled, values read back as the ORM wrote them."""
    from backend import plain_sql
    from bookings.models import Booking, BookingEvent, BookingLine

    unit = LodgingUnitFactory(facility__operator=organisation, facility__municipality=saku)
    booking = Booking.objects.create(
        visitor=visitor,
        unit=unit,
        kind="stay",
        check_in=date(2027, 1, 1),
        check_out=date(2027, 1, 3),
        adults=1,
        total_yen=16003,
    )
    lines = [BookingLine(booking=booking, date=date(2027, 1, d), price_yen=8000 + d) for d in (1, 2)]
    events = [
        BookingEvent(booking_id=booking.pk, kind="created", from_status="", to_status="pending", actor=visitor),
        BookingEvent(booking_id=booking.pk, kind="confirmed", from_status="pending", to_status="confirmed", note="x"),
    ]

    assert plain_sql.insert(lines) is lines and plain_sql.insert(events) is events

    assert all(line.pk is not None and not line._state.adding for line in lines)
    assert [(line.pk, line.date, line.price_yen) for line in lines] == list(
        booking.lines.order_by("date").values_list("id", "date", "price_yen")
    )
    stored = list(BookingEvent.objects.filter(booking=booking).order_by("id"))
    assert [event.pk for event in events] == [event.pk for event in stored]
    assert [(e.kind, e.from_status, e.to_status, e.actor_id, e.note) for e in stored] == [
        ("created", "", "pending", visitor.pk, ""),
        ("confirmed", "pending", "confirmed", None, "x"),
    ]
    # auto_now_add filled in, as the instance says.
    assert all(e.at is not None and e.at == s.at for e, s in zip(events, stored, strict=True))
    with pytest.raises(ValueError):
        plain_sql.insert([BookingLine(booking=Booking(visitor=visitor, unit=unit), date=date(2027, 1, 1))])


def test_the_calendar_read_gives_by_name_what_the_orm_reads(saku, organisation, operator_user, visitor):
    """GET /units/{id}/availability/'s one statement: the unit's rules (times falling back to the facility's) and
    every fact of the range (stock, closures, price overrides and, for its operator, the imports' held blocks and
    conflicts but not their echoes), equal to the ORM's reads of the same rows."""
    from bookings.models import CalendarImport, Closure, ImportedBlock, PriceOverride, UnitStock

    unit = LodgingUnitFactory(
        facility__operator=organisation,
        facility__municipality=saku,
        facility__check_in_time=time(16, 0),
        check_out_time=time(10, 30),
        count=2,
    )
    start, end = date(2027, 1, 1), date(2027, 1, 31)
    for day, taken in ((date(2026, 12, 31), 2), (date(2027, 1, 3), 1), (date(2027, 1, 31), 2), (date(2027, 2, 1), 1)):
        UnitStock.objects.create(unit=unit, date=day, total=2, taken=taken)
    unit.closures.create(start_date=date(2026, 12, 30), end_date=date(2027, 1, 2), reason="年末")
    unit.closures.create(start_date=date(2027, 2, 1), end_date=date(2027, 2, 3), reason="outside")
    unit.price_overrides.create(start_date=date(2027, 1, 30), end_date=date(2027, 2, 2), price_yen=12000, label="冬")
    feed = CalendarImport.objects.create(unit=unit, name="Airbnb", url="https://example.com/a.ics")
    for day, held, echo in (
        (date(2027, 1, 5), True, False),
        (date(2027, 1, 6), False, False),
        (date(2027, 1, 7), False, True),
    ):
        ImportedBlock.objects.create(calendar_import=feed, unit=unit, date=day, held=held, echo=echo)

    def as_date(value):
        return value if isinstance(value, date) else date.fromisoformat(value)

    def facts_of(user):
        read_unit, operates, facts = selectors.unit_calendar_read(user=user, unit_id=unit.pk, start=start, end=end)
        rows = {(f.kind, as_date(f.first_day), as_date(f.last_day), f.value, f.text, f.ref) for f in facts}
        return read_unit, operates, rows

    expected_rows = {
        (selectors.CALENDAR_STOCK, s.date, s.date, s.taken, "", s.pk)
        for s in UnitStock.objects.filter(unit=unit, date__range=(start, end))
    }
    expected_rows |= {
        (selectors.CALENDAR_CLOSURE, c.start_date, c.end_date, 0, c.reason, c.pk)
        for c in Closure.objects.filter(unit=unit, start_date__lte=end, end_date__gte=start)
    }
    expected_rows |= {
        (selectors.CALENDAR_OVERRIDE, o.start_date, o.end_date, o.price_yen, o.label, o.pk)
        for o in PriceOverride.objects.filter(unit=unit, start_date__lte=end, end_date__gte=start)
    }
    imported = {
        (selectors.CALENDAR_IMPORTED, b.date, b.date, int(b.held), b.calendar_import.name, b.calendar_import_id)
        for b in ImportedBlock.objects.filter(unit=unit, date__range=(start, end)).exclude(held=False, echo=True)
    }
    orm = Unit.objects.select_related("facility").get(pk=unit.pk)

    read_unit, operates, rows = facts_of(operator_user)
    assert operates and rows == expected_rows | imported
    assert len(imported) == 2 and len(expected_rows) == 4
    # SQLite gives the COALESCEd times as text; the availability answer reads them as times (stays._as_time).
    shown = read_unit._asdict() | {
        name: stays._as_time(getattr(read_unit, name)) for name in ("check_in_time", "check_out_time")
    }
    assert shown == {
        "id": orm.pk,
        "unit_count": orm.count,
        "price_yen": orm.price_yen,
        "booking_window_days": orm.booking_window_days,
        "min_nights": orm.min_nights,
        "max_nights": orm.max_nights,
        "check_in_time": orm.facility.check_in_time,
        "check_out_time": orm.check_out_time,
        "free_cancellation_days": orm.free_cancellation_days,
        "cancellation_fee_percent": orm.cancellation_fee_percent,
    }

    # Anyone else sees the same unit without the imports' blocks.
    assert facts_of(visitor)[1:] == (False, expected_rows)
