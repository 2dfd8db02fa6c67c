"""Routes of the consultations API (ids matched as any string and checked by the views, for a JSON 404)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("consultation-slots/", apis.SlotListApi.as_view(), name="consultation-slot-list"),
    path("consultation-slots/<str:slot_id>/", apis.SlotDetailApi.as_view(), name="consultation-slot-detail"),
    path("consultations/", apis.ConsultationListApi.as_view(), name="consultation-list"),
    path("consultations/<str:consultation_id>/", apis.ConsultationDetailApi.as_view(), name="consultation-detail"),
    path(
        "consultations/<str:consultation_id>/cancel/", apis.ConsultationCancelApi.as_view(), name="consultation-cancel"
    ),
    path(
        "consultations/<str:consultation_id>/attended/",
        apis.ConsultationAttendedApi.as_view(),
        name="consultation-attended",
    ),
    path(
        "consultations/<str:consultation_id>/missed/", apis.ConsultationMissedApi.as_view(), name="consultation-missed"
    ),
]
