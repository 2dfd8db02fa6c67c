"""Calendar feeds: the events a booking, a unit, a facility, a visitor's stays and consultations or a town's
booked consultations show, and the validators (ETag, Last-Modified) that let a calendar app's poll be answered
with a 304 without rendering anything."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consultations import selectors as consultation_selectors
from consultations.models import Consultation, ConsultationSlot
from facilities.models import Unit

from . import hours, selectors
from .ical import Event, calendar_text
from .models import Booking, BookingLine, CalendarFeed, Closure, ImportedBlock, ImportedSlot

# Operator feeds keep recent past nights (booking sites compare them), a visitor's feed the last year.
OPERATOR_PAST_DAYS = 90
VISITOR_PAST_DAYS = 365

STATUS: dict[str, str] = {
    Booking.Status.PENDING: "TENTATIVE",
    Booking.Status.CONFIRMED: "CONFIRMED",
    Booking.Status.COMPLETED: "CONFIRMED",
    Booking.Status.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime


def _host() -> str:
    return urlparse(settings.SITE_URL).hostname or "otameshi"


def booking_url(booking_id: int) -> str:
    return f"{settings.SITE_URL}/api/v1/bookings/{booking_id}/"


def _runs(kind: str, check_in: date, check_out: date, line_dates, times=(None, None)) -> list[tuple[date, date]]:
    """A stay is one event; day passes are one event per run of consecutive dates; hours are one timed event."""
    if kind == Booking.Kind.HOURLY and None not in times:
        return [times]
    if kind != Booking.Kind.DAY_PASS or not line_dates:
        return [(check_in, check_out)]
    days = sorted(line_dates)
    runs = []
    for _key, numbered in groupby(enumerate(days), key=lambda pair: pair[1] - timedelta(days=pair[0])):
        run = [day for _index, day in numbered]
        runs.append((run[0], run[-1] + timedelta(days=1)))
    return runs


def _uid(booking_id: int, kind: str, start: date) -> str:
    if kind == Booking.Kind.DAY_PASS:
        return f"booking-{booking_id}-{start:%Y%m%d}@{_host()}"
    return f"booking-{booking_id}@{_host()}"


def _day_pass_dates(booking_ids) -> dict[int, list[date]]:
    lines = BookingLine.objects.filter(booking_id__in=list(booking_ids)).order_by("booking_id", "date")
    by_booking: dict[int, list[date]] = {}
    for booking_id, day in lines.values_list("booking_id", "date"):
        by_booking.setdefault(booking_id, []).append(day)
    return by_booking


def _version(*parts) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _latest(*moments) -> datetime:
    return max(moment for moment in moments if moment is not None)


# --- consultations with the towns' staff (timed events in Japan time) ------------------------------------------

CONSULTATION_STATUS = {
    Consultation.Status.BOOKED: "CONFIRMED",
    Consultation.Status.ATTENDED: "CONFIRMED",
    Consultation.Status.MISSED: "CONFIRMED",
    Consultation.Status.CANCELLED: "CANCELLED",
}


def _consultation_url(consultation_id: int) -> str:
    return f"{settings.SITE_URL}/api/v1/consultations/{consultation_id}/"


def _slot_where(slot: ConsultationSlot) -> tuple[str, str]:
    """(LOCATION, URL) of a slot: its place, or the meeting's address when online."""
    if slot.mode == ConsultationSlot.Mode.ONLINE:
        return str(_("Online")), slot.meeting_url
    return slot.place, ""


