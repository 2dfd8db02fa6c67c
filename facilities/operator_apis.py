"""Operators' catalogue API: their organisation's facilities, units, certificates and photos, and geocoding.

Another organisation's rows answer 404, as if they did not exist; visitors and municipal staff get 403."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from backend.errors import ServiceUnavailable
from backend.locations import created_at
from backend.pagination import StandardPagination, page_serializer, paginated_response

from . import geocoding, selectors, services
from .errors import AddressNotFound
from .operator_serializers import (
    AddressSerializer,
    CertificationWriteSerializer,
    FacilityWriteSerializer,
    GeocodeResultSerializer,
    OperatorCertificationSerializer,
    OperatorFacilityPageSerializer,
    OperatorFacilitySerializer,
    OperatorPhotoSerializer,
    OperatorUnitSerializer,
    PhotoWriteSerializer,
    UnitWriteSerializer,
)

# Paths match any string (see urls.py); the schema still documents the ids as integers.
FACILITY_ID = OpenApiParameter("facility_id", OpenApiTypes.INT, OpenApiParameter.PATH)
UNIT_ID = OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH)
CERTIFICATION_ID = OpenApiParameter("certification_id", OpenApiTypes.INT, OpenApiParameter.PATH)
PHOTO_ID = OpenApiParameter("photo_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _valid(serializer_class, request, partial=False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _facility_response(request, facility_id, status_code=status.HTTP_200_OK) -> Response:
    facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
    return Response(OperatorFacilitySerializer(facility).data, status=status_code)


class OperatorApi(APIView):
    permission_classes = [IsOperator]


# --- facilities ------------------------------------------------------------------------------------------------


class FacilityListApi(OperatorApi):
    @extend_schema(
        responses=OperatorFacilityPageSerializer,
        operation_id="operator_facilities_list",
        description="The organisation's facilities, published or not, with every unit, certificate "
        "(expired ones too) and photo.",
    )
    def get(self, request):
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.operator_facility_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(OperatorFacilitySerializer(page, many=True).data)

    @extend_schema(
        request=FacilityWriteSerializer,
        responses={201: OperatorFacilitySerializer},
        operation_id="operator_facilities_create",
        description="Adds a facility of the organisation. `area` must be an area of `municipality`.",
    )
    def post(self, request):
        data = _valid(FacilityWriteSerializer, request)
        facility = services.facility_create(organisation=request.user.organisation, **data)
        response = _facility_response(request, facility.pk)
        return created_at(response, request, "operator-facility-detail", facility_id=facility.pk)


class FacilityDetailApi(OperatorApi):
    @extend_schema(
        parameters=[FACILITY_ID], responses=OperatorFacilitySerializer, operation_id="operator_facilities_retrieve"
    )
    def get(self, request, facility_id: str):
        return _facility_response(request, facility_id)

    @extend_schema(
        parameters=[FACILITY_ID],
        request=FacilityWriteSerializer(partial=True),
        responses=OperatorFacilitySerializer,
        operation_id="operator_facilities_partial_update",
        description="Changes the given fields. The kind cannot change once the facility has units of "
        "another type or bookings.",
    )
    def patch(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        data = _valid(FacilityWriteSerializer, request, partial=True)
        services.facility_update(facility=facility, **data)
        return _facility_response(request, facility.pk)

    @extend_schema(
        parameters=[FACILITY_ID],
        responses={204: None},
        operation_id="operator_facilities_destroy",
        description="Deletes a facility that was never booked. One with past or cancelled bookings is "
        "unpublished and its units deactivated instead (kept for the records); pending or "
        "confirmed bookings refuse it (409).",
    )
    def delete(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        services.facility_delete(facility=facility)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- units -----------------------------------------------------------------------------------------------------


class UnitListApi(OperatorApi):
    @extend_schema(
        parameters=[FACILITY_ID],
        responses=page_serializer("OperatorUnitPage", OperatorUnitSerializer),
        operation_id="operator_facilities_units_list",
    )
    def get(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        return paginated_response(request, self, facility.units.all(), OperatorUnitSerializer)

    @extend_schema(
        parameters=[FACILITY_ID],
        request=UnitWriteSerializer,
        responses={201: OperatorUnitSerializer},
        operation_id="operator_facilities_units_create",
        description="Adds a unit with its rules: lodging offers rooms and houses, coworking desks and meeting rooms.",
    )
    def post(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        data = _valid(UnitWriteSerializer, request)
        unit = services.unit_create(facility=facility, **data)
        response = Response(OperatorUnitSerializer(unit).data)
        return created_at(response, request, "operator-unit-detail", unit_id=unit.pk)


class UnitDetailApi(OperatorApi):
    @extend_schema(parameters=[UNIT_ID], responses=OperatorUnitSerializer, operation_id="operator_units_retrieve")
    def get(self, request, unit_id: str):
        return Response(OperatorUnitSerializer(selectors.operator_unit_get(user=request.user, unit_id=unit_id)).data)

    @extend_schema(
        parameters=[UNIT_ID],
        request=UnitWriteSerializer(partial=True),
        responses=OperatorUnitSerializer,
        operation_id="operator_units_partial_update",
        description="Changes the unit's rules; quotes and bookings made afterwards follow them, "
        "bookings already made keep theirs.",
    )
    def patch(self, request, unit_id: str):
        unit = selectors.operator_unit_get(user=request.user, unit_id=unit_id)
        data = _valid(UnitWriteSerializer, request, partial=True)
        return Response(OperatorUnitSerializer(services.unit_update(unit=unit, **data)).data)

    @extend_schema(
        parameters=[UNIT_ID],
        responses={204: None},
        operation_id="operator_units_destroy",
        description="Deletes a unit that was never booked. One with past or cancelled bookings is "
        "deactivated instead; pending or confirmed bookings refuse it (409).",
    )
    def delete(self, request, unit_id: str):
        services.unit_delete(unit=selectors.operator_unit_get(user=request.user, unit_id=unit_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- certificates ----------------------------------------------------------------------------------------------


class CertificationListApi(OperatorApi):
    @extend_schema(
        parameters=[FACILITY_ID],
        responses=page_serializer("OperatorCertificationPage", OperatorCertificationSerializer),
        operation_id="operator_facilities_certifications_list",
    )
    def get(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        return paginated_response(request, self, facility.certifications.all(), OperatorCertificationSerializer)

    @extend_schema(
        parameters=[FACILITY_ID],
        request=CertificationWriteSerializer,
        responses={201: OperatorCertificationSerializer},
        operation_id="operator_facilities_certifications_create",
        description="Records a security certificate: the level must be one of the scheme's and the "
        "validity at most a year.",
    )
    def post(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        data = _valid(CertificationWriteSerializer, request)
        certification = services.certification_create(facility=facility, **data)
        response = Response(OperatorCertificationSerializer(certification).data)
        return created_at(response, request, "operator-certification-detail", certification_id=certification.pk)


class CertificationDetailApi(OperatorApi):
    @extend_schema(
        parameters=[CERTIFICATION_ID],
        responses=OperatorCertificationSerializer,
        operation_id="operator_certifications_retrieve",
    )
    def get(self, request, certification_id: str):
        certification = selectors.operator_certification_get(user=request.user, certification_id=certification_id)
        return Response(OperatorCertificationSerializer(certification).data)

    @extend_schema(
        parameters=[CERTIFICATION_ID],
        request=CertificationWriteSerializer(partial=True),
        responses=OperatorCertificationSerializer,
        operation_id="operator_certifications_partial_update",
    )
    def patch(self, request, certification_id: str):
        certification = selectors.operator_certification_get(user=request.user, certification_id=certification_id)
        data = _valid(CertificationWriteSerializer, request, partial=True)
        certification = services.certification_update(certification=certification, **data)
        return Response(OperatorCertificationSerializer(certification).data)

    @extend_schema(parameters=[CERTIFICATION_ID], responses={204: None}, operation_id="operator_certifications_destroy")
    def delete(self, request, certification_id: str):
        certification = selectors.operator_certification_get(user=request.user, certification_id=certification_id)
        services.certification_delete(certification=certification)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- photos ----------------------------------------------------------------------------------------------------


class PhotoListApi(OperatorApi):
    @extend_schema(
        parameters=[FACILITY_ID],
        responses=page_serializer("OperatorPhotoPage", OperatorPhotoSerializer),
        operation_id="operator_facilities_photos_list",
    )
    def get(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        return paginated_response(request, self, facility.photos.all(), OperatorPhotoSerializer)

    @extend_schema(
        parameters=[FACILITY_ID],
        request=PhotoWriteSerializer,
        responses={201: OperatorPhotoSerializer},
        operation_id="operator_facilities_photos_create",
        description="Adds a photo by URL; `position` orders them (the first is the list's picture).",
    )
    def post(self, request, facility_id: str):
        facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
        data = _valid(PhotoWriteSerializer, request)
        photo = services.photo_create(facility=facility, **data)
        response = Response(OperatorPhotoSerializer(photo).data)
        return created_at(response, request, "operator-photo-detail", photo_id=photo.pk)


class PhotoDetailApi(OperatorApi):
    @extend_schema(parameters=[PHOTO_ID], responses=OperatorPhotoSerializer, operation_id="operator_photos_retrieve")
    def get(self, request, photo_id: str):
        return Response(
            OperatorPhotoSerializer(selectors.operator_photo_get(user=request.user, photo_id=photo_id)).data
        )

    @extend_schema(
        parameters=[PHOTO_ID],
        request=PhotoWriteSerializer(partial=True),
        responses=OperatorPhotoSerializer,
        operation_id="operator_photos_partial_update",
    )
    def patch(self, request, photo_id: str):
        photo = selectors.operator_photo_get(user=request.user, photo_id=photo_id)
        data = _valid(PhotoWriteSerializer, request, partial=True)
        return Response(OperatorPhotoSerializer(services.photo_update(photo=photo, **data)).data)

    @extend_schema(parameters=[PHOTO_ID], responses={204: None}, operation_id="operator_photos_destroy")
    def delete(self, request, photo_id: str):
        services.photo_delete(photo=selectors.operator_photo_get(user=request.user, photo_id=photo_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- geocoding -------------------------------------------------------------------------------------------------


class GeocodeApi(OperatorApi):
    @extend_schema(
        request=AddressSerializer,
        responses=GeocodeResultSerializer,
        operation_id="operator_geocode",
        summary="Geocode an address",
        description="Coordinates for an address, to fill in a facility's latitude and longitude (via "
        "Nominatim: at most one request a second across the service, results cached). "
        "422 when nothing matches; 503 when the geocoder is not answering.",
    )
    def post(self, request):
        data = _valid(AddressSerializer, request)
        try:
            place = geocoding.geocode(data["address"])
        except geocoding.GeocodingUnavailable as exc:
            raise ServiceUnavailable() from exc
        if place is None:
            raise AddressNotFound(fields={"address": [str(AddressNotFound.default_message)]})
        return Response(GeocodeResultSerializer(place).data)
