"""Each statement still written in plain SQL against what the conventional means would cost in its place, with
production's settings: the ORM (compiling the query on every call, as a request does) and, where the read is of
one model, `Model.objects.raw()` with the statement built once. Each read is timed in batches, the ways taking
turns batch after batch, and a figure is the median of a way's batches divided by the batch's size; the ratio is
to the plain statement's figure of the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/plain_reads.py [rounds]

Creates its own database (`otameshi_bench_plain_reads_<pid>`, dropped at the end), never touches the one
DATABASE_URL names."""

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, migrate_and_set_up, saku_hotel  # noqa: E402

PAGE = 20  # a search page
BATCH = 50


def build():
    """A search page of facilities (each with a unit, a photo and a certificate), a unit's year of stock with
    closures and overrides, and a town's programmes with claims of a visitor's bookings."""
    from accounts.models import User
    from bookings.models import Booking, Closure, PriceOverride, UnitStock
    from facilities.models import Certification, Facility, Photo, Unit
    from reimbursements.models import Claim, Programme

    town, organisation, hotel = saku_hotel()
    facilities = [hotel]
    for n in range(1, PAGE):
        facilities.append(
            Facility.objects.create(
                kind="coworking",
                operator=organisation,
                municipality=town,
                name_ja=f"施設{n}",
                name_en=f"Facility {n}",
                latitude=36.2 + n / 100,
                longitude=138.4,
            )
        )
    today = date.today()
    units = []
    for n, facility in enumerate(facilities):
        units.append(
            Unit.objects.create(
                facility=facility, name_ja="部屋", unit_type="room", capacity=2, count=3, price_yen=5000 + n
            )
        )
        Photo.objects.create(facility=facility, url=f"https://example.com/{n}.jpg", position=0)
        Certification.objects.create(
            facility=facility,
            scheme="safe_telework",
            level="business" if n % 2 else "premium",
            certified_on=today - timedelta(days=100),
            valid_until=today + timedelta(days=200 + n),
        )
    unit = units[0]
    UnitStock.objects.bulk_create(
        UnitStock(unit=unit, date=today + timedelta(days=d), total=3, taken=d % 4) for d in range(0, 366, 2)
    )
    for d in range(10, 366, 40):
        Closure.objects.create(unit=unit, start_date=today + timedelta(days=d), end_date=today + timedelta(days=d + 2))
        PriceOverride.objects.create(
            unit=unit, start_date=today + timedelta(days=d + 5), end_date=today + timedelta(days=d + 7), price_yen=9000
        )
    visitor = User.objects.create_user(email="bench@example.jp", password="x" * 12)
    programmes = [
        Programme.objects.create(
            code=f"bench-{n}",
            name_ja="ベンチ",
            municipality=town,
            valid_from=today - timedelta(days=365),
            valid_until=today + timedelta(days=365),
        )
        for n in range(3)
    ]
    bookings = []
    for n in range(5):
        booking = Booking.objects.create(
            visitor=visitor,
            unit=units[n + 1],
            kind="stay",
            check_in=today + timedelta(days=3 * n + 1),
            check_out=today + timedelta(days=3 * n + 2),
            adults=1,
            total_yen=5000,
            status="confirmed",
        )
        bookings.append(booking)
        Claim.objects.create(
            booking=booking,
            visitor=visitor,
            programme=programmes[n % 3],
            status="submitted",
            approved_amount_yen=0,
            granted_amount_yen=0,
        )
    return town, unit, [facility.pk for facility in facilities], [booking.pk for booking in bookings]


