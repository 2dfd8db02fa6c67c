"""Search benchmark: p50 and p95 of 200 varied facility searches through the API layer (Django's test client,
so URL routing, middleware, validation, the selectors and serialisation all count) on 10,000 facilities with
3 units each on PostgreSQL, against the same searches as one hand-written SQL query each, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otameshi .venv/bin/python bench/search.py

Creates its own database (`otameshi_bench_search_<pid>`, dropped at the end), never touches the one
DATABASE_URL names. Target on a 2-core machine: p95 at most 30 ms and at most twice the hand-written SQL's.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_env, drop_database, make_database, p95  # noqa: E402

FACILITIES = 10_000
UNITS_PER_FACILITY = 3
SEARCHES = 200
WARM_UP = 20
SAKUDAIRA = (36.27796, 138.46424)
# Most of the catalogue is packed around Saku (the worst case for a distance search: thousands of rows in the
# box), the rest spread over Honshu, Shikoku and Kyushu.
DENSE_SHARE = 0.7
KINDS = ["coworking", "trial_housing", "telework_hotel"]


def ms(seconds):
    return f"{seconds * 1000:7.1f} ms"


def build_catalogue(rng: random.Random) -> None:
    from facilities.models import Facility, Landmark, Municipality, OperatorOrganisation, Unit

    saku = Municipality.objects.create(
        code="202177", prefecture_ja="長野県", prefecture_en="Nagano", name_ja="佐久市", name_en="Saku"
    )
    Landmark.objects.create(
        code="sakudaira-station",
        municipality=saku,
        name_ja="佐久平駅",
        name_en="Sakudaira Station",
        latitude=SAKUDAIRA[0],
        longitude=SAKUDAIRA[1],
    )
    organisation = OperatorOrganisation.objects.create(name="ベンチ運営")
    facilities = []
    for index in range(FACILITIES):
        if index < FACILITIES * DENSE_SHARE:
            latitude = SAKUDAIRA[0] + rng.uniform(-0.5, 0.5)
            longitude = SAKUDAIRA[1] + rng.uniform(-0.5, 0.5)
        else:
            latitude, longitude = rng.uniform(31.5, 41.0), rng.uniform(130.5, 141.5)
        kind = KINDS[index % 3]
        facilities.append(
            Facility(
                kind=kind,
                operator=organisation,
                municipality=saku,
                name_ja=f"施設{index}",
                name_en=f"Facility {index}",
                address_ja="長野県佐久市",
                latitude=latitude,
                longitude=longitude,
                wifi_mbps=rng.choice([50, 100, 1000]),
                private_booths=rng.random() < 0.3,
                parking=rng.random() < 0.6,
            )
        )
    Facility.objects.bulk_create(facilities, batch_size=2000)
    units = []
    for facility in Facility.objects.only("id", "kind"):
        for number in range(UNITS_PER_FACILITY):
            coworking = facility.kind == "coworking"
            units.append(
                Unit(
                    facility_id=facility.id,
                    unit_type=("desk" if coworking else "room"),
                    name_ja=f"ユニット{number}",
                    capacity=rng.choice([1, 2, 4, 6]),
                    count=rng.choice([1, 3]),
                    price_yen=rng.randrange(1000, 20000, 500),
                    min_nights=1,
                    max_nights=30,
                )
            )
    Unit.objects.bulk_create(units, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def searches(rng: random.Random) -> list[dict]:
    """Near a point with a radius, near the station, by kind and party size, around Saku and elsewhere."""
    out = []
    for index in range(SEARCHES):
        query: dict = {}
        shape = index % 5
        if shape in (0, 1):  # dense: around Saku, small to large radius
            query["near"] = f"{SAKUDAIRA[0] + rng.uniform(-0.2, 0.2):.5f},{SAKUDAIRA[1] + rng.uniform(-0.2, 0.2):.5f}"
            query["radius_km"] = rng.choice([3, 10, 30, 60, 100])
        elif shape == 2:  # the station as centre
            query["near_station"] = "sakudaira-station"
            query["radius_km"] = rng.choice([5, 20, 50])
        elif shape == 3:  # spread: anywhere in the country
            query["near"] = f"{rng.uniform(32.0, 40.5):.5f},{rng.uniform(131.0, 141.0):.5f}"
            query["radius_km"] = rng.choice([20, 50, 100, 300])
        # shape 4: no centre, filters only
        if rng.random() < 0.5:
            query["kind"] = rng.choice(KINDS)
        if rng.random() < 0.5:
            query["capacity"] = rng.choice([2, 4, 6])
        if rng.random() < 0.2 and shape in (0, 1, 2) and query["radius_km"] >= 30:
            query["page"] = 2
        out.append(query)
    return out


SQL = """
SELECT f.id, f.kind, f.name_ja, f.latitude, f.longitude, d.km,
       (SELECT min(u.price_yen) FROM facilities_unit u WHERE u.facility_id = f.id AND u.is_active) AS price_from,
       count(*) OVER () AS total
FROM facilities_facility f
CROSS JOIN LATERAL (
    SELECT 2 * 6371.0088 * asin(sqrt(least(1.0,
        sin(radians(f.latitude - %(lat)s) / 2) ^ 2
        + cos(radians(%(lat)s)) * cos(radians(f.latitude)) * sin(radians(f.longitude - %(lon)s) / 2) ^ 2))) AS km
) d
WHERE f.is_published
  AND f.latitude BETWEEN %(south)s AND %(north)s AND f.longitude BETWEEN %(west)s AND %(east)s
  AND d.km <= %(radius)s
  AND (%(kind)s::text IS NULL OR f.kind = %(kind)s)
  AND (%(capacity)s::int IS NULL OR EXISTS (SELECT 1 FROM facilities_unit u WHERE u.facility_id = f.id
                                           AND u.is_active AND u.capacity >= %(capacity)s))
