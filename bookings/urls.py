"""Routes of the bookings API.

Ids are matched as any string and checked by the views, so that a malformed id gets the API's JSON 404
rather than Django's HTML page."""

from django.urls import path

from . import apis, operator_apis, operator_import_apis

urlpatterns = [
    path("units/<str:unit_id>/availability/", apis.UnitAvailabilityApi.as_view(), name="unit-availability"),
    path("units/<str:unit_id>/slots/", apis.UnitSlotsApi.as_view(), name="unit-slots"),
    path("quotes/", apis.QuoteApi.as_view(), name="quote-create"),
    path("bookings/", apis.BookingListApi.as_view(), name="booking-list"),
    path("bookings/<str:booking_id>/", apis.BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<str:booking_id>/cancel/", apis.BookingCancelApi.as_view(), name="booking-cancel"),
    path("bookings/<str:booking_id>/shorten/", apis.BookingShortenApi.as_view(), name="booking-shorten"),
    path("bookings/<str:booking_id>/events/", apis.BookingEventListApi.as_view(), name="booking-events"),
    path("bookings/<str:booking_id>/calendar.ics", apis.BookingCalendarApi.as_view(), name="booking-calendar"),
    path("operator/units/<str:unit_id>/closures/", operator_apis.ClosureListApi.as_view(), name="closure-list"),
    path(
        "operator/units/<str:unit_id>/closures/<str:closure_id>/",
        operator_apis.ClosureDetailApi.as_view(),
        name="closure-detail",
    ),
    path(
        "operator/units/<str:unit_id>/time-closures/",
        operator_apis.TimeClosureListApi.as_view(),
        name="time-closure-list",
    ),
    path(
        "operator/units/<str:unit_id>/time-closures/<str:closure_id>/",
        operator_apis.TimeClosureDetailApi.as_view(),
        name="time-closure-detail",
    ),
    path(
        "operator/units/<str:unit_id>/price-overrides/",
        operator_apis.PriceOverrideListApi.as_view(),
        name="price-override-list",
    ),
    path(
        "operator/units/<str:unit_id>/price-overrides/<str:override_id>/",
        operator_apis.PriceOverrideDetailApi.as_view(),
        name="price-override-detail",
    ),
    path(
        "operator/units/<str:unit_id>/calendar-imports/",
        operator_import_apis.CalendarImportListApi.as_view(),
        name="calendar-import-list",
    ),
    path(
        "operator/units/<str:unit_id>/calendar-imports/<str:import_id>/",
        operator_import_apis.CalendarImportDetailApi.as_view(),
        name="calendar-import-detail",
    ),
    path(
        "operator/units/<str:unit_id>/calendar-imports/<str:import_id>/sync/",
        operator_import_apis.CalendarImportSyncApi.as_view(),
        name="calendar-import-sync",
    ),
    path(
        "operator/units/<str:unit_id>/calendar-imports/<str:import_id>/sync/<str:sync_id>/",
        operator_import_apis.CalendarImportSyncDetailApi.as_view(),
        name="calendar-import-sync-detail",
    ),
    path("calendar-feeds/", operator_apis.CalendarFeedListApi.as_view(), name="calendar-feed-list"),
    path("calendar-feeds/<str:feed_id>/", operator_apis.CalendarFeedDetailApi.as_view(), name="calendar-feed-detail"),
    path(
        "calendar-feeds/<str:feed_id>/rotate/",
        operator_apis.CalendarFeedRotateApi.as_view(),
        name="calendar-feed-rotate",
    ),
    path("calendars/<str:token>.ics", apis.CalendarFeedPublicApi.as_view(), name="calendar-feed"),
]
