"""Thin API views: the estimate of a booking and the claim workflow (programmes: programme_apis.py)."""

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsMunicipalStaff, IsVisitor, IsVisitorOrStaff
from backend.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, ConditionalGetMixin
from backend.locations import created_at
from backend.pagination import StandardPagination, page_serializer, paginated_response

from . import claim_filters, estimates, exports, selectors, services
from .estimates.loader import visitor_booking
from .receipts import RECEIPT_TYPES, receipt_file
from .serializers import (
    ClaimCreateSerializer,
    ClaimEventSerializer,
    ClaimExportFilterSerializer,
    ClaimListFilterSerializer,
    ClaimPageSerializer,
    ClaimSerializer,
    ExpenseLineCreateSerializer,
    ExpenseLineSerializer,
    ReasonSerializer,
    ReimbursementEstimateSerializer,
)
from .services import claim_create, monthly_claim_create

# Paths match any string (see urls.py); the schema still documents the ids as integers.
CLAIM_ID = OpenApiParameter("claim_id", OpenApiTypes.INT, OpenApiParameter.PATH)
LINE_ID = OpenApiParameter("line_id", OpenApiTypes.INT, OpenApiParameter.PATH)
BOOKING_ID = OpenApiParameter("booking_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class BookingEstimateApi(APIView):
    """The estimate of one of the visitor's bookings, also carried by the booking itself."""

    permission_classes = [IsVisitor]

    @extend_schema(
        parameters=[BOOKING_ID],
        responses=ReimbursementEstimateSerializer,
        operation_id="reimbursement_estimate_retrieve",
    )
    def get(self, request, booking_id: int):
        booking = visitor_booking(visitor=request.user, booking_id=booking_id)
        estimate = estimates.compute(bookings=[booking]).bookings[booking.id]["reimbursement"]
        return Response(ReimbursementEstimateSerializer(estimate).data)


class ClaimListApi(ConditionalGetMixin, APIView):
    permission_classes = [IsVisitorOrStaff]

    def get_permissions(self):
        return [IsVisitor()] if self.request.method == "POST" else [IsVisitorOrStaff()]

    @extend_schema(
        parameters=[ClaimListFilterSerializer, *CONDITIONAL_PARAMETERS],
        responses={200: ClaimPageSerializer, 304: NOT_MODIFIED},
        operation_id="claims_list",
        description="A visitor's claims; staff's town's (drafts aside). `status`, `programme`, `booking`, `month` "
        "(a monthly programme's queue) and the stay's dates narrow them; `updated_since` keeps those changed since, "
        "with `removed`.",
    )
    def get(self, request):
        filters = ClaimListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        query = filters.validated_data
        narrowing = {key: query.get(key) for key in ("programme", "booking", "month", "date_from", "date_to")}
        visible = selectors.claim_list(user=request.user)
        claims = claim_filters.claims_narrowed(
            selectors.claim_list(user=request.user, status=query.get("status")), **narrowing
        )
        since = query.get("updated_since")
        if since is not None:
            claims = claim_filters.claims_changed_since(claims, since)
        paginator = StandardPagination()
        page = selectors.claims_with_current_figures(paginator.paginate_queryset(claims, request, view=self))
        claim_filters.with_booking_summaries(page)
        response = paginator.get_paginated_response(ClaimSerializer(page, many=True).data)
        filtered = bool(query.get("status")) or any(narrowing.values())
        response.data["removed"] = (
            claim_filters.claims_removed_since(visible, claims, since) if since is not None and filtered else []
        )
        return response

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer}, operation_id="claims_create")
    def post(self, request):
        serializer = ClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "month" in data:
            claim = monthly_claim_create(visitor=request.user, programme=data["programme"], month=data["month"])
        else:
            claim = claim_create(visitor=request.user, booking_id=data["booking"], programme=data.get("programme"))
        return created_at(_claim_response(request, claim.id), request, "claim-detail", claim_id=claim.id)


def _claim_response(request, claim_id: int) -> Response:
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    claims = claim_filters.with_booking_summaries(selectors.claims_with_current_figures([claim]))
    return Response(ClaimSerializer(claims[0]).data)


class ClaimDetailApi(ConditionalGetMixin, APIView):
    permission_classes = [IsVisitorOrStaff]

    @extend_schema(
        parameters=[CLAIM_ID, *CONDITIONAL_PARAMETERS],
        responses={200: ClaimSerializer, 304: NOT_MODIFIED},
        operation_id="claims_retrieve",
    )
    def get(self, request, claim_id: int):
        return _claim_response(request, claim_id)


