"""Input and output shapes of operators' calendar imports."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .import_fetch import MAX_URL_LENGTH
from .models import CalendarImport
from .serializers import TextField


class CalendarImportSerializer(serializers.ModelSerializer):
    """The import as its own organisation sees it (the only one that can): the URL in full."""

    conflicts = serializers.SerializerMethodField(
        help_text=_("Dates an imported event blocks although the unit is fully booked here on them.")
    )

    class Meta:
        model = CalendarImport
        fields = [
            "id",
            "unit",
            "name",
            "url",
            "enabled",
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
        return [block.date.isoformat() for block in calendar_import.blocks.all() if not block.held]


class CalendarImportWriteSerializer(serializers.Serializer):
    name = TextField(max_length=100)
    # Longer URLs are refused by the service with its own message; the cap here only bounds the body.
    url = TextField(
        max_length=MAX_URL_LENGTH, trim_whitespace=True, help_text=_("The other site's iCal export URL (https).")
    )
    enabled = serializers.BooleanField(default=True)


# What a sync ends in (the schema's CalendarImportSyncStatusEnum): every status but "never synced".
SYNC_STATUSES = [choice for choice in CalendarImport.Status.choices if choice[0]]


class CalendarImportSyncSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SYNC_STATUSES)
    error = serializers.CharField(allow_blank=True)
    calendar_import = CalendarImportSerializer()
