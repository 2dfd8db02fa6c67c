"""Scale benchmark: what the requests that matter cost with today's benchmark history (1x) and with a hundred
times it (100x), in one run on one PostgreSQL database, with production's settings module.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/scale.py [--scale 100]

At 1x the history is 100 facilities (300 units), 1,000 households, 10,000 bookings over three years with their
nights and stock rows, and 2,000 claims in 50 towns; growing it to 100x adds 99 more of the same (10,000
facilities, 100,000 households, 1,000,000 bookings, about 2,000,000 nights and stock rows, 200,000 claims with
their frozen days and expense lines), written by INSERT ... SELECT over generate_series, then ANALYZEd as
autovacuum would. A probe town (one of the 50, with its programme) and its visitors stay the same at both sizes:
each household's own history is as small at 100x as at 1x, and what grows is everyone else's.

Measured at each size, through Django's test client in this process (p50, p95): a booking, a quote with its
estimates, a dated search near the probe town, a year's availability, a claim's submission, `GET /kpis/` of the
probe programme, the staff console's claim queue, and the CSV export of the town's claims (time and peak
Python memory while it streams). Then a line `growth <measure> <ratio>x` each (p95 at 100x / p95 at 1x).

Creates its own database (`otameshi_bench_scale_<pid>`, dropped at the end), never touches the one DATABASE_URL
names."""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, migrate_and_set_up, p95  # noqa: E402

TOWNS = 50
# One batch is the 1x history; 100x is a hundred batches.
FACILITIES, UNITS_PER_FACILITY, HOUSEHOLDS, BOOKINGS, CLAIMS = 100, 3, 1_000, 10_000, 2_000
PROBE_CODE = "202177"  # Saku: the town the measured requests are made in
SAMPLES = {"booking": 100, "quote": 100, "search": 100, "availability": 50, "submission": 50}
SAMPLES_SLOW = {"kpis": 20, "console queue": 20, "csv export": 3}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def insert_select(model, columns: dict[str, str], source: str, params=()) -> int:
    """`INSERT INTO <model's table> (...) SELECT ... FROM <source>`: the columns given as SQL expressions over the
    source, every other concrete field with its default (`now()` for auto_now fields), so that a field added
    later with a default needs no change here. Returns the rows written."""
    from django.db import connection

    names, values, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(connection.ops.quote_name(field.column))
        if field.attname in columns:
            values.append(columns[field.attname])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        else:
            if not field.has_default() and not field.null and not field.blank:
                raise SystemExit(f"bench/scale.py: {model.__name__}.{field.name} needs a value")
            default = field.get_default()
            values.append("%s")
            defaults.append(field.get_db_prep_save(default, connection))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*defaults, *params])
        return cursor.rowcount


def towns_and_programmes(today: date):
    """The 50 towns, each with an active trial-stay programme (Saku's categories, no budget, three years back and
    one ahead); the probe town is Saku."""
    from facilities.models import Municipality
    from reimbursements.demo import SAKU_CATEGORIES
    from reimbursements.models import CategoryRule, Programme

    towns = [
        Municipality.objects.create(
            code=PROBE_CODE if n == 0 else f"9{n:05d}",
            prefecture_ja="長野県",
            prefecture_en="Nagano",
            name_ja="佐久市" if n == 0 else f"町{n}",
            name_en="Saku" if n == 0 else f"Town {n}",
        )
        for n in range(TOWNS)
    ]
    for n, town in enumerate(towns):
        programme = Programme.objects.create(
            code="probe" if n == 0 else f"town-{n}",
            name_ja="お試し滞在補助",
            name_en="Trial-stay subsidy",
            municipality=town,
            valid_from=today - timedelta(days=3 * 366),
            valid_until=today + timedelta(days=366),
            max_days_per_group=6,
            is_active=True,
        )
        CategoryRule.objects.bulk_create(
            CategoryRule(programme=programme, category=c, name_ja=ja, name_en=en, cap_yen=cap, basis=basis)
            for c, ja, en, cap, basis in SAKU_CATEGORIES
        )
    return towns


