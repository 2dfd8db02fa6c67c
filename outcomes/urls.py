"""Routes of surveys, moves and the towns' figures. Ids are matched as any string and checked by the views, so
that a malformed id gets the API's JSON 404."""

from django.urls import path

from . import apis

urlpatterns = [
    path("bookings/<str:booking_id>/survey/", apis.BookingSurveyApi.as_view(), name="booking-survey"),
    path("surveys/", apis.SurveyListApi.as_view(), name="survey-list"),
    path("moves/", apis.MoveListApi.as_view(), name="move-list"),
    path("moves/<str:move_id>/confirm/", apis.MoveConfirmApi.as_view(), name="move-confirm"),
    path("kpis/", apis.KpiApi.as_view(), name="kpis"),
    path("kpis.csv", apis.KpiExportApi.as_view(), name="kpis-export"),
    path("operator/facilities/<str:facility_id>/kpis/", apis.FacilityKpiApi.as_view(), name="operator-facility-kpis"),
]