def _consultation_events(consultations) -> list[Event]:
    """A visitor's consultations; the meeting URL is theirs to see."""
    events = []
    for consultation in consultations:
        slot = consultation.slot
        location, meeting_url = _slot_where(slot)
        details = [_("Consultation %(id)s") % {"id": consultation.id}]
        if meeting_url:
            details.append(meeting_url)
        events.append(
            Event(
                uid=f"consultation-{consultation.id}@{_host()}",
                start=slot.starts_at,
                end=slot.ends_at,
                stamp=_latest(consultation.updated_at, slot.updated_at),
                summary=_("Consultation with %(town)s") % {"town": slot.municipality.localized("name")},
                status=CONSULTATION_STATUS[consultation.status],
                sequence=consultation.sequence,
                location=location,
                url=meeting_url or _consultation_url(consultation.id),
                description="\n".join(details),
            )
        )
    return events


def _booking_consultations(booking: Booking):
    """The booking's .ics shows the visitor's consultations with the booking's town from check-in day to
    check-out day (both included): the meeting the town's subsidy asks for during the stay."""
    return consultation_selectors.visitor_consultations_between(
        visitor_id=booking.visitor_id,
        municipality_id=booking.unit.facility.municipality_id,
        start=booking.check_in,
        end=booking.check_out,
    )


# --- one booking, for its visitor ------------------------------------------------------------------------------


def _visitor_events(bookings) -> list[Event]:
    bookings = list(bookings)
    passes = _day_pass_dates([b.id for b in bookings if b.kind == Booking.Kind.DAY_PASS])
    events = []
    for booking in bookings:
        unit = booking.unit
        facility = unit.facility
        check_in_time = unit.check_in_time or facility.check_in_time
        check_out_time = unit.check_out_time or facility.check_out_time
        details = [_("Booking %(id)s") % {"id": booking.id}]
        if booking.kind == Booking.Kind.STAY and check_in_time and check_out_time:
            details.append(
                _("Check-in from %(check_in)s, check-out by %(check_out)s")
                % {"check_in": check_in_time.strftime("%H:%M"), "check_out": check_out_time.strftime("%H:%M")}
            )
        times = (booking.starts_at, booking.ends_at)
        for start, end in _runs(booking.kind, booking.check_in, booking.check_out, passes.get(booking.id), times):
            events.append(
                Event(
                    uid=_uid(booking.id, booking.kind, start),
                    start=start,
                    end=end,
                    stamp=booking.updated_at,
                    summary=f"{facility.localized('name')} {unit.localized('name')}",
                    status=STATUS[booking.status],
                    sequence=booking.sequence,
                    location=facility.localized("address"),
                    geo=(facility.latitude, facility.longitude),
                    url=booking_url(booking.id),
                    description="\n".join(details),
                )
            )
    return events


def booking_version(booking: Booking) -> Version:
    consultations = list(_booking_consultations(booking).values_list("id", "updated_at", "slot__updated_at"))
    modified = _latest(
        booking.updated_at,
        booking.unit.updated_at,
        booking.unit.facility.updated_at,
        *(row[1] for row in consultations),
        *(row[2] for row in consultations),
    )
    return Version(
        _version(
            "booking",
            booking.id,
            booking.sequence,
            modified.isoformat(),
            get_language(),
            [row[0] for row in consultations],
        ),
        modified,
    )


def booking_calendar(booking: Booking) -> str:
    events = _visitor_events([booking]) + _consultation_events(_booking_consultations(booking))
    return calendar_text(name=_("Otameshi booking %(id)s") % {"id": booking.id}, events=events)


# --- secret-URL feeds ------------------------------------------------------------------------------------------

TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def feed_get(*, token: str) -> CalendarFeed | None:
    """The feed at a secret URL, while the account behind it may still publish it: an owner who was deactivated,
    or an operator feed's owner who has left the organisation that runs its unit or facility, has none."""
    if not token or len(token) > 64 or not set(token) <= TOKEN_ALPHABET:
        return None
    feed = (
        CalendarFeed.objects.select_related("owner", "unit__facility", "facility")
        .filter(token=token, owner__is_active=True)
        .first()
    )
    if feed is None:
        return None
    if feed.scope == CalendarFeed.Scope.CONSULTATIONS:
        # A town's consultations: only while its owner is still that town's staff.
        return feed if feed.owner.is_municipal_staff else None
    if feed.scope != CalendarFeed.Scope.STAYS:
        # A unit feed has its unit and a facility feed its facility (constraint on CalendarFeed).
        unit = feed.unit
        facility = feed.facility if feed.scope == CalendarFeed.Scope.FACILITY or unit is None else unit.facility
        if facility is None or not feed.owner.is_operator or feed.owner.organisation_id != facility.operator_id:
            return None
    return feed