def grow(first_batch: int, last_batch: int, today: date) -> None:
    """Adds batches [first_batch, last_batch) of history (see the module's docstring) in a few statements."""
    from django.db import connection

    from accounts.models import User
    from bookings.models import Booking, BookingLine, UnitStock
    from facilities.models import Facility, OperatorOrganisation, Unit
    from reimbursements.models import Claim, ClaimDay, ExpenseLine

    f0, f1 = first_batch * FACILITIES, last_batch * FACILITIES
    u0, u1 = f0 * UNITS_PER_FACILITY, f1 * UNITS_PER_FACILITY
    h0, h1 = first_batch * HOUSEHOLDS, last_batch * HOUSEHOLDS
    b0, b1 = first_batch * BOOKINGS, last_batch * BOOKINGS
    start = today - timedelta(days=900)  # three years of bookings: 2.5 behind, half a year ahead
    organisation = OperatorOrganisation.objects.create(name=f"Bench {first_batch}-{last_batch}")
    with connection.cursor() as cursor:
        # Facilities spread over Japan's main islands (a 12 x 12 degree square, about 1,300 x 1,100 km), in the
        # 50 towns in turn: a hundred times the catalogue is a hundred times as many places everywhere, not a
        # hundred times as many around the probe town.
        insert_select(
            Facility,
            {
                "kind": "CASE mod(n, 3) WHEN 0 THEN 'coworking' WHEN 1 THEN 'trial_housing' ELSE 'telework_hotel' END",
                "operator_id": str(organisation.pk),
                "municipality_id": f"(SELECT id FROM facilities_municipality ORDER BY id OFFSET mod(n, {TOWNS}) LIMIT 1)",
                "name_ja": "'施設' || n",
                "name_en": "'Facility ' || n",
                "address_ja": "'長野県' || n",
                "latitude": "31.0 + mod(n * 7919, 1200) / 100.0",
                "longitude": "130.0 + mod(n * 104729, 1200) / 100.0",
                "wifi_mbps": "100",
            },
            f"generate_series({f0}::bigint, {f1 - 1}) AS n",
        )
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_facility (n bigint PRIMARY KEY, id bigint, kind text, town bigint)"
        )
        cursor.execute(
            "INSERT INTO bench_facility SELECT %s + row_number() OVER (ORDER BY id) - 1, id, kind, municipality_id "
            "FROM facilities_facility WHERE operator_id = %s",
            [f0, organisation.pk],
        )
        insert_select(
            Unit,
            {
                "facility_id": "f.id",
                "unit_type": "CASE f.kind WHEN 'coworking' THEN 'desk' WHEN 'trial_housing' THEN 'house' "
                "ELSE 'room' END",
                "name_ja": "'ユニット' || u",
                "capacity": "4",
                "count": "1",
                "price_yen": "3000 + mod(u, 7) * 1000",
                "max_nights": "30",
            },
            f"generate_series({u0}::bigint, {u1 - 1}) AS u JOIN bench_facility f ON f.n = u / {UNITS_PER_FACILITY}",
        )
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_unit (n bigint PRIMARY KEY, id bigint, price int)")
        cursor.execute(
            "INSERT INTO bench_unit SELECT %s + row_number() OVER (ORDER BY u.id) - 1, u.id, u.price_yen "
            "FROM facilities_unit u JOIN bench_facility f ON f.id = u.facility_id WHERE f.n >= %s",
            [u0, f0],
        )
        insert_select(
            User,
            {
                "password": "'!'",
                "email": "'household' || h || '@bench.example'",
                "role": f"'{User.Role.VISITOR}'",
                "is_active": "true",
                "date_joined": "now()",
            },
            f"generate_series({h0}::bigint, {h1 - 1}) AS h",
        )
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_household (n bigint PRIMARY KEY, id bigint)")
        cursor.execute(
            "INSERT INTO bench_household SELECT %s + row_number() OVER (ORDER BY id) - 1, id FROM accounts_user "
            "WHERE email LIKE 'household%%@bench.example' AND id > COALESCE((SELECT max(id) FROM bench_household), 0)",
            [h0],
        )
        # Booking b takes unit b mod U of its batch in its own 32-day window, so that no two overlap (one room
        # each); a household books about ten times; one booking in ten was cancelled (and took no stock).
        units_per_batch = FACILITIES * UNITS_PER_FACILITY
        booking_source = (
            f"(SELECT b, {u0} + mod(b - {b0}, {u1 - u0}) AS unit_n, "
            f"{h0} + mod((b - {b0}) * 7919, {h1 - h0}) AS household_n, "
            f"DATE '{start.isoformat()}' + (((b - {b0}) / {u1 - u0}) * 32 + mod(mod(b - {b0}, {units_per_batch}), 20))::int "
            f"AS check_in, (1 + mod(b, 3))::int AS nights FROM generate_series({b0}::bigint, {b1 - 1}) AS b) s "
            "JOIN bench_unit u ON u.n = s.unit_n JOIN bench_household h ON h.n = s.household_n"
        )
        insert_select(
            Booking,
            {
                "visitor_id": "h.id",
                "unit_id": "u.id",
                "kind": f"'{Booking.Kind.STAY}'",
                "check_in": "s.check_in",
                "check_out": "s.check_in + s.nights",
                "status": f"CASE WHEN mod(s.b, 10) = 9 THEN '{Booking.Status.CANCELLED}' "
                f"WHEN s.check_in + s.nights <= DATE '{today.isoformat()}' THEN '{Booking.Status.COMPLETED}' "
                f"ELSE '{Booking.Status.CONFIRMED}' END",
                "total_yen": "u.price * s.nights",
                "sequence": "s.b",  # which generated booking this is, for the statements below
            },
            booking_source,
        )
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_booking (b bigint PRIMARY KEY, id bigint, visitor bigint, "
            "unit bigint, town bigint, check_in date, nights int, status text, price int)"
        )
        cursor.execute(
            "INSERT INTO bench_booking SELECT bk.sequence, bk.id, bk.visitor_id, bk.unit_id, f.municipality_id, "
            "bk.check_in, bk.check_out - bk.check_in, bk.status, bk.total_yen / (bk.check_out - bk.check_in) "
            "FROM bookings_booking bk JOIN facilities_unit un ON un.id = bk.unit_id "
            "JOIN facilities_facility f ON f.id = un.facility_id WHERE f.operator_id = %s",
            [organisation.pk],
        )
        insert_select(
            BookingLine,
            {"booking_id": "bb.id", "date": "bb.check_in + d", "price_yen": "bb.price"},
            "bench_booking bb JOIN LATERAL generate_series(0, bb.nights - 1) AS d ON true WHERE bb.b >= %s",
            [b0],
        )
        insert_select(
            UnitStock,
            {"unit_id": "bb.unit", "date": "bb.check_in + d", "total": "1", "taken": "1"},
            "bench_booking bb JOIN LATERAL generate_series(0, bb.nights - 1) AS d ON true "
            f"WHERE bb.b >= %s AND bb.status <> '{Booking.Status.CANCELLED}'",
            [b0],
        )
        # One booking in five has a claim under its town's programme: mostly paid, some approved, submitted or
        # still a draft (those in the future).
        claim_status = (
            f"CASE WHEN bb.status = '{Booking.Status.CONFIRMED}' THEN '{Claim.Status.DRAFT}' "
            f"WHEN mod(bb.b, 20) = 5 THEN '{Claim.Status.SUBMITTED}' WHEN mod(bb.b, 20) = 10 THEN '{Claim.Status.APPROVED}' "
            f"ELSE '{Claim.Status.PAID}' END"
        )
        frozen = f"{claim_status} <> '{Claim.Status.DRAFT}'"
        claim_figure = "LEAST(bb.price, 4000) * bb.nights"
        insert_select(
            Claim,
            {
                "booking_id": "bb.id",
                "visitor_id": "bb.visitor",
                "programme_id": "p.id",
                "status": claim_status,
                "lodging_reimbursable_yen": claim_figure,
                "total_reimbursable_yen": claim_figure + " + 2000",
                "submitted_at": f"CASE WHEN {frozen} THEN (bb.check_in + bb.nights + 1)::timestamptz END",
                "approved_amount_yen": f"CASE WHEN {claim_status} IN ('{Claim.Status.APPROVED}', "
                f"'{Claim.Status.PAID}') THEN {claim_figure} + 2000 END",
                "approved_at": f"CASE WHEN {claim_status} IN ('{Claim.Status.APPROVED}', '{Claim.Status.PAID}') "
                "THEN (bb.check_in + bb.nights + 10)::timestamptz END",
                "paid_at": f"CASE WHEN {claim_status} = '{Claim.Status.PAID}' "
                "THEN (bb.check_in + bb.nights + 20)::timestamptz END",
                "claimant_name": "'世帯' || bb.visitor",
            },
            "bench_booking bb JOIN reimbursements_programme p ON p.municipality_id = bb.town "
            f"WHERE bb.b >= %s AND mod(bb.b, 5) = 0 AND bb.status <> '{Booking.Status.CANCELLED}'",
            [b0],
        )
        claims_of_batch = "reimbursements_claim c JOIN bench_booking bb ON bb.id = c.booking_id WHERE bb.b >= %s"
        insert_select(
            ClaimDay,
            {
                "claim_id": "c.id",
                "visitor_id": "c.visitor_id",
                "programme_id": "c.programme_id",
                "date": "bb.check_in + d",
                "night": "d < bb.nights",
                "lodging_yen": "CASE WHEN d < bb.nights THEN LEAST(bb.price, 4000) ELSE 0 END",
            },
            "reimbursements_claim c JOIN bench_booking bb ON bb.id = c.booking_id "
            "JOIN LATERAL generate_series(0, bb.nights) AS d ON true "
            f"WHERE bb.b >= %s AND c.status <> '{Claim.Status.DRAFT}'",
            [b0],
        )
        insert_select(
            ExpenseLine,
            {
                "claim_id": "c.id",
                "category": "'taxi'",
                "date": "bb.check_in",
                "amount_yen": "2000",
                "reimbursable_yen": "2000",
                "receipt": "'receipts/bench/taxi.png'",
            },
            claims_of_batch,
            [b0],
        )
        cursor.execute("ANALYZE")  # as autovacuum would have after such a load


