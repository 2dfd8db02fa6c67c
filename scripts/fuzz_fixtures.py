"""Real objects for the fuzz pass to reach, made through the services on a freshly seeded database, and the
schemathesis config (TOML) that feeds their ids to the path parameters.

    python scripts/fuzz_fixtures.py OUTPUT.toml

Run after `manage.py seed_demo`, with the environment the server uses (DATABASE_URL, MEDIA_ROOT). Without real
ids almost every request on /bookings/{booking_id}/..., /claims/{claim_id}/... or /calendars/{token}.ics is a
404 and the endpoints' own logic is never fuzzed.

What it makes, for the demo accounts (dates counted from today, Asia/Tokyo):
- bookings of the demo visitor at the demo operator's Saku facilities: coworking day passes and stays in trial
  homes that the subsidy covers (within its six days per group), one cancelled stay, and thirty-two later
  bookings for the cancel endpoint to use up;
- claims with expense lines (a tiny real PNG receipt each): one approved, three submitted (one each for staff to
  approve, reject and disallow lines of), seven drafts, and three eligible bookings left for POST /claims/;
- calendar feeds: the visitor's stays and one per unit and facility of the demo operator;
- closures and price overrides on one of the operator's houses, extra certificates and photos;
- a retired programme of Saku's, far in the future, for staff's PATCH and DELETE of programmes to change;
- the coworking space's plans and the visitor's membership (seed_demo makes them), a spare plan for PATCH, the
  meeting rooms by the hour for the day's slots, and closures by the hour on one of them.

Destructive operations (cancel, withdraw, submit, approve, DELETE, rotate) are pointed at objects set aside for
them, so that what the other operations and the later roles' passes need is still there when they run.
"""

import json
import os
import struct
import sys
import zlib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.base")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from backend.errors import DomainError  # noqa: E402
from bookings import selectors as booking_selectors  # noqa: E402
from bookings.models import Booking, CalendarFeed  # noqa: E402
from bookings.services import (  # noqa: E402
    booking_cancel,
    booking_create,
    calendar_feed_get_or_create,
    closure_create,
    price_override_create,
    time_closure_create,
)
from facilities.models import Certification, Facility, Photo, Unit  # noqa: E402
from facilities.services import certification_create, photo_create  # noqa: E402
from memberships.models import Membership, Plan  # noqa: E402
from memberships.services import plan_create  # noqa: E402
from outcomes.models import Move  # noqa: E402
from reimbursements.models import Certification as SubsidyCertification  # noqa: E402
from reimbursements.models import Programme  # noqa: E402
from reimbursements.programme_services import programme_create  # noqa: E402
from reimbursements.services import claim_approve, claim_create, claim_submit, expense_line_add  # noqa: E402

API = "/api/v1"
# How often a parameter takes a real id rather than a generated one (which tests the 404s). The operations' own
# bindings draw real ids more often: a nested path needs both its ids real and matching.
PROBABILITY = 0.6
NESTED_PROBABILITY = 0.8