def _stays_bookings(feed: CalendarFeed):
    since = selectors.today() - timedelta(days=VISITOR_PAST_DAYS)
    return Booking.objects.filter(visitor_id=feed.owner_id, check_out__gte=since)


def _operator_scope(feed: CalendarFeed) -> Q:
    return Q(unit_id=feed.unit_id) if feed.scope == CalendarFeed.Scope.UNIT else Q(unit__facility_id=feed.facility_id)


def _operator_since() -> date:
    return selectors.today() - timedelta(days=OPERATOR_PAST_DAYS)


def _left_window_at(last_day: date | None, past_days: int) -> datetime | None:
    """When the newest event that has already left a feed's window left it: an event is shown while its last
    day is at most `past_days` behind today, so it leaves at the start (local time) of the day after that."""
    if last_day is None:
        return None
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=past_days + 1), time.min))


def _window_counts(queryset, *, last_day: str, since: date) -> dict:
    """For the events of a feed's scope: how many are in the window, their latest change, and the last day of
    the newest one that has left it; one query."""
    inside = Q(**{f"{last_day}__gte": since})
    return queryset.aggregate(
        n=Count("id", filter=inside), at=Max("updated_at", filter=inside), gone=Max(last_day, filter=~inside)
    )


def feed_version(feed: CalendarFeed) -> Version:
    """Changes whenever the body would: any booking in its window changing (cancellations included), closures,
    the catalogue names it shows, events leaving the window as the days pass, deletions (the feed's
    `changed_at`), the token and the language. ETag and Last-Modified come from the same inputs, so a client
    sending only If-Modified-Since never gets a 304 for a body that changed."""
    if feed.scope == CalendarFeed.Scope.CONSULTATIONS:
        return _town_consultations_version(feed)
    consultations: dict[str, Any] = {"n": 0, "at": None, "gone": None}
    if feed.scope == CalendarFeed.Scope.STAYS:
        since, past_days = selectors.today() - timedelta(days=VISITOR_PAST_DAYS), VISITOR_PAST_DAYS
        scope = Booking.objects.filter(visitor_id=feed.owner_id)
        consultations = consultation_selectors.visitor_consultations_state(visitor_id=feed.owner_id, since=since)
        closures: dict[str, Any] = {"n": 0, "at": None, "gone": None}
        names = _stays_bookings(feed).aggregate(
            unit_at=Max("unit__updated_at"), facility_at=Max("unit__facility__updated_at")
        )
    else:
        since, past_days = _operator_since(), OPERATOR_PAST_DAYS
        scope = Booking.objects.filter(_operator_scope(feed))
        closure_scope = Q(unit_id=feed.unit_id) if feed.unit_id else Q(unit__facility_id=feed.facility_id)
        closures = _window_counts(Closure.objects.filter(closure_scope), last_day="end_date", since=since)
        # An operator's feed has a unit or a facility.
        units = (
            Unit.objects.filter(id=feed.unit_id) if feed.unit_id else Unit.objects.filter(facility_id=feed.facility_id)  # type: ignore[misc]
        )
        names = units.aggregate(unit_at=Max("updated_at"), facility_at=Max("facility__updated_at"))
    seen = _window_counts(scope, last_day="check_out", since=since)
    left = _latest(
        _left_window_at(seen["gone"], past_days),
        _left_window_at(closures["gone"], past_days),
        _left_window_at(consultations["gone"], past_days),
        feed.created_at,
    )
    modified = _latest(
        seen["at"],
        closures["at"],
        consultations["at"],
        names["unit_at"],
        names["facility_at"],
        feed.changed_at,
        feed.rotated_at,
        feed.created_at,
        left,
    )
    etag = _version(
        feed.token,
        seen["n"],
        closures["n"],
        consultations["n"],
        modified.isoformat(),
        left.isoformat(),
        get_language(),
        feed.include_imported,
    )
    return Version(etag, modified)