def probe(today: date, count: int):
    """The probe town's measured things: a hotel with rooms for every booking the run makes, staff, and `count`
    visitors, each with one stay last month in the town (for a claim to submit)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from bookings.models import Booking, BookingLine
    from facilities.models import Facility, Municipality, OperatorOrganisation, Unit

    saku = Municipality.objects.get(code=PROBE_CODE)
    organisation = OperatorOrganisation.objects.create(name="Probe")
    hotel = Facility.objects.create(
        kind=Facility.Kind.TELEWORK_HOTEL,
        operator=organisation,
        municipality=saku,
        name_ja="プローブホテル",
        name_en="Probe Hotel",
        address_ja="佐久市1-1",
        latitude=36.27796,
        longitude=138.46424,
    )
    unit = Unit.objects.create(
        facility=hotel, name_ja="シングル", unit_type="single", capacity=2, count=1000, price_yen=8000
    )
    staff = User.objects.create(
        email="staff@probe.example", role=User.Role.MUNICIPAL_STAFF, municipality=saku, password=make_password(None)
    )
    visitors = User.objects.bulk_create(
        User(
            email=f"probe{n}@bench.example",
            role=User.Role.VISITOR,
            password="!",
            home_prefecture="東京都",
            home_municipality="新宿区",
            home_municipality_code="131041",
        )
        for n in range(count)
    )
    past = today - timedelta(days=30)
    stays = Booking.objects.bulk_create(
        Booking(
            visitor=visitor,
            unit=unit,
            kind=Booking.Kind.STAY,
            check_in=past,
            check_out=past + timedelta(days=2),
            status=Booking.Status.COMPLETED,
            total_yen=16000,
        )
        for visitor in visitors
    )
    BookingLine.objects.bulk_create(
        BookingLine(booking=stay, date=past + timedelta(days=d), price_yen=8000) for stay in stays for d in range(2)
    )
    return unit, staff, list(zip(visitors, stays, strict=True))


def measure(label: str, unit, staff, probes, today: date) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    def client_of(user) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")

    figures: dict[str, dict] = {}

    def timed(name: str, call, *, check=(200,)):
        samples, queries = [], []
        for request in call:
            with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
                started = time.perf_counter()
                response = request()
                samples.append(time.perf_counter() - started)
            assert response.status_code in check, (name, response.status_code, response.content[:400])
        figures[name] = {"p50": statistics.median(samples), "p95": p95(samples), "queries": len(queries) / len(samples)}

    stay_in = today + timedelta(days=40)
    visitors = [client_of(visitor) for visitor, _stay in probes]
    body = {"unit": unit.id, "check_in": str(stay_in), "check_out": str(stay_in + timedelta(days=2)), "adults": 1}
    timed(
        "quote", [lambda c=c: c.post("/api/v1/quotes/", body, "application/json") for c in visitors[: SAMPLES["quote"]]]
    )
    timed(
        "booking",
        [lambda c=c: c.post("/api/v1/bookings/", body, "application/json") for c in visitors[: SAMPLES["booking"]]],
        check=(201,),
    )
    anonymous = Client()
    search = {
        "near": "36.27796,138.46424",
        "radius_km": 30,
        "check_in": str(stay_in + timedelta(days=7)),
        "check_out": str(stay_in + timedelta(days=9)),
        "capacity": 2,
    }
    timed("search", [lambda: anonymous.get("/api/v1/facilities/", search)] * SAMPLES["search"])
    year = {"from": str(today), "to": str(today + timedelta(days=365))}
    timed(
        "availability",
        [lambda: anonymous.get(f"/api/v1/units/{unit.id}/availability/", year)] * SAMPLES["availability"],
    )
    drafts = []
    for (_visitor, stay), client in list(zip(probes, visitors, strict=True))[: SAMPLES["submission"]]:
        claim = client.post("/api/v1/claims/", {"booking": stay.id}, "application/json")
        assert claim.status_code == 201, claim.content
        drafts.append((client, claim.json()["id"]))
    timed("submission", [lambda c=c, i=i: c.post(f"/api/v1/claims/{i}/submit/") for c, i in drafts])
    staff_api = client_of(staff)
    timed("kpis", [lambda: staff_api.get("/api/v1/kpis/", {"programme": "probe"})] * SAMPLES_SLOW["kpis"])
    console = Client()
    console.force_login(staff)
    timed("console queue", [lambda: console.get("/console/staff/claims/")] * SAMPLES_SLOW["console queue"])

    rows = 0

    # The last whole fiscal year (April to March) of the history.
    last_year = (today.year if today.month >= 4 else today.year - 1) - 1

    def export():
        nonlocal rows
        response = staff_api.get("/api/v1/claims/export.csv", {"fiscal_year": last_year})
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        return response

    timed("csv export", [export] * SAMPLES_SLOW["csv export"])
    # Its memory in a run of its own: tracing slows what it traces.
    tracemalloc.start()
    export()
    figures["csv export"]["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    figures["csv export"]["rows"] = rows
    print(f"\n{label}")
    for name, figure in figures.items():
        extra = f"   peak {figure['peak_mib']:.1f} MiB over {figure['rows']:,} rows" if "peak_mib" in figure else ""
        print(
            f"  {name:14} p50 {ms(figure['p50'])}   p95 {ms(figure['p95'])}   {figure['queries']:5.1f} queries{extra}"
        )
    return figures


def counts() -> str:
    from bookings.models import Booking, BookingLine, UnitStock
    from facilities.models import Facility
    from reimbursements.models import Claim

    return (
        f"{Facility.objects.count():,} facilities, {Booking.objects.count():,} bookings, "
        f"{BookingLine.objects.count():,} nights, {UnitStock.objects.count():,} stock rows, "
        f"{Claim.objects.count():,} claims"
    )


def run(scale: int) -> None:
    from django.conf import settings
    from django.utils import timezone

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="otameshi-bench-scale-")
    today = timezone.localdate()
    towns_and_programmes(today)
    started = time.perf_counter()
    grow(0, 1, today)
    print(f"1x: {counts()} (built in {time.perf_counter() - started:.0f} s)")
    unit, staff, probes = probe(today, 2 * max(SAMPLES.values()))
    half = len(probes) // 2
    small = measure("at 1x", unit, staff, probes[:half], today)
    started = time.perf_counter()
    grow(1, scale, today)
    print(f"\n{scale}x: {counts()} (grown in {time.perf_counter() - started:.0f} s)")
    large = measure(f"at {scale}x", unit, staff, probes[half:], today)
    print()
    for name in small:
        print(f"growth {name.replace(' ', '_')} {large[name]['p95'] / small[name]['p95']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100, help="how many times the 1x history to grow to")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end, to look into it")
    arguments = parser.parse_args()
    name, url, admin = make_database(os.environ.get("DATABASE_URL", ""), "scale")
    try:
        # The claims' emails would go to the console otherwise.
        migrate_and_set_up(django_env(url, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"))
        run(arguments.scale)
    finally:
        from django.db import connections

        connections.close_all()
        if arguments.keep:
            print(f"kept: {url}")
        else:
            drop_database(admin, name)


if __name__ == "__main__":
    main()
