"""A certificate's level belongs to its scheme and it lasts at most a year, whoever saves it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from facilities.models import Certification, one_year_after
from tests.factories import CertificationFactory, FacilityFactory

pytestmark = pytest.mark.django_db


def test_a_level_of_another_scheme_is_a_validation_error_not_a_crash(saku):
    certificate = Certification(
        facility=FacilityFactory(),
        scheme="safe_telework",
        level="star2",
        certified_on=dt.date(2026, 4, 1),
        valid_until=dt.date(2027, 3, 31),
    )

    with pytest.raises(ValidationError) as refused:
        certificate.save()

    assert "level" in refused.value.message_dict
    assert Certification.objects.count() == 0


def test_validity_over_a_year_is_refused_by_the_model(saku):
    certificate = Certification(
        facility=FacilityFactory(),
        scheme="safe_telework",
        level="business",
        certified_on=dt.date(2026, 4, 1),
        valid_until=dt.date(2027, 4, 2),
    )

    with pytest.raises(ValidationError) as refused:
        certificate.full_clean()

    assert "valid_until" in refused.value.message_dict


def test_the_database_refuses_a_level_of_another_scheme(saku):
    certificate = CertificationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Certification.objects.filter(pk=certificate.pk).update(level="star1")


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2026, 4, 1), dt.date(2027, 4, 1)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
        (dt.date(9999, 6, 1), dt.date.max),
    ],
)
def test_one_year_after(day, expected):
    assert one_year_after(day) == expected
