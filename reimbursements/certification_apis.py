"""Certifications (認定) of monthly programmes: a visitor applies after the move and follows the months; the town's
staff approve or refuse."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsMunicipalStaff, IsVisitor, IsVisitorOrStaff
from backend.locations import created_at
from backend.pagination import page_serializer, paginated_response

from .certification_selectors import certification_get, certification_list, certification_months
from .certification_serializers import (
    DecisionSerializer,
    ProgrammeCertificationCreateSerializer,
    ProgrammeCertificationDetailSerializer,
    ProgrammeCertificationFilterSerializer,
    ProgrammeCertificationSerializer,
)
from .certification_services import certification_apply, certification_approve, certification_refuse
from .serializers import ReasonSerializer

CERTIFICATION_ID = OpenApiParameter("certification_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _detail(request, certification_id) -> Response:
    certification = certification_get(user=request.user, certification_id=certification_id)
    for name, value in certification_months(certification=certification).items():
        setattr(certification, name, value)
    return Response(ProgrammeCertificationDetailSerializer(certification).data)


class CertificationListApi(APIView):
    def get_permissions(self):
        return [IsVisitor()] if self.request.method == "POST" else [IsVisitorOrStaff()]

    @extend_schema(
        parameters=[ProgrammeCertificationFilterSerializer],
        responses=page_serializer("ProgrammeCertificationPage", ProgrammeCertificationSerializer),
        operation_id="certifications_list",
        description="A visitor's certifications; staff's town's (`status=pending`: those to decide).",
    )
    def get(self, request):
        filters = ProgrammeCertificationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        certifications = certification_list(user=request.user, status=filters.validated_data.get("status"))
        return paginated_response(request, self, certifications, ProgrammeCertificationSerializer)

    @extend_schema(
        request=ProgrammeCertificationCreateSerializer,
        responses={201: ProgrammeCertificationDetailSerializer},
        operation_id="certifications_create",
        description="Applies for certification under a monthly programme, after the move the town confirmed.",
    )
    def post(self, request):
        serializer = ProgrammeCertificationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certification = certification_apply(visitor=request.user, **serializer.validated_data)
        return created_at(
            _detail(request, certification.id), request, "certification-detail", certification_id=certification.id
        )


class CertificationDetailApi(APIView):
    permission_classes = [IsVisitorOrStaff]

    @extend_schema(
        parameters=[CERTIFICATION_ID],
        responses=ProgrammeCertificationDetailSerializer,
        operation_id="certifications_retrieve",
    )
    def get(self, request, certification_id):
        return _detail(request, certification_id)


class CertificationApproveApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[CERTIFICATION_ID],
        request=DecisionSerializer,
        responses=ProgrammeCertificationDetailSerializer,
        operation_id="certifications_approve",
    )
    def post(self, request, certification_id):
        certification = certification_get(user=request.user, certification_id=certification_id)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certification_approve(
            certification=certification, actor=request.user, reason=serializer.validated_data.get("reason", "")
        )
        return _detail(request, certification_id)


class CertificationRefuseApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[CERTIFICATION_ID],
        request=ReasonSerializer,
        responses=ProgrammeCertificationDetailSerializer,
        operation_id="certifications_refuse",
    )
    def post(self, request, certification_id):
        certification = certification_get(user=request.user, certification_id=certification_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certification_refuse(certification=certification, actor=request.user, **serializer.validated_data)
        return _detail(request, certification_id)
