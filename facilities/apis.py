"""Public catalogue API: search facilities by place, distance, kind, party, amenities, dates and certification."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from backend.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, ConditionalGetMixin
from backend.pagination import StandardPagination, page_serializer, paginated_response
from backend.replica import replica_reads

from . import selectors
from .serializers import (
    FacilityDetailSerializer,
    FacilityListSerializer,
    FacilityPageSerializer,
    LandmarkQuerySerializer,
    LandmarkSerializer,
    MunicipalityQuerySerializer,
    MunicipalitySerializer,
    SearchQuerySerializer,
)

FACILITY_ID = OpenApiParameter("facility_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _rows_wanted(paginator: StandardPagination, request) -> int:
    """How far into the ranking the requested page reads, so that one query fetches it (a page named otherwise,
    such as `last`, is fetched in a second query once the count is known)."""
    page = request.query_params.get(paginator.page_query_param, "1")
    number = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 6 else 1
    return max(number, 1) * paginator.get_page_size(request)  # type: ignore[operator]  # StandardPagination has a page size


class FacilityListApi(APIView):
    # Public; the app's bearer token (not a browser session) adds a visitor's estimates to a dated search.
    permission_classes = [AllowAny]
    authentication_classes = [JWTAuthentication]

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=FacilityPageSerializer,
        operation_id="facilities_list",
        description="Searches published facilities. With `near` or `near_station` the results carry the geodesic "
        "`distance_km` from that centre and are sorted by it; otherwise they are in catalogue order. "
        "Amenity flags only filter when true.",
    )
    @replica_reads
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paginator = StandardPagination()
        query = params.to_query()
        results = selectors.facility_search(query=query, wanted=_rows_wanted(paginator, request))
        page = paginator.paginate_queryset(results, request, view=self)
        context = {}
        if query.check_in:
            user = request.user
            context["priced_units"] = selectors.priced_units(
                facilities=page,
                query=query,
                party=params.party(),
                visitor=user if user.is_authenticated and user.is_visitor else None,
            )
        return paginator.get_paginated_response(FacilityListSerializer(page, many=True, context=context).data)


class FacilityDetailApi(ConditionalGetMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[FACILITY_ID, *CONDITIONAL_PARAMETERS],
        responses={200: FacilityDetailSerializer, 304: NOT_MODIFIED},
        operation_id="facilities_retrieve",
        description="A published facility with its bookable units, photos and valid certificates.",
    )
    @replica_reads
    def get(self, request, facility_id: str):
        facility = selectors.facility_detail(facility_id=facility_id)
        return Response(FacilityDetailSerializer(facility, context={"request": request}).data)


class MunicipalityListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[MunicipalityQuerySerializer],
        responses=page_serializer("MunicipalityPage", MunicipalitySerializer),
        operation_id="municipalities_list",
        description="Municipalities in the catalogue with their areas (the values of the search filters); `q` "
        "searches them for a picker.",
    )
    @replica_reads
    def get(self, request):
        params = MunicipalityQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        municipalities = selectors.municipality_list(q=params.validated_data.get("q", ""))
        return paginated_response(request, self, municipalities, MunicipalitySerializer)


class LandmarkListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses=page_serializer("StationPage", LandmarkSerializer),
        operation_id="stations_list",
        parameters=[LandmarkQuerySerializer],
        description="Stations and landmarks whose codes `near_station` accepts.",
    )
    @replica_reads
    def get(self, request):
        params = LandmarkQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        landmarks = selectors.landmark_list(municipality=params.validated_data.get("municipality"))
        return paginated_response(request, self, landmarks, LandmarkSerializer)