def reads(town, unit, facility_ids, booking_ids) -> dict[str, dict]:
    """For each plain statement, a call of it and of each other way of asking the same question."""
    from django.db import connection
    from django.db.models import Exists, OuterRef, Prefetch, Q
    from django.utils import timezone

    from backend.plain_sql import Part, PlainRead, column, placeholders, table
    from bookings import selectors as booking_selectors
    from bookings.models import Closure, ImportedBlock, PriceOverride, UnitStock
    from facilities import selectors as facility_selectors
    from facilities.models import Certification, Facility, Unit
    from reimbursements.estimates.loader import _programme_ids_for
    from reimbursements.models import Claim, Programme

    today = timezone.localdate()
    end = today + timedelta(days=365)
    ids_sql = placeholders(len(facility_ids))

    def calendar_orm():
        found = Unit.objects.select_related("facility").get(pk=unit.pk)
        return (
            found,
            list(UnitStock.objects.filter(unit=unit, date__range=(today, end))),
            list(Closure.objects.filter(unit=unit, start_date__lte=end, end_date__gte=today)),
            list(PriceOverride.objects.filter(unit=unit, start_date__lte=end, end_date__gte=today)),
            list(ImportedBlock.objects.filter(unit=unit, date__range=(today, end)).select_related("calendar_import")),
        )

    def programme_ids_orm():
        live = Claim.objects.filter(booking_id__in=booking_ids, status__in=Claim.LIVE_STATUSES)
        programmes = Programme.objects.filter(
            Q(is_active=True, municipality_id__in={town.pk}) | Q(id__in=live.values("programme_id"))
        ).annotate(claimed=Exists(live.filter(programme_id=OuterRef("pk"))))
        return {programme.id: programme.claimed for programme in programmes}

    # The page's certificates were a plain read until this benchmark showed raw() as fast: the plain read stays
    # here as it was, for the comparison.
    certificate_row = PlainRead([Part("c", Certification)])
    certificates_sql = (
        f"SELECT {certificate_row.select_list()} FROM {table(Certification)} c "
        f"WHERE {column(Certification, 'certified_on', 'c')} <= %s AND {column(Certification, 'valid_until', 'c')} >= %s "
        f"AND {column(Certification, 'facility', 'c')} IN ({ids_sql}) "
        f"ORDER BY {column(Certification, 'rank', 'c')} DESC, {column(Certification, 'valid_until', 'c')} DESC"
    )

    def certificates_plain():
        with connection.cursor() as cursor:
            cursor.execute(certificates_sql, [today, today, *facility_ids])
            return [certificate_row.convert(row)[0][0] for row in cursor.fetchall()]

    best_first = Certification.objects.filter(certified_on__lte=today, valid_until__gte=today).order_by(
        "-rank", "-valid_until"
    )
    return {
        "bookable unit": {
            "plain": lambda: booking_selectors.unit_bookable(unit_id=unit.pk),
            "orm": lambda: Unit.objects.select_related("facility").get(
                pk=unit.pk, is_active=True, facility__is_published=True
            ),
        },
        "search page rows": {
            "plain": lambda: facility_selectors._list_rows(ids_sql, facility_ids),
            "orm": lambda: list(
                facility_selectors._list_queryset(Facility.objects.filter(id__in=facility_ids)).prefetch_related(
                    Prefetch("certifications", queryset=best_first, to_attr="valid_certifications")
                )
            ),
        },
        "page certificates": {
            "plain": certificates_plain,
            "raw": lambda: list(
                Certification.objects.raw(
                    facility_selectors._certificates_sql().format(ids=ids_sql), [today, today, *facility_ids]
                )
            ),
            "orm": lambda: list(best_first.filter(facility_id__in=facility_ids)),
        },
        "366-day calendar": {
            "plain": lambda: booking_selectors.unit_calendar_read(user=None, unit_id=unit.pk, start=today, end=end),
            "orm": calendar_orm,
        },
        "programme ids": {
            "plain": lambda: _programme_ids_for(towns={town.pk}, booking_ids=booking_ids),
            "orm": programme_ids_orm,
        },
    }


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    url = os.environ.get("DATABASE_URL", "")
    name, bench_url, admin = make_database(url, "plain_reads")
    try:
        migrate_and_set_up(django_env(bench_url))
        from django.db import connection

        ways = reads(*build())
        for calls in ways.values():
            for call in calls.values():
                call()  # warm: connection, caches, compiled plain statements
        batches: dict[tuple[str, str], list[float]] = {(read, way): [] for read, calls in ways.items() for way in calls}
        for _ in range(rounds):
            for read, calls in ways.items():
                for way, call in calls.items():
                    started = time.perf_counter()
                    for _ in range(BATCH):
                        call()
                    batches[read, way].append((time.perf_counter() - started) / BATCH)
        print(f"plain statements against the ORM and raw() ({connection.vendor}, {rounds} rounds of {BATCH} calls)")
        for read, calls in ways.items():
            plain = statistics.median(batches[read, "plain"])
            for way in calls:
                figure = statistics.median(batches[read, way])
                print(f"  {read:18} {way:6} {figure * 1e6:8.0f} us   {figure / plain:5.2f}x the plain statement")
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(admin, name)


if __name__ == "__main__":
    main()
