"""KPI benchmark: p50 and p95 of GET /api/v1/kpis/ through the API layer (Django's test client) for a programme
with 2,000 paid households over two fiscal years (each with one three-night stay, its claim and frozen days; a
survey for three in four, a confirmed move for two in five), with the number of queries of one request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/kpis.py

Creates its own database (`otameshi_bench_kpis_<pid>`, dropped at the end), never touches the one DATABASE_URL
names."""

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, p95  # noqa: E402

HOUSEHOLDS = 2_000
REQUESTS = 50


def ms(seconds):
    return f"{seconds * 1000:7.1f} ms"


def build():
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking
    from facilities.models import Facility, Municipality, OperatorOrganisation, Unit
    from outcomes.models import Move, Survey
    from reimbursements.models import Claim, ClaimDay, Programme

    saku = Municipality.objects.create(
        code="202177", prefecture_ja="長野県", prefecture_en="Nagano", name_ja="佐久市", name_en="Saku"
    )
    organisation = OperatorOrganisation.objects.create(name="Bench")
    facility = Facility.objects.create(
        operator=organisation,
        municipality=saku,
        name_ja="ベンチ住宅",
        kind=Facility.Kind.TRIAL_HOUSING,
        latitude=36.27,
        longitude=138.46,
    )
    unit = Unit.objects.create(
        facility=facility, name_ja="一戸建て", unit_type="house", capacity=6, count=HOUSEHOLDS, price_yen=3000
    )
    programme = Programme.objects.create(
        code="bench",
        name_ja="ベンチ",
        municipality=saku,
        valid_from=date(2025, 4, 1),
        valid_until=date(2027, 3, 31),
        budget_yen=100_000_000,
    )
    staff = User.objects.create_user("staff@bench.example", role=User.Role.MUNICIPAL_STAFF, municipality=saku)
    visitors = User.objects.bulk_create(
        [User(email=f"v{i}@bench.example", role=User.Role.VISITOR) for i in range(HOUSEHOLDS)]
    )
    now = timezone.now()
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                visitor=visitor,
                unit=unit,
                kind=Booking.Kind.STAY,
                check_in=date(2025, 5, 1) + timedelta(days=i % 600),
                check_out=date(2025, 5, 4) + timedelta(days=i % 600),
                status=Booking.Status.COMPLETED,
                total_yen=9000,
            )
            for i, visitor in enumerate(visitors)
        ]
    )
    claims = Claim.objects.bulk_create(
        [
            Claim(
                booking=booking,
                visitor=booking.visitor,
                programme=programme,
                status=Claim.Status.PAID,
                total_reimbursable_yen=9000,
                approved_amount_yen=9000,
                submitted_at=now,
                approved_at=now,
                paid_at=now,
            )
            for booking in bookings
        ]
    )
    ClaimDay.objects.bulk_create(
        [
            ClaimDay(
                claim=claim, visitor=claim.visitor, programme=programme, date=claim.booking.check_in + timedelta(days=d)
            )
            for claim in claims
            for d in range(4)
        ]
    )
    Survey.objects.bulk_create(
        [
            Survey(
                booking=booking,
                visitor=booking.visitor,
                purpose="considering_move",
                satisfaction=4,
                intention=["within_a_year", "later", "undecided", "no"][i % 4],
            )
            for i, booking in enumerate(bookings)
            if i % 4 != 3
        ]
    )
    Move.objects.bulk_create(
        [
            Move(
                visitor=booking.visitor,
                municipality=saku,
                reported_by=staff,
                confirmed_by=staff,
                confirmed_at=now,
                moved_on=booking.check_out + timedelta(days=90),
            )
            for i, booking in enumerate(bookings)
            if i % 5 < 2
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by then
    return staff


def run():
    from django.db import connection
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    staff = build()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(staff).access_token}")
    queries = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - start, sql[:90]))

    with connection.execute_wrapper(timed):
        first = client.get("/api/v1/kpis/", {"programme": "bench"})
    assert first.status_code == 200, first.content
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        assert client.get("/api/v1/kpis/", {"programme": "bench"}).status_code == 200
        samples.append(time.perf_counter() - start)
    years = first.json()["fiscal_years"]
    print(
        f"households paid {sum(y['households_paid'] for y in years):,}, moved "
        f"{sum(y['households_moved'] for y in years):,}, rates {[y['conversion_rate'] for y in years]}"
    )
    print(
        f"queries per request: {len(queries)}, their time {ms(sum(t for t, _ in queries))}; slowest "
        f"{ms(max(queries)[0]).strip()}: {max(queries)[1]}"
    )
    print(f"GET /api/v1/kpis/   p50 {ms(statistics.median(samples))}   p95 {ms(p95(samples))}   max {ms(max(samples))}")


def main() -> None:
    name, url, admin = make_database(os.environ.get("DATABASE_URL", ""), "kpis")
    os.environ.update(django_env(url))
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        run()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(admin, name)


if __name__ == "__main__":
    main()
