"""Routes of the catalogue: public search and detail, and the operators' own facilities and units.

Ids are matched as any string and checked by the views, so that a malformed id gets the API's JSON 404."""

from django.urls import include, path

from . import apis

urlpatterns = [
    path("facilities/", apis.FacilityListApi.as_view(), name="facility-list"),
    path("facilities/<str:facility_id>/", apis.FacilityDetailApi.as_view(), name="facility-detail"),
    path("municipalities/", apis.MunicipalityListApi.as_view(), name="municipality-list"),
    path("stations/", apis.LandmarkListApi.as_view(), name="landmark-list"),
    path("operator/", include("facilities.operator_urls")),
]
