"""A search page's rows and certificates are read in plain SQL for speed: they must be what the ORM reads."""

import datetime as dt

import pytest
from django.utils import timezone

from facilities import selectors
from facilities.models import Certification, Facility, Photo
from tests.factories import AreaFactory, CertificationFactory, FacilityFactory, UnitFactory

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict | None:
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def catalogue(saku):
    """A facility with everything a list row shows; one with no area, unit, photo or valid certificate."""
    full = FacilityFactory(area=AreaFactory(municipality=saku), kind=Facility.Kind.TELEWORK_HOTEL)
    UnitFactory(facility=full, price_yen=12000)
    UnitFactory(facility=full, price_yen=7000)
    UnitFactory(facility=full, price_yen=5000, is_active=False)
    Photo.objects.create(facility=full, url="https://example.jp/2.jpg", position=2)
    Photo.objects.create(facility=full, url="https://example.jp/1.jpg", position=1)
    CertificationFactory(facility=full, level="business")
    CertificationFactory(
        facility=full, scheme=Certification.Scheme.SHARED_OFFICE_SECURITY, level="star2", certificate_number="A-1"
    )
    CertificationFactory(facility=full, certified_on=timezone.localdate() - dt.timedelta(days=800))  # expired
    bare = FacilityFactory(area=None)
    return full, bare


def test_the_plain_page_read_equals_the_orm_read(catalogue):
    ids = [facility.pk for facility in catalogue]
    expected = {facility.pk: facility for facility in selectors._list_queryset().filter(pk__in=ids)}
    certificates = {pk: list(selectors._best_certifications_first().filter(facility_id=pk)) for pk in ids}

    read = selectors._list_rows(selectors.placeholders(len(ids)), ids)

    assert sorted(facility.pk for facility in read) == sorted(ids)
    for facility in read:
        orm = expected[facility.pk]
        assert fields_of(facility) == fields_of(orm)
        assert fields_of(facility.municipality) == fields_of(orm.municipality)
        assert fields_of(facility.area) == fields_of(orm.area)
        assert (facility.price_from_yen, facility.first_photo_url) == (orm.price_from_yen, orm.first_photo_url)
        assert [fields_of(c) for c in facility.valid_certifications] == [fields_of(c) for c in certificates[orm.pk]]
        assert facility.updated_at.tzinfo is not None
    full, bare = sorted(read, key=lambda facility: facility.pk)
    assert (full.price_from_yen, full.first_photo_url) == (7000, "https://example.jp/1.jpg")
    assert [c.level for c in full.valid_certifications] == ["star2", "business"]
    assert (bare.area, bare.price_from_yen, bare.first_photo_url, bare.valid_certifications) == (None, None, None, [])


def test_a_catalogue_page_reads_the_filtered_ids_in_catalogue_order(catalogue, api_client):
    full, bare = catalogue
    second = FacilityFactory()
    FacilityFactory(is_published=False)

    body = api_client.get("/api/v1/facilities/", {"page_size": 2, "page": 2}).json()

    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [second.pk]
    assert [row["id"] for row in api_client.get("/api/v1/facilities/", {"page_size": 2}).json()["results"]] == [
        full.pk,
        bare.pk,
    ]
