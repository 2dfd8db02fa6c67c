"""factory_boy factories for the catalogue and accounts; apps add theirs in tests/<app>/factories.py."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from facilities.models import Area, Certification, Facility, Landmark, Municipality, OperatorOrganisation, Unit


def saku() -> Municipality:
    municipality, _ = Municipality.objects.get_or_create(
        code="202177",
        defaults={"prefecture_ja": "長野県", "prefecture_en": "Nagano", "name_ja": "佐久市", "name_en": "Saku"},
    )
    return municipality


def matsue() -> Municipality:
    municipality, _ = Municipality.objects.get_or_create(
        code="322016",
        defaults={"prefecture_ja": "島根県", "prefecture_en": "Shimane", "name_ja": "松江市", "name_en": "Matsue"},
    )
    return municipality


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    code = factory.Sequence(lambda n: f"{900000 + n:06d}")
    prefecture_ja = "長野県"
    prefecture_en = "Nagano"
    name_ja = factory.Sequence(lambda n: f"試験町{n}")
    name_en = factory.Sequence(lambda n: f"Test Town {n}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    municipality = factory.LazyFunction(saku)
    slug = factory.Sequence(lambda n: f"area-{n}")
    name_ja = factory.Sequence(lambda n: f"地区{n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")


class LandmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Landmark

    code = factory.Sequence(lambda n: f"station-{n}")
    municipality = factory.LazyFunction(saku)
    name_ja = "佐久平駅"
    name_en = "Sakudaira Station"
    latitude = 36.27796
    longitude = 138.46424


class OperatorOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatorOrganisation

    name = factory.Sequence(lambda n: f"運営会社{n}")
    contact_email = factory.Sequence(lambda n: f"ops{n}@example.jp")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    full_name = factory.Sequence(lambda n: f"利用者 {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class VisitorFactory(UserFactory):
    role = User.Role.VISITOR
    home_prefecture = "東京都"
    home_municipality = "世田谷区"
    home_municipality_code = "131121"


class OperatorFactory(UserFactory):
    role = User.Role.OPERATOR
    organisation = factory.SubFactory(OperatorOrganisationFactory)


class StaffFactory(UserFactory):
    role = User.Role.MUNICIPAL_STAFF
    municipality = factory.LazyFunction(saku)


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    kind = Facility.Kind.TRIAL_HOUSING
    operator = factory.SubFactory(OperatorOrganisationFactory)
    municipality = factory.LazyFunction(saku)
    name_ja = factory.Sequence(lambda n: f"お試し住宅{n}")
    name_en = factory.Sequence(lambda n: f"Trial Home {n}")
    address_ja = "長野県佐久市岩村田1-1"
    address_en = "1-1 Iwamurada, Saku, Nagano"
    latitude = 36.2700
    longitude = 138.4700
    wifi_mbps = 100
    check_in_time = dt.time(15, 0)
    check_out_time = dt.time(10, 0)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    facility = factory.SubFactory(FacilityFactory)
    unit_type = factory.LazyAttribute(
        lambda o: Unit.Type.DESK if o.facility.kind == Facility.Kind.COWORKING else Unit.Type.HOUSE
    )
    name_ja = factory.Sequence(lambda n: f"ユニット{n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    capacity = 4
    count = 1
    price_yen = 9000
    min_nights = 1
    max_nights = 30


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    facility = factory.SubFactory(FacilityFactory, kind=Facility.Kind.TELEWORK_HOTEL)
    scheme = Certification.Scheme.SAFE_TELEWORK
    level = "business"
    certified_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    valid_until = factory.LazyAttribute(lambda o: o.certified_on + dt.timedelta(days=364))
