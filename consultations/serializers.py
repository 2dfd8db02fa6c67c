"""Shapes of consultation slots and consultations in the API."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.pagination import page_serializer

from .models import Consultation, ConsultationSlot


class SlotSerializer(serializers.ModelSerializer):
    """`meeting_url` is shown to staff and, through their consultation, to the visitors who booked; visitors
    browsing slots get null."""

    municipality_code = serializers.CharField(source="municipality.code", read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    meeting_url = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationSlot
        fields = [
            "id",
            "municipality_code",
            "starts_at",
            "ends_at",
            "minutes",
            "mode",
            "place",
            "meeting_url",
            "capacity",
            "booked",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_meeting_url(self, slot) -> str | None:
        return (slot.meeting_url or None) if self.context.get("show_meeting_url") else None


class SlotWriteSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text=_("ISO 8601 with its offset, e.g. 2026-12-01T10:00:00+09:00."))
    minutes = serializers.IntegerField(min_value=1, max_value=480)
    mode = serializers.ChoiceField(choices=ConsultationSlot.Mode.choices)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    meeting_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=1)


class DateRangeFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=_("Starting on this date (Japan time) or later."))
    date_to = serializers.DateField(required=False, help_text=_("Starting on this date (Japan time) or earlier."))
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate(self, attrs):
        if "date_from" in attrs and "date_to" in attrs and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("date_to must not be before date_from.")]})
        return attrs


class SlotListFilterSerializer(DateRangeFilterSerializer):
    municipality = serializers.RegexField(
        r"^[0-9]{6}$", required=False, help_text=_("The town's local government code (Saku: 202177).")
    )
    mode = serializers.ChoiceField(choices=ConsultationSlot.Mode.choices, required=False)


class ConsultationListFilterSerializer(DateRangeFilterSerializer):
    status = serializers.ChoiceField(choices=Consultation.Status.choices, required=False)


class ConsultationVisitorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class ConsultationSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        read_only=True,
        help_text=_("The visitor's language when booking: the emails are in it."),
    )
    slot = serializers.SerializerMethodField()
    visitor = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "status",
            "slot",
            "visitor",
            "language",
            "cancel_reason",
            "cancelled_at",
            "marked_at",
            "created_at",
        ]

    @extend_schema_field(SlotSerializer)
    def get_slot(self, consultation) -> dict:
        # The visitor who booked it and the town's staff are the ones who may see the meeting URL.
        return SlotSerializer(consultation.slot, context={"show_meeting_url": True}).data

    @extend_schema_field(ConsultationVisitorSerializer(allow_null=True))
    def get_visitor(self, consultation) -> dict | None:
        """Staff see who booked; a visitor is shown nothing more about themselves."""
        request = self.context.get("request")
        if request is None or not request.user.is_municipal_staff:
            return None
        visitor = consultation.visitor
        return {"id": visitor.id, "email": visitor.email, "full_name": visitor.full_name}


class ConsultationCreateSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, help_text=_("The id of the consultation slot."))


class ConsultationCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        default="",
        help_text=_("Required from staff: sent to the visitor."),
    )


SlotPageSerializer = page_serializer("ConsultationSlotPage", SlotSerializer)
ConsultationPageSerializer = page_serializer("ConsultationPage", ConsultationSerializer)
