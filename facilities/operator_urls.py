"""Routes of the operators' catalogue API (under /api/v1/operator/); ids are checked by the views."""

from django.urls import path

from . import operator_apis as apis

urlpatterns = [
    path("facilities/", apis.FacilityListApi.as_view(), name="operator-facility-list"),
    path("facilities/<str:facility_id>/", apis.FacilityDetailApi.as_view(), name="operator-facility-detail"),
    path("facilities/<str:facility_id>/units/", apis.UnitListApi.as_view(), name="operator-unit-list"),
    path(
        "facilities/<str:facility_id>/certifications/",
        apis.CertificationListApi.as_view(),
        name="operator-certification-list",
    ),
    path("facilities/<str:facility_id>/photos/", apis.PhotoListApi.as_view(), name="operator-photo-list"),
    path("units/<str:unit_id>/", apis.UnitDetailApi.as_view(), name="operator-unit-detail"),
    path(
        "certifications/<str:certification_id>/",
        apis.CertificationDetailApi.as_view(),
        name="operator-certification-detail",
    ),
    path("photos/<str:photo_id>/", apis.PhotoDetailApi.as_view(), name="operator-photo-detail"),
    path("geocode/", apis.GeocodeApi.as_view(), name="operator-geocode"),
]
