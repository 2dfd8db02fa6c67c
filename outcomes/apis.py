"""Thin API views: a booking's after-stay survey, the answers and figures staff read, and moves."""

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsMunicipalStaff, IsOperator, IsVisitor, IsVisitorOrStaff
from backend.errors import DomainError
from backend.pagination import StandardPagination
from backend.replica import replica_reads
from facilities.selectors import operator_facility_get
from reimbursements.programme_selectors import programme_get_for_staff

from . import exports, selectors, services
from .facility_kpis import facility_kpis
from .serializers import (
    FacilityKpiFilterSerializer,
    FacilityKpiSerializer,
    KpiFilterSerializer,
    KpiSerializer,
    MoveCreateSerializer,
    MovePageSerializer,
    MoveSerializer,
    ProgrammeFilterSerializer,
    SurveyAnswerSerializer,
    SurveyPageSerializer,
    SurveySerializer,
)

BOOKING_ID = OpenApiParameter("booking_id", OpenApiTypes.INT, OpenApiParameter.PATH)
MOVE_ID = OpenApiParameter("move_id", OpenApiTypes.INT, OpenApiParameter.PATH)
FACILITY_ID = OpenApiParameter("facility_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class BookingSurveyApi(APIView):
    def get_permissions(self):
        return [IsVisitor()] if self.request.method == "POST" else [IsVisitorOrStaff()]

    @extend_schema(
        parameters=[BOOKING_ID],
        responses=SurveySerializer,
        operation_id="bookings_survey_retrieve",
        description="The booking's survey answer, for its visitor and its town's staff; 404 "
        "`survey_not_found` while unanswered.",
    )
    def get(self, request, booking_id: int):
        return Response(SurveySerializer(selectors.survey_get(user=request.user, booking_id=booking_id)).data)

    @extend_schema(
        parameters=[BOOKING_ID],
        request=SurveyAnswerSerializer,
        responses={201: SurveySerializer},
        operation_id="bookings_survey_create",
        description="The visitor answers once, from check-out day on: 409 `stay_not_finished` before, "
        "`survey_already_answered` the second time, `booking_cancelled` for a cancelled "
        "booking.",
    )
    def post(self, request, booking_id: int):
        booking = selectors.booking_of_visitor(user=request.user, booking_id=booking_id)
        data = _valid(SurveyAnswerSerializer, request.data)
        language = data.pop("language", None) or (translation.get_language() or "ja")[:2]
        survey = services.survey_answer(booking=booking, language="en" if language == "en" else "ja", **data)
        return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)


class SurveyListApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[ProgrammeFilterSerializer],
        responses=SurveyPageSerializer,
        operation_id="surveys_list",
        description="The answers about the bookings of one of the staff member's town's programmes "
        "(in its town, checking in within its window).",
    )
    def get(self, request):
        filters = _valid(ProgrammeFilterSerializer, request.query_params)
        programme = programme_get_for_staff(user=request.user, code=filters["programme"])
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.survey_list_for_programme(programme=programme), request, view=self)
        return paginator.get_paginated_response(SurveySerializer(page, many=True).data)


class MoveListApi(APIView):
    permission_classes = [IsVisitorOrStaff]

    @extend_schema(
        responses=MovePageSerializer,
        operation_id="moves_list",
        description="A visitor's own moves; a staff member's town's.",
    )
    def get(self, request):
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.move_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(MoveSerializer(page, many=True).data)

    @extend_schema(
        request=MoveCreateSerializer,
        responses={201: MoveSerializer},
        operation_id="moves_create",
        description="A visitor reports a move (`moved_on`, `municipality_code`), to be confirmed by the "
        "town's staff; staff record one to their town for a `visitor` (id or email), "
        "confirmed at once.",
    )
    def post(self, request):
        data = _valid(MoveCreateSerializer, request.data)
        if request.user.is_visitor:
            if not data.get("municipality_code"):
                message = _("This field is required.")
                raise DomainError(message, code="invalid", fields={"municipality_code": [message]})
            move = services.move_report(
                visitor=request.user, moved_on=data["moved_on"], municipality_code=data["municipality_code"]
            )
        else:
            if not data.get("visitor"):
                message = _("This field is required.")
                raise DomainError(message, code="invalid", fields={"visitor": [message]})
            move = services.move_record(
                staff=request.user,
                visitor=data["visitor"],
                moved_on=data["moved_on"],
                municipality_code=data.get("municipality_code"),
            )
        return Response(
            MoveSerializer(selectors.move_list(user=request.user).get(id=move.id)).data, status=status.HTTP_201_CREATED
        )


class MoveConfirmApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[MOVE_ID],
        request=None,
        responses=MoveSerializer,
        operation_id="moves_confirm",
        description="The town's staff confirm a reported move; another town's is 404.",
    )
    def post(self, request, move_id: int):
        move = selectors.move_get_for_staff(user=request.user, move_id=move_id)
        services.move_confirm(move=move, staff=request.user)
        return Response(MoveSerializer(selectors.move_get_for_staff(user=request.user, move_id=move.id)).data)


def _kpis(request) -> dict:
    filters = _valid(KpiFilterSerializer, request.query_params)
    programme = programme_get_for_staff(user=request.user, code=filters["programme"])
    fiscal_year = filters.get("fiscal_year")
    if fiscal_year is not None and fiscal_year not in selectors.fiscal_years_of(programme):
        message = _("The programme has no fiscal year %(year)s.") % {"year": fiscal_year}
        raise DomainError(message, code="invalid", fields={"fiscal_year": [message]})
    return selectors.programme_kpis(programme=programme, fiscal_year=fiscal_year)


class KpiApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[KpiFilterSerializer],
        responses=KpiSerializer,
        operation_id="kpis_retrieve",
        description="The figures a town reports for one of its programmes, per fiscal year.",
    )
    @replica_reads
    def get(self, request):
        return Response(KpiSerializer(_kpis(request)).data)


class KpiExportApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[KpiFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="UTF-8 CSV with a BOM, one row per fiscal year."
            )
        },
        operation_id="kpis_export",
    )
    @replica_reads
    def get(self, request):
        kpis = _kpis(request)
        response = HttpResponse(exports.kpis_csv(kpis), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="kpis-{kpis["programme"]}.csv"'
        return response


class FacilityKpiApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[FACILITY_ID, FacilityKpiFilterSerializer],
        responses=FacilityKpiSerializer,
        operation_id="operator_facilities_kpis_retrieve",
        description="One of the operator's facilities, month by month: active members of its plans (on each "
        "month's last day), who joined and left, and the occupancy of its units booked by the hour (booked over "
        "open minutes). By default the last twelve months.",
    )
    @replica_reads
    def get(self, request, facility_id: str):
        facility = operator_facility_get(user=request.user, facility_id=facility_id)
        period = _valid(FacilityKpiFilterSerializer, request.query_params)
        kpis = facility_kpis(facility=facility, first_month=period["from"], last_month=period["to"])
        return Response(FacilityKpiSerializer(kpis).data)
