"""Loads the demo data: catalogue, the subsidy programmes, demo accounts, a booking, the coworking space's rooms by
the hour and plans (the visitor a member), Saku's consultation slots and Saku's history of past stays, claims, surveys and moves (demo_data/history.py). Safe to run again."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, CalendarFeed
from bookings.services import booking_create, calendar_feed_get_or_create
from consultations import demo as consultations
from demo_data import commuting, coworking, history
from facilities import demo as catalogue
from facilities.models import Facility, Municipality, Unit
from reimbursements import demo as programmes

PASSWORD = "otameshi-demo"


class Command(BaseCommand):
    help = "Create or update the demo data (running it again duplicates nothing) and print the demo accounts."

    def handle(self, *args, **options):
        with transaction.atomic():
            organisations = catalogue.seed()
            programmes.seed()
            programmes.seed_takanabe()
            accounts = self._accounts(organisations)
            history.seed(staff=accounts["staff"], password=PASSWORD)
            # The monthly programme (shinkansen commuting subsidy) and its certified commuter.
            commuting.seed(staff=accounts["staff"], password=PASSWORD)
        self._demo_booking(accounts["visitor"])
        coworking.seed(visitor=accounts["visitor"])
        consultations.seed(staff=accounts["staff"])
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {Facility.objects.count()} facilities, {Unit.objects.count()} units.")
        )
        self.stdout.write(f"Demo accounts (password: {PASSWORD}):")
        for role, user in accounts.items():
            self.stdout.write(f"  {role:<9} {user.email}")
        self.stdout.write(f"  {'commuter':<9} {commuting.EMAIL}")

    def _accounts(self, organisations) -> dict[str, User]:
        saku = Municipality.objects.get(code="202177")
        specs = {
            "visitor": (
                "visitor@demo.otameshi.jp",
                {
                    "full_name": "佐藤 花子",
                    "role": User.Role.VISITOR,
                    "home_prefecture": "東京都",
                    "home_municipality": "世田谷区",
                    "home_municipality_code": "131121",
                },
            ),
            "operator": (
                "operator@demo.otameshi.jp",
                {"full_name": "高橋 健", "role": User.Role.OPERATOR, "organisation": organisations["saku"]},
            ),
            "staff": (
                "staff@demo.otameshi.jp",
                {"full_name": "小林 美咲", "role": User.Role.MUNICIPAL_STAFF, "municipality": saku},
            ),
            "admin": (
                "admin@demo.otameshi.jp",
                {
                    "full_name": "Otameshi admin",
                    "role": User.Role.MUNICIPAL_STAFF,
                    "municipality": saku,
                    "is_staff": True,
                    "is_superuser": True,
                },
            ),
        }
        accounts = {}
        for role, (email, fields) in specs.items():
            user, created = User.objects.update_or_create(email=email, defaults=fields)
            if created:
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            accounts[role] = user
        return accounts

    def _demo_booking(self, visitor: User) -> None:
        """A week at ホシノマチ団地 a month from now, paid on site, and the visitor's "my stays" feed."""
        calendar_feed_get_or_create(owner=visitor, scope=CalendarFeed.Scope.STAYS)
        if Booking.objects.filter(visitor=visitor).exists():
            return
        unit = Unit.objects.get(facility__name_ja="ホシノマチ団地", name_ja="1LDK")
        check_in = timezone.localdate() + timedelta(days=30)
        booking_create(visitor=visitor, unit=unit, check_in=check_in, check_out=check_in + timedelta(days=7), adults=2)
