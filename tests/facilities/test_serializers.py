"""A search row is written out by hand for speed: it must say exactly what the declared fields say."""

import datetime as dt
import json

import pytest
from django.utils import translation
from rest_framework import serializers

from facilities import selectors
from facilities.geo import Centre
from facilities.serializers import FacilityListSerializer
from tests.factories import AreaFactory, CertificationFactory, FacilityFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("centre", [None, Centre(36.27796, 138.46424, 50)])
def test_a_written_out_row_equals_the_declared_fields(saku, language, centre):
    today = dt.date.today()
    with_everything = FacilityFactory(
        name_ja="美保館",
        name_en="Mihokan",
        area=AreaFactory(municipality=saku, slug="usuda"),
        wifi_mbps=None,
        private_booths=True,
        parking=True,
    )
    UnitFactory(facility=with_everything, price_yen=7000)
    UnitFactory(facility=with_everything, price_yen=5000, is_active=False)
    CertificationFactory(facility=with_everything, level="premium")
    CertificationFactory(facility=with_everything, scheme="shared_office_security", level="star1")
    CertificationFactory(
        facility=with_everything,
        certified_on=today - dt.timedelta(days=300),
        valid_until=today - dt.timedelta(days=1),
    )
    with_everything.photos.create(url="https://example.jp/2.jpg", position=2)
    with_everything.photos.create(url="https://example.jp/1.jpg", position=1)
    FacilityFactory(name_ja="名前だけ", name_en="", area=None, wifi_mbps=1000, latitude=36.3, longitude=138.5)

    with translation.override(language):
        results = selectors.facility_search(query=selectors.SearchQuery(centre=centre), wanted=20)
        page = results[0:20]
        serializer = FacilityListSerializer()
        written = [serializer.to_representation(facility) for facility in page]
        declared = [serializers.Serializer.to_representation(serializer, facility) for facility in page]

    assert len(page) == 2
    # Same keys in the same order, same values of the same JSON types.
    assert json.dumps(written, ensure_ascii=False) == json.dumps(declared, ensure_ascii=False)
    row = next(row for row in written if row["id"] == with_everything.id)
    assert row["price_from_yen"] == 7000
    assert row["photo_url"] == "https://example.jp/1.jpg"
    assert [c["level"] for c in row["certifications"]] == ["premium", "star1"]
    assert (row["distance_km"] is None) == (centre is None)