def _town_consultations_version(feed: CalendarFeed) -> Version:
    """A staff feed changes when any slot of the town in its window changes (a place booked or given back
    moves the slot's `updated_at`), when slots come or go, and as booked slots leave the window."""
    since = _operator_since()
    # Only staff's consultation feeds are served, and staff always have a town (constraint staff_has_municipality).
    assert feed.owner.municipality_id is not None
    slots = consultation_selectors.town_slots_state(municipality_id=feed.owner.municipality_id, since=since)
    left = _latest(_left_window_at(slots["gone"], OPERATOR_PAST_DAYS), feed.created_at)
    modified = _latest(slots["at"], feed.changed_at, feed.rotated_at, feed.created_at, left)
    etag = _version(
        feed.token, "consultations", slots["n"], slots["booked"], modified.isoformat(), left.isoformat(), get_language()
    )
    return Version(etag, modified)


def _town_consultation_events(feed: CalendarFeed) -> list[Event]:
    """The town's booked slots, with how many places are taken; no visitors' names or contacts."""
    events = []
    assert feed.owner.municipality_id is not None  # staff always have a town (constraint staff_has_municipality)
    for slot in consultation_selectors.town_booked_slots_since(
        municipality_id=feed.owner.municipality_id, since=_operator_since()
    ):
        location, meeting_url = _slot_where(slot)
        events.append(
            Event(
                uid=f"consultation-slot-{slot.id}@{_host()}",
                start=slot.starts_at,
                end=slot.ends_at,
                stamp=slot.updated_at,
                sequence=slot.sequence,
                location=location,
                url=meeting_url,
                summary=_("Consultation: %(booked)s of %(capacity)s booked")
                % {"booked": slot.booked, "capacity": slot.capacity},
            )
        )
    return events


def _operator_events(feed: CalendarFeed) -> list[Event]:
    """Blocked nights only: no guest names, party or contact, so the feed can go to booking sites."""
    since = _operator_since()
    # A unit or a facility.
    units = {
        unit.id: unit
        for unit in (
            Unit.objects.filter(id=feed.unit_id) if feed.unit_id else Unit.objects.filter(facility_id=feed.facility_id)  # type: ignore[misc]
        )
    }
    rows = list(
        Booking.objects.filter(_operator_scope(feed), check_out__gte=since, status__in=Booking.ACTIVE_STATUSES)
        .order_by("check_in", "id")
        .values_list(
            "id", "kind", "check_in", "check_out", "status", "sequence", "updated_at", "unit_id", "starts_at", "ends_at"
        )
    )
    passes = _day_pass_dates([row[0] for row in rows if row[1] == Booking.Kind.DAY_PASS])
    booked = {unit_id: _("Booked: %(unit)s") % {"unit": unit.localized("name")} for unit_id, unit in units.items()}
    events = []
    for booking_id, kind, check_in, check_out, status, sequence, updated_at, unit_id, starts_at, ends_at in rows:
        for start, end in _runs(kind, check_in, check_out, passes.get(booking_id), (starts_at, ends_at)):
            events.append(
                Event(
                    uid=_uid(booking_id, kind, start),
                    start=start,
                    end=end,
                    stamp=updated_at,
                    summary=booked[unit_id],
                    status=STATUS[status],
                    sequence=sequence,
                )
            )
    closure_scope = Q(unit_id=feed.unit_id) if feed.unit_id else Q(unit__facility_id=feed.facility_id)
    for closure in Closure.objects.filter(closure_scope, end_date__gte=since).order_by("start_date", "id"):
        events.append(
            Event(
                uid=f"closure-{closure.id}@{_host()}",
                start=closure.start_date,
                end=closure.end_date + timedelta(days=1),
                stamp=closure.updated_at,
                sequence=closure.sequence,
                summary=_("Closed: %(unit)s") % {"unit": units[closure.unit_id].localized("name")},
                description=closure.reason,
            )
        )
    if feed.include_imported:
        events.extend(_imported_events(feed, units, since))
    return events


