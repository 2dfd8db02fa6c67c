"""Admin: surveys, moves and survey invitations are read-only here; they change only through the API's services
(a move is confirmed by the town's staff, a survey is answered once by its visitor)."""

from django.contrib import admin

from backend.admin import ReadOnlyMixin

from .models import Move, Survey, SurveyInvitation


@admin.register(Survey)
class SurveyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["booking", "visitor", "purpose", "satisfaction", "intention", "language", "answered_at"]
    list_filter = ["purpose", "intention", "satisfaction", "language"]
    raw_id_fields = ["booking", "visitor"]


@admin.register(Move)
class MoveAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["visitor", "municipality", "moved_on", "confirmed_at", "confirmed_by"]
    list_filter = ["municipality"]
    raw_id_fields = ["visitor", "reported_by", "confirmed_by"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["booking", "sent_at"]
    raw_id_fields = ["booking"]