ORDER BY d.km, f.id
LIMIT %(limit)s OFFSET %(offset)s
"""

SQL_NO_CENTRE = """
SELECT f.id, f.kind, f.name_ja, f.latitude, f.longitude,
       (SELECT min(u.price_yen) FROM facilities_unit u WHERE u.facility_id = f.id AND u.is_active) AS price_from,
       count(*) OVER () AS total
FROM facilities_facility f
WHERE f.is_published
  AND (%(kind)s::text IS NULL OR f.kind = %(kind)s)
  AND (%(capacity)s::int IS NULL OR EXISTS (SELECT 1 FROM facilities_unit u WHERE u.facility_id = f.id
                                           AND u.is_active AND u.capacity >= %(capacity)s))
ORDER BY f.id
LIMIT %(limit)s OFFSET %(offset)s
"""


def hand_written(cursor, query: dict) -> int:
    """The same search as one SQL query (spherical distance, bounding box, filters, page); returns the count."""
    import math

    page = int(query.get("page", 1))
    params = {"kind": query.get("kind"), "capacity": query.get("capacity"), "limit": 20, "offset": 20 * (page - 1)}
    if "near" in query or "near_station" in query:
        lat, lon = (map(float, query["near"].split(","))) if "near" in query else SAKUDAIRA
        radius = float(query["radius_km"])
        dlat = radius * 1.006 / 110.57
        dlon = dlat / math.cos(math.radians(min(89.0, abs(lat) + dlat)))
        params.update(
            lat=lat, lon=lon, radius=radius, south=lat - dlat, north=lat + dlat, west=lon - dlon, east=lon + dlon
        )
        cursor.execute(SQL, params)
    else:
        cursor.execute(SQL_NO_CENTRE, params)
    rows = cursor.fetchall()
    return rows[0][-1] if rows else 0


def run() -> None:
    from django.db import connection
    from django.test import Client

    rng = random.Random(20261124)
    started = time.perf_counter()
    build_catalogue(rng)
    print(
        f"catalogue: {FACILITIES:,} facilities, {FACILITIES * UNITS_PER_FACILITY:,} units "
        f"({DENSE_SHARE:.0%} within 0.5° of Sakudaira), built in {time.perf_counter() - started:.1f} s"
    )

    queries = searches(rng)
    client = Client(HTTP_HOST="127.0.0.1")
    for query in queries[:WARM_UP]:
        client.get("/api/v1/facilities/", query)

    api, api_by_shape, counts = [], {"near Saku": [], "spread": [], "no centre": []}, []
    for query in queries:
        url = "/api/v1/facilities/?" + urlencode(query)
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
        api.append(elapsed)
        counts.append(response.json()["count"])
        near = query.get("near", "")
        if "near_station" in query or (near and abs(float(near.split(",")[0]) - SAKUDAIRA[0]) < 0.3):
            api_by_shape["near Saku"].append(elapsed)
        elif near:
            api_by_shape["spread"].append(elapsed)
        else:
            api_by_shape["no centre"].append(elapsed)

    sql, sql_counts = [], []
    with connection.cursor() as cursor:
        for query in queries[:WARM_UP]:
            hand_written(cursor, query)
        for query in queries:
            start = time.perf_counter()
            sql_counts.append(hand_written(cursor, query))
            sql.append(time.perf_counter() - start)

    # The API's count is exact (geodesic); the SQL one spherical: they may differ by a row at a radius's edge.
    differing = sum(1 for a, b in zip(counts, sql_counts, strict=True) if abs(a - b) > max(2, a // 100))

    print(
        f"searches: {len(queries)} (near Saku {len(api_by_shape['near Saku'])}, spread "
        f"{len(api_by_shape['spread'])}, no centre {len(api_by_shape['no centre'])}); median results "
        f"{statistics.median(counts):.0f}, largest {max(counts):,}"
    )
    print(f"API (test client)   p50 {ms(statistics.median(api))}   p95 {ms(p95(api))}   max {ms(max(api))}")
    for shape, samples in api_by_shape.items():
        if samples:
            print(f"  {shape:<17} p50 {ms(statistics.median(samples))}   p95 {ms(p95(samples))}")
    print(f"hand-written SQL    p50 {ms(statistics.median(sql))}   p95 {ms(p95(sql))}   max {ms(max(sql))}")
    print(
        f"ratio API / SQL     p50 {statistics.median(api) / statistics.median(sql):6.1f}x   "
        f"p95 {p95(api) / p95(sql):6.1f}x"
    )
    slowest = sorted(zip(api, queries, strict=True), key=lambda pair: pair[0], reverse=True)[:3]
    print("slowest: " + "; ".join(f"{ms(t).strip()} {urlencode(q)}" for t, q in slowest))
    met = p95(api) <= 0.030 and p95(api) <= 2 * p95(sql)
    print(
        f"target p95 <= 30 ms and <= 2x the SQL: {'met' if met else 'NOT met'}; counts differing beyond a "
        f"radius-edge row: {differing}"
    )


def main() -> None:
    name, url, admin = make_database(os.environ.get("DATABASE_URL", ""), "search")
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