def _imported_events(feed: CalendarFeed, units: dict, since: date) -> list[Event]:
    """Dates (and an hourly unit's hours) held by calendar imports, one event per run of consecutive dates (or
    slots) of one import; only on feeds that ask for them (a site importing this feed back would otherwise keep its own blocks alive)."""
    scope = Q(unit_id=feed.unit_id) if feed.unit_id else Q(unit__facility_id=feed.facility_id)
    rows = (
        ImportedBlock.objects.filter(scope, held=True, date__gte=since)
        .order_by("calendar_import_id", "date")
        .values_list("calendar_import_id", "unit_id", "date", "created_at")
    )
    events = []
    for (import_id, unit_id), group in groupby(rows, key=lambda row: (row[0], row[1])):
        run = list(group)
        for _key, numbered in groupby(enumerate(run), key=lambda pair: pair[1][2] - timedelta(days=pair[0])):
            days = [row for _index, row in numbered]
            events.append(
                Event(
                    uid=f"import-{import_id}-{days[0][2]:%Y%m%d}@{_host()}",
                    start=days[0][2],
                    end=days[-1][2] + timedelta(days=1),
                    stamp=max(row[3] for row in days),
                    summary=_("Blocked: %(unit)s") % {"unit": units[unit_id].localized("name")},
                )
            )
    # Hours held on hourly units: one timed event per run of consecutive slots of one import.
    slots = (
        ImportedSlot.objects.filter(scope, held=True, starts_at__gte=hours.at(since, 0))
        .order_by("calendar_import_id", "starts_at")
        .values_list("calendar_import_id", "unit_id", "starts_at", "created_at")
    )
    for (import_id, unit_id), group in groupby(slots, key=lambda row: (row[0], row[1])):
        held: list[tuple[datetime, datetime]] = []
        for row in [*group, None]:
            if held and (row is None or row[2] != held[-1][0] + hours.STOCK_STEP):
                start = hours.local(held[0][0])
                events.append(
                    Event(
                        uid=f"import-{import_id}-{start:%Y%m%dT%H%M}@{_host()}",
                        start=start,
                        end=hours.local(held[-1][0] + hours.STOCK_STEP),
                        stamp=max(created for _start, created in held),
                        summary=_("Blocked: %(unit)s") % {"unit": units[unit_id].localized("name")},
                    )
                )
                held = []
            if row is not None:
                held.append((row[2], row[3]))
    return events


def feed_calendar(feed: CalendarFeed) -> str:
    if feed.scope == CalendarFeed.Scope.STAYS:
        bookings = _stays_bookings(feed).select_related("unit__facility").order_by("check_in", "id")
        consultations = consultation_selectors.visitor_consultations_since(
            visitor_id=feed.owner_id, since=selectors.today() - timedelta(days=VISITOR_PAST_DAYS)
        )
        return calendar_text(
            name=str(_("My Otameshi stays")), events=_visitor_events(bookings) + _consultation_events(consultations)
        )
    if feed.scope == CalendarFeed.Scope.CONSULTATIONS:
        return calendar_text(name=str(_("Otameshi: consultations")), events=_town_consultation_events(feed))
    target = feed.unit.localized("name") if feed.unit_id else feed.facility.localized("name")  # type: ignore[union-attr]  # one is set
    return calendar_text(name=_("Otameshi: %(name)s") % {"name": target}, events=_operator_events(feed))