class ClaimLineCreateApi(APIView):
    permission_classes = [IsVisitor]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[
            CLAIM_ID,
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="URL of the new line.",
            ),
        ],
        request={"multipart/form-data": ExpenseLineCreateSerializer},
        responses={201: ExpenseLineSerializer},
        operation_id="claims_lines_create",
    )
    def post(self, request, claim_id: int):
        claim = selectors.claim_get(user=request.user, claim_id=claim_id)
        serializer = ExpenseLineCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.expense_line_add(claim=claim, **serializer.validated_data)
        # Re-read: the claim's totals were recomputed after the line was written, its reimbursable share with them.
        line = selectors.claim_line_get(claim=claim, line_id=line.id)
        location = request.build_absolute_uri(
            reverse("claim-line-delete", kwargs={"claim_id": claim.id, "line_id": line.id})
        )
        return Response(
            ExpenseLineSerializer(line).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class ClaimLineDeleteApi(APIView):
    permission_classes = [IsVisitor]

    @extend_schema(
        parameters=[CLAIM_ID, LINE_ID],
        request=None,
        responses={200: ClaimSerializer},
        operation_id="claims_lines_delete",
    )
    def delete(self, request, claim_id: int, line_id: int):
        claim = selectors.claim_get(user=request.user, claim_id=claim_id)
        services.expense_line_delete(claim=claim, line_id=line_id)
        return _claim_response(request, claim_id)


class ClaimLineReceiptApi(APIView):
    """The receipt file of one expense line, for the visitor who filed it and the staff who review it, or for
    anyone holding the line's signed link (`receipt_url`, short-lived: an image component sends no token)."""

    def get_permissions(self):
        return [AllowAny()] if "signature" in self.request.query_params else [IsVisitorOrStaff()]

    @extend_schema(
        parameters=[
            CLAIM_ID,
            LINE_ID,
            OpenApiParameter(
                "signature",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="From the line's `receipt_url`: no credentials needed while it is valid (5 to 10 minutes).",
            ),
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='`inline; filename="..."`: the file name the visitor uploaded.',
            ),
        ],
        responses={
            (200, content_type): OpenApiResponse(response=OpenApiTypes.BINARY, description="The receipt")
            for content_type in sorted(set(RECEIPT_TYPES.values()))
        },
        operation_id="claims_lines_receipt_retrieve",
    )
    def get(self, request, claim_id: int, line_id: int):
        signature = request.query_params.get("signature")
        if signature is not None:
            line = claim_filters.receipt_line_signed(claim_id=claim_id, line_id=line_id, signature=signature)
        else:
            claim = selectors.claim_get(user=request.user, claim_id=claim_id)
            line = selectors.claim_line_get(claim=claim, line_id=line_id)
        file, content_type, name = receipt_file(line)
        return FileResponse(file, content_type=content_type, filename=name)


class ClaimLineDisallowApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[CLAIM_ID, LINE_ID],
        request=ReasonSerializer,
        responses=ClaimSerializer,
        operation_id="claims_lines_disallow",
    )
    def post(self, request, claim_id: int, line_id: int):
        claim = selectors.claim_get(user=request.user, claim_id=claim_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.expense_line_disallow(claim=claim, line_id=line_id, actor=request.user, **serializer.validated_data)
        return _claim_response(request, claim_id)


def _action_api(service, *, permission, operation_id: str, with_reason: bool = False, read_again: bool = True):
    """A POST endpoint that moves a claim to its next status through one service. With `read_again` false, the
    answer is the claim the service returns, which then holds everything the answer shows."""

    class ActionApi(APIView):
        permission_classes = [permission]

        @extend_schema(
            parameters=[CLAIM_ID],
            request=ReasonSerializer if with_reason else None,
            responses=ClaimSerializer,
            operation_id=operation_id,
        )
        def post(self, request, claim_id: int):
            claim = selectors.claim_to_change(user=request.user, claim_id=claim_id)
            kwargs = {}
            if with_reason:
                serializer = ReasonSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                kwargs = serializer.validated_data
            changed = service(claim=claim, actor=request.user, **kwargs)
            if not read_again:
                return Response(ClaimSerializer(claim_filters.with_booking_summaries([changed])[0]).data)
            return _claim_response(request, claim_id)

    ActionApi.__name__ = ActionApi.__qualname__ = "".join(p.title() for p in operation_id.split("_")) + "Api"
    return ActionApi


# A submitted claim answers with its snapshot of the claimant, its frozen days and its lines' figures, all of which
# the submission has in hand.
ClaimSubmitApi = _action_api(
    services.claim_submit, permission=IsVisitor, operation_id="claims_submit", read_again=False
)
ClaimWithdrawApi = _action_api(services.claim_withdraw, permission=IsVisitor, operation_id="claims_withdraw")
ClaimApproveApi = _action_api(services.claim_approve, permission=IsMunicipalStaff, operation_id="claims_approve")
ClaimRejectApi = _action_api(
    services.claim_reject, permission=IsMunicipalStaff, operation_id="claims_reject", with_reason=True
)
ClaimApplyApi = _action_api(services.claim_apply, permission=IsVisitor, operation_id="claims_apply")
ClaimGrantApi = _action_api(services.claim_grant, permission=IsMunicipalStaff, operation_id="claims_grant")
ClaimRefuseApi = _action_api(
    services.claim_refuse, permission=IsMunicipalStaff, operation_id="claims_refuse", with_reason=True
)
ClaimMarkPaidApi = _action_api(services.claim_mark_paid, permission=IsMunicipalStaff, operation_id="claims_mark_paid")


class ClaimEventListApi(APIView):
    permission_classes = [IsVisitorOrStaff]

    @extend_schema(
        parameters=[CLAIM_ID],
        responses=page_serializer("ClaimEventPage", ClaimEventSerializer),
        operation_id="claims_events_list",
    )
    def get(self, request, claim_id: int):
        claim = selectors.claim_get(user=request.user, claim_id=claim_id)
        return paginated_response(request, self, selectors.claim_events(claim=claim), ClaimEventSerializer)


class ClaimExportApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(
        parameters=[ClaimExportFilterSerializer],
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="UTF-8 CSV with BOM")},
        operation_id="claims_export_csv",
    )
    def get(self, request):
        filters = ClaimExportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data.get("status")
        year = filters.validated_data.get("fiscal_year")
        response = StreamingHttpResponse(
            exports.claims_csv_lines(user=request.user, status=wanted, fiscal_year=year),
            content_type="text/csv; charset=utf-8",
        )
        name = exports.file_name(status=wanted, fiscal_year=year)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