def _png() -> bytes:
    """A valid 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")
    )


PNG = _png()


def _unit(facility_en: str, unit_en: str) -> Unit:
    return Unit.objects.select_related("facility").get(facility__name_en=facility_en, name_en=unit_en)


class Fixtures:
    def __init__(self):
        self.today = booking_selectors.today()
        self.visitor = User.objects.get(email="visitor@demo.otameshi.jp")
        self.operator = User.objects.get(email="operator@demo.otameshi.jp")
        self.staff = User.objects.get(email="staff@demo.otameshi.jp")
        self.desk = _unit("Work Terrace Saku", "Drop-in desk")
        self.homes = [
            _unit("Trial home Iwamurada", "House (3LDK)"),
            _unit("Trial home Nozawa", "House (4DK)"),
            _unit("Trial home Usuda", "Single-storey house (3DK)"),
            _unit("Trial home Mochizuki", "Farmhouse (5K)"),
        ]
        # Closures and price overrides go on a house that keeps a confirmed booking (a draft claim's), so that an
        # operator's DELETE of the unit is refused and they stay reachable.
        self.rule_unit = self.homes[1]
        self.notes: list[str] = []

    def day(self, offset: int):
        return self.today + timedelta(days=offset)

    def stay(self, unit: Unit, start: int, nights: int = 2) -> Booking:
        return booking_create(
            visitor=self.visitor, unit=unit, check_in=self.day(start), check_out=self.day(start + nights), adults=1
        )

    def day_pass(self, offset: int) -> Booking:
        return booking_create(visitor=self.visitor, unit=self.desk, dates=[self.day(offset)], adults=1)

    def line(self, claim, *, category: str, offset: int, amount_yen: int):
        return expense_line_add(
            claim=claim,
            category=category,
            date=self.day(offset),
            amount_yen=amount_yen,
            persons=1,
            receipt=SimpleUploadedFile("receipt.png", PNG, content_type="image/png"),
        )

    # --- bookings and claims -------------------------------------------------------------------------------------

    def bookings_and_claims(self) -> dict:
        made = {
            name: []
            for name in (
                "cancellable",
                "claimable",
                "claims",
                "drafts",
                "line_claims",
                "lines",
                "all_lines",
                "approve",
                "reject",
                "disallow",
                "frozen_lines",
                "disallow_lines",
                "approved",
            )
        }
        # The subsidy covers six days per group, earliest first, and a day a submitted claim froze is taken for
        # good. Four claims for staff to review freeze one day each (day passes from today+3 to today+6); every
        # other eligible booking covers today+7 and today+8, the two days left, so any of them can still be
        # claimed and its claim submitted.
        frozen_passes = [self.day_pass(offset) for offset in (3, 4, 5, 6)]
        draft_stays = [self.stay(home, 7) for home in self.homes[1:]]
        draft_passes = [self.day_pass(7), self.day_pass(8), self.day_pass(7), self.day_pass(8)]
        made["claimable"] += [self.stay(self.homes[0], 7), self.day_pass(7), self.day_pass(8)]

        cancelled = self.stay(self.homes[0], 10)
        booking_cancel(booking=cancelled, actor=self.visitor)
        # Bookings without claims for the cancel endpoint to use up, enough for the visitor's pass and then the
        # operator's.
        for index in range(24):
            made["cancellable"].append(self.stay(self.homes[index % 4], 14 + 3 * (index // 4)))
        made["cancellable"] += [self.day_pass(20 + index) for index in range(8)]

        try:
            self._claims(made, frozen_passes, draft_stays + draft_passes)
        except DomainError as error:
            # The demo programme covers fiscal 2026 only; out of its window there is nothing to claim.
            self.notes.append(f"no claims made ({error.code}): {error.render_message()}")
        return made

    def _claims(self, made, frozen_passes, draft_bookings) -> None:
        frozen = [claim_create(visitor=self.visitor, booking_id=booking.id) for booking in frozen_passes]
        frozen_lines = [
            [self.line(claim, category="taxi", offset=3 + index, amount_yen=1800)] for index, claim in enumerate(frozen)
        ]
        # The claim whose lines staff disallow has a few.
        frozen_lines[3] += [
            self.line(frozen[3], category="rental_car", offset=6, amount_yen=5500),
            self.line(frozen[3], category="highway_bus", offset=6, amount_yen=3200),
        ]
        drafts = [claim_create(visitor=self.visitor, booking_id=booking.id) for booking in draft_bookings]
        # The draft whose lines the DELETE endpoint removes: enough of them to last the visitor's pass.
        draft_lines = [
            self.line(drafts[0], category=category, offset=7 + index % 2, amount_yen=1000 + 100 * index)
            for index, category in enumerate(
                [
                    "taxi",
                    "rental_car",
                    "expressway_toll",
                    "taxi",
                    "highway_bus",
                    "temporary_childcare",
                    "taxi",
                    "rental_car",
                    "shinkansen",
                    "taxi",
                ]
            )
        ]
        other_lines = [
            self.line(draft, category="taxi", offset=7 + index % 2, amount_yen=1200)
            for index, draft in enumerate(drafts[1:])
        ]
        frozen = [claim_submit(claim=claim, actor=self.visitor) for claim in frozen]
        approved, to_approve, to_reject, to_disallow = frozen
        claim_approve(claim=approved, actor=self.staff)

        made["claims"] += [*frozen, *drafts]
        made["drafts"] += drafts[1:]
        made["line_claims"].append(drafts[0])
        made["lines"] += draft_lines
        made["frozen_lines"] += [line for lines in frozen_lines for line in lines]
        made["approve"].append(to_approve)
        made["reject"].append(to_reject)
        made["disallow"].append(to_disallow)
        made["disallow_lines"] += frozen_lines[3]
        made["approved"].append(approved)
        made["all_lines"] += [*made["frozen_lines"], *draft_lines, *other_lines]

    # --- the operator's side -------------------------------------------------------------------------------------

    def operator_rules(self) -> dict:
        closures = [
            closure_create(
                unit=self.rule_unit,
                start_date=self.day(120 + 3 * index),
                end_date=self.day(121 + 3 * index),
                reason=f"Maintenance {index + 1}",
            )
            for index in range(12)
        ]
        overrides = [
            price_override_create(
                unit=self.rule_unit,
                start_date=self.day(200 + 5 * index),
                end_date=self.day(202 + 5 * index),
                price_yen=3500 + 100 * index,
                label=f"Season {index + 1}",
            )
            for index in range(12)
        ]
        return {"closures": closures, "overrides": overrides}

    def operator_catalogue(self) -> dict:
        facilities = list(Facility.objects.filter(operator_id=self.operator.organisation_id).order_by("id"))
        for facility in facilities:
            for index in range(2):
                certification_create(
                    facility=facility,
                    scheme=Certification.Scheme.SHARED_OFFICE_SECURITY,
                    level="star1",
                    certificate_number=f"FUZZ-{facility.id}-{index}",
                    certified_on=self.day(-30),
                    valid_until=self.day(330),
                )
                photo_create(
                    facility=facility,
                    url=f"https://demo.otameshi.jp/photos/fuzz-{facility.id}-{index}.jpg",
                    caption_ja="室内",
                    caption_en="Inside",
                    position=10 + index,
                )
        return {
            "facilities": facilities,
            "units": list(Unit.objects.filter(facility__in=facilities).order_by("id")),
            "certifications": list(Certification.objects.filter(facility__in=facilities).order_by("id")),
            "photos": list(Photo.objects.filter(facility__in=facilities).order_by("id")),
        }

    def coworking(self) -> dict:
        """The plans and memberships seed_demo made, a spare plan for the operator's PATCH to change, and closures
        by the hour on a meeting room (which keeps them: the rooms are booked by no one else here)."""
        facilities = Facility.objects.filter(operator_id=self.operator.organisation_id)
        rooms = list(Unit.objects.filter(facility__in=facilities, booking_mode=Unit.BookingMode.HOURLY).order_by("id"))
        spare = Plan.objects.filter(name_en="Fuzz spare plan").first()
        if spare is None and rooms:
            spare = plan_create(
                facility=rooms[0].facility,
                name_ja="試験用プラン",
                name_en="Fuzz spare plan",
                monthly_price_yen=5000,
                access_unit_types=["desk"],
                is_active=False,
            )
        tokyo = ZoneInfo("Asia/Tokyo")
        closures = (
            [
                time_closure_create(
                    unit=rooms[-1],
                    starts_at=datetime.combine(self.day(90 + index), time(9, 0), tokyo),
                    ends_at=datetime.combine(self.day(90 + index), time(10, 0), tokyo),
                    reason=f"Cleaning {index + 1}",
                )
                for index in range(12)
            ]
            if rooms
            else []
        )
        return {
            "rooms": rooms,
            "plans": list(Plan.objects.filter(facility__in=facilities).order_by("id")),
            "spare_plans": [spare] if spare is not None else [],
            "memberships": list(Membership.objects.filter(visitor=self.visitor).order_by("id")),
            "time_closure_unit": rooms[-1:],
            "time_closures": closures,
        }

    def feeds(self, units, facilities) -> dict:
        stays, _ = calendar_feed_get_or_create(owner=self.visitor, scope=CalendarFeed.Scope.STAYS)
        unit_feeds = [
            calendar_feed_get_or_create(owner=self.operator, scope=CalendarFeed.Scope.UNIT, unit=unit)[0]
            for unit in units
        ]
        facility_feeds = [
            calendar_feed_get_or_create(owner=self.operator, scope=CalendarFeed.Scope.FACILITY, facility=facility)[0]
            for facility in facilities
        ]
        return {"stays": stays, "unit": unit_feeds, "facility": facility_feeds}


def subsidy_certifications(fixtures) -> dict:
    """The demo commuter's approved certification (monthly programme) and a pending one of the fuzz visitor, for
    staff to approve or refuse (the first decision wins; the others are 409)."""
    programme = Programme.objects.filter(code="saku-shinkansen-commute").first()
    if programme is None:
        return {"all": [], "pending": []}
    moved_on = booking_selectors.today() - timedelta(days=20)
    Move.objects.get_or_create(
        visitor=fixtures.visitor,
        municipality=programme.municipality,
        moved_on=moved_on,
        defaults={"reported_by": fixtures.staff, "confirmed_by": fixtures.staff, "confirmed_at": timezone.now()},
    )
    pending = SubsidyCertification.objects.filter(visitor=fixtures.visitor, programme=programme).first()
    if pending is None:
        pending = SubsidyCertification.objects.create(
            visitor=fixtures.visitor,
            programme=programme,
            move_date=moved_on,
            birth_date=date(1990, 1, 1),
            workplace_prefecture="東京都",
            applied_on=booking_selectors.today(),
        )
    return {"all": list(SubsidyCertification.objects.filter(programme=programme)), "pending": [pending]}


def _ids(objects) -> list[int]:
    return sorted({obj.id for obj in objects})


def build() -> tuple[dict, dict, list[dict], list[str]]:
    """The dictionaries, the per-operation bindings, and notes on what could not be made."""
    fixtures = Fixtures()
    made = fixtures.bookings_and_claims()
    rules = fixtures.operator_rules()
    catalogue = fixtures.operator_catalogue()
    feeds = fixtures.feeds(catalogue["units"], catalogue["facilities"])
    coworking = fixtures.coworking()
    # The facility feeds and the visitor's (their only one) are what the rotate and DELETE endpoints use up; the
    # unit feeds keep their tokens for the public calendar endpoint in every role's pass.
    spare_feeds = [feeds["stays"], *feeds["facility"]]
    kept_feeds = feeds["unit"]
    # Staff's PATCH and DELETE of programmes change this one, not the demo programme the other operations use.
    saku = Programme.objects.get(code="saku-trial-stay-2026").municipality
    spare_programme = Programme.objects.filter(code="saku-fuzz-spare").first() or programme_create(
        municipality=saku,
        code="saku-fuzz-spare",
        name_ja="試験用",
        valid_from=date(2099, 4, 1),
        valid_until=date(2100, 3, 31),
        is_active=False,
        categories=[{"category": "taxi", "basis": "day", "cap_yen": 1000}],
    )

    certifications = subsidy_certifications(fixtures)
    dictionaries = {
        "subsidy_certification_ids": _ids(certifications["all"]),
        "pending_certification_ids": _ids(certifications["pending"]),
        "booking_ids": _ids(Booking.objects.filter(visitor=fixtures.visitor)),
        "cancellable_booking_ids": _ids(made["cancellable"]),
        "claimable_booking_ids": _ids(made["claimable"]),
        "claim_ids": _ids(made["claims"]),
        "draft_claim_ids": _ids(made["drafts"]),
        "line_claim_ids": _ids(made["line_claims"]),
        "line_ids": _ids(made["all_lines"]),
        "deletable_line_ids": _ids(made["lines"]),
        "frozen_claim_ids": _ids([*made["approve"], *made["reject"], *made["disallow"], *made["approved"]]),
        "frozen_line_ids": _ids(made["frozen_lines"]),
        "approve_claim_ids": _ids(made["approve"]),
        "reject_claim_ids": _ids(made["reject"]),
        "disallow_claim_ids": _ids(made["disallow"]),
        "disallow_line_ids": _ids(made["disallow_lines"]),
        "approved_claim_ids": _ids(made["approved"]),
        "facility_ids": _ids(Facility.objects.all()),
        "unit_ids": _ids(Unit.objects.all()),
        "operator_facility_ids": _ids(catalogue["facilities"]),
        "operator_unit_ids": _ids(catalogue["units"]),
        "rule_unit_ids": [fixtures.rule_unit.id],
        "closure_ids": _ids(rules["closures"]),
        "override_ids": _ids(rules["overrides"]),
        "certification_ids": _ids(catalogue["certifications"]),
        "photo_ids": _ids(catalogue["photos"]),
        "feed_ids": _ids(kept_feeds + spare_feeds),
        "spare_feed_ids": _ids(spare_feeds),
        "feed_tokens": sorted(feed.token for feed in kept_feeds + spare_feeds),
        # Stays and day passes to quote and book, clear of the fixtures' own bookings and closures.
        "check_ins": [fixtures.day(offset).isoformat() for offset in (40, 41, 50, 60)],
        "check_outs": [fixtures.day(offset).isoformat() for offset in (42, 44, 53, 61)],
        "pass_dates": [fixtures.day(offset).isoformat() for offset in (40, 41, 42, 50)],
        "programme_codes": sorted(Programme.objects.filter(is_active=True).values_list("code", flat=True)),
        "hourly_unit_ids": _ids(coworking["rooms"]),
        "plan_ids": _ids(coworking["plans"]),
        "spare_plan_ids": _ids(coworking["spare_plans"]),
        "membership_ids": _ids(coworking["memberships"]),
        "time_closure_unit_ids": _ids(coworking["time_closure_unit"]),
        "time_closure_ids": _ids(coworking["time_closures"]),
        # A day of the rooms' slots within their booking window.
        "slot_dates": [fixtures.day(offset).isoformat() for offset in (1, 7, 30)],
        "spare_programme_codes": [spare_programme.code],
    }
    global_bindings = {
        f"path.{name}": dictionary
        for name, dictionary in {
            "booking_id": "booking_ids",
            "claim_id": "claim_ids",
            "line_id": "line_ids",
            "facility_id": "facility_ids",
            "unit_id": "unit_ids",
            "closure_id": "closure_ids",
            "override_id": "override_ids",
            "certification_id": "certification_ids",
            "photo_id": "photo_ids",
            "feed_id": "feed_ids",
            "token": "feed_tokens",
            "code": "programme_codes",
            "plan_id": "plan_ids",
            "membership_id": "membership_ids",
        }.items()
    }
    operator = f"{API}/operator"
    operations = [
        # The operator's catalogue: their own facilities and units.
        (
            {
                "include-path": [
                    f"{operator}/facilities/{{facility_id}}/",
                    f"{operator}/facilities/{{facility_id}}/units/",
                    f"{operator}/facilities/{{facility_id}}/certifications/",
                    f"{operator}/facilities/{{facility_id}}/photos/",
                    f"{operator}/facilities/{{facility_id}}/plans/",
                    f"{operator}/facilities/{{facility_id}}/kpis/",
                ]
            },
            {"path.facility_id": "operator_facility_ids"},
        ),
        # Coworking: the day's slots of the rooms booked by the hour, their closures by the hour, the plans.
        (
            {"include-path": f"{API}/units/{{unit_id}}/slots/"},
            {"path.unit_id": "hourly_unit_ids", "query.date": "slot_dates"},
        ),
        (
            {
                "include-path": [
                    f"{operator}/units/{{unit_id}}/time-closures/",
                    f"{operator}/units/{{unit_id}}/time-closures/{{closure_id}}/",
                ]
            },
            {"path.unit_id": "time_closure_unit_ids", "path.closure_id": "time_closure_ids"},
        ),
        ({"include-name": f"PATCH {operator}/plans/{{plan_id}}/"}, {"path.plan_id": "spare_plan_ids"}),
        ({"include-name": f"POST {API}/memberships/"}, {"body.plan": "plan_ids"}),
        ({"include-path": f"{operator}/units/{{unit_id}}/"}, {"path.unit_id": "operator_unit_ids"}),
        # A closure or an override is found only under its own unit.
        (
            {
                "include-path": [
                    f"{operator}/units/{{unit_id}}/closures/",
                    f"{operator}/units/{{unit_id}}/closures/{{closure_id}}/",
                    f"{operator}/units/{{unit_id}}/price-overrides/",
                    f"{operator}/units/{{unit_id}}/price-overrides/{{override_id}}/",
                ]
            },
            {"path.unit_id": "rule_unit_ids"},
        ),
        # Ids in request bodies: the unit quoted or booked, the booking claimed, the feed's target.
        # (Several include-* keys of one entry select their union; an operation's name is "METHOD path".)
        (
            {"include-name": [f"POST {API}/quotes/", f"POST {API}/bookings/"]},
            {
                "body.unit": "unit_ids",
                "body.check_in": "check_ins",
                "body.check_out": "check_outs",
                "body.dates[*]": "pass_dates",
            },
        ),
        ({"include-name": f"POST {API}/claims/"}, {"body.booking": "claimable_booking_ids"}),
        (
            {"include-name": f"POST {API}/calendar-feeds/"},
            {"body.unit": "operator_unit_ids", "body.facility": "operator_facility_ids"},
        ),
        # Certifications of monthly programmes (their path id is not a facility's certificate).
        (
            {"include-path": f"{API}/certifications/{{certification_id}}/"},
            {"path.certification_id": "subsidy_certification_ids"},
        ),
        (
            {
                "include-path": [
                    f"{API}/certifications/{{certification_id}}/approve/",
                    f"{API}/certifications/{{certification_id}}/refuse/",
                ]
            },
            {"path.certification_id": "pending_certification_ids"},
        ),
        ({"include-path": f"{API}/bookings/{{booking_id}}/cancel/"}, {"path.booking_id": "cancellable_booking_ids"}),
        (
            {"include-path": [f"{API}/claims/{{claim_id}}/withdraw/", f"{API}/claims/{{claim_id}}/submit/"]},
            {"path.claim_id": "draft_claim_ids"},
        ),
        (
            {"include-path": f"{API}/claims/{{claim_id}}/lines/{{line_id}}/"},
            {"path.claim_id": "line_claim_ids", "path.line_id": "deletable_line_ids"},
        ),
        (
            {"include-path": f"{API}/claims/{{claim_id}}/lines/{{line_id}}/receipt/"},
            {"path.claim_id": "frozen_claim_ids", "path.line_id": "frozen_line_ids"},
        ),
        # Staff's decisions each get their own submitted claim.
        (
            {"include-path": f"{API}/claims/{{claim_id}}/lines/{{line_id}}/disallow/"},
            {"path.claim_id": "disallow_claim_ids", "path.line_id": "disallow_line_ids"},
        ),
        ({"include-path": f"{API}/claims/{{claim_id}}/approve/"}, {"path.claim_id": "approve_claim_ids"}),
        ({"include-path": f"{API}/claims/{{claim_id}}/reject/"}, {"path.claim_id": "reject_claim_ids"}),
        ({"include-path": f"{API}/claims/{{claim_id}}/mark-paid/"}, {"path.claim_id": "approved_claim_ids"}),
        (
            {"include-path": [f"{API}/calendar-feeds/{{feed_id}}/", f"{API}/calendar-feeds/{{feed_id}}/rotate/"]},
            {"path.feed_id": "spare_feed_ids"},
        ),
        (
            {"include-name": [f"PATCH {API}/programmes/{{code}}/", f"DELETE {API}/programmes/{{code}}/"]},
            {"path.code": "spare_programme_codes"},
        ),
    ]
    # A dictionary needs at least one value: bindings to an empty one (no claims out of the programme's
    # window) are left out, and those parameters are generated at random as before.
    dictionaries = {name: values for name, values in dictionaries.items() if values}
    bindings = {name: dictionary for name, dictionary in global_bindings.items() if dictionary in dictionaries}
    operation_bindings = []
    for selector, parameters in operations:
        parameters = {name: dictionary for name, dictionary in parameters.items() if dictionary in dictionaries}
        if parameters:
            operation_bindings.append({**selector, "parameters": parameters})
    return dictionaries, bindings, operation_bindings, fixtures.notes


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)  # a TOML basic string is JSON's string syntax for these values


def _bindings(bindings: dict, probability: float) -> list[str]:
    return [
        f'"{key}" = {{ dictionary = "{dictionary}", probability = {probability} }}'
        for key, dictionary in bindings.items()
    ]


def config_text(dictionaries: dict, bindings: dict, operation_bindings: list[dict]) -> str:
    lines = ["# Written by scripts/fuzz_fixtures.py: ids of real objects for the fuzz pass's path parameters.", ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml_value(values)}", ""]
    lines.append("[parameters]")
    lines += _bindings(bindings, PROBABILITY)
    for operation in operation_bindings:
        lines += ["", "[[operations]]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in operation.items() if key != "parameters"]
        lines += ["[operations.parameters]", *_bindings(operation["parameters"], NESTED_PROBABILITY)]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/fuzz_fixtures.py OUTPUT.toml")
    dictionaries, bindings, operation_bindings, notes = build()
    Path(sys.argv[1]).write_text(config_text(dictionaries, bindings, operation_bindings), encoding="utf-8")
    for note in notes:
        print(f"fuzz_fixtures: {note}", file=sys.stderr)
    print(
        f"fuzz_fixtures: {sum(len(values) for values in dictionaries.values())} ids in {len(dictionaries)} "
        f"dictionaries written to {sys.argv[1]}"
    )


if __name__ == "__main__":
    main()
