"""Input and output shapes of operators' calendar imports."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .import_fetch import MAX_URL_LENGTH
from .models import CalendarImport, CalendarImportSync
from .serializers import TextField


class CalendarImportSerializer(serializers.ModelSerializer):
    """The import as its own organisation sees it (the only one that can): the URL in full."""

    conflicts = serializers.SerializerMethodField(
        help_text=_(
            "Dates an imported event blocks although the unit is fully booked here on them (echoes of the unit's "
            "own bookings aside)."
        )
    )

    class Meta:
        model = CalendarImport
        fields = [
            "id",
            "unit",
            "name",
            "url",
            "enabled",
            "block_transparent",
            "last_synced_at",
            "last_status",
            "last_error",
            "event_count",
            "block_count",
            "consecutive_failures",
            "paused_at",
            "conflicts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_conflicts(self, calendar_import) -> list[str]:
        return [block.date.isoformat() for block in calendar_import.blocks.all() if not block.held and not block.echo]


class CalendarImportWriteSerializer(serializers.Serializer):
    name = TextField(max_length=100)
    # Longer URLs are refused by the service with its own message; the cap here only bounds the body.
    url = TextField(
        max_length=MAX_URL_LENGTH, trim_whitespace=True, help_text=_("The other site's iCal export URL (https).")
    )
    enabled = serializers.BooleanField(
        default=True,
        help_text=_("Off: the import is not synced and keeps its blocks; only deleting it frees its dates."),
    )
    block_transparent = serializers.BooleanField(
        default=True,
        help_text=_(
            "Whether events marked free (TRANSP:TRANSPARENT, such as Google's all-day events) block dates; "
            "on by default."
        ),
    )


class CalendarImportSyncSerializer(serializers.ModelSerializer):
    """A sync asked for now: `state` queued, running or done; `status` and `error` once done, as the import's."""

    calendar_import = serializers.SerializerMethodField()

    class Meta:
        model = CalendarImportSync
        fields = ["id", "state", "status", "error", "created_at", "started_at", "finished_at", "calendar_import"]
        read_only_fields = fields

    @extend_schema_field(CalendarImportSerializer)
    def get_calendar_import(self, sync) -> dict:
        return CalendarImportSerializer(self.context["calendar_import"]).data
