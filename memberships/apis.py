"""Thin API views: operators' plans, the public's plans, visitors' memberships and their credit ledgers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator, IsVisitor, IsVisitorOrOperator
from backend.locations import created_at
from backend.pagination import StandardPagination, page_serializer, paginated_response

from . import selectors, services
from .models import CreditEntry
from .serializers import (
    CreditLedgerSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    OperatorPlanSerializer,
    PlanSerializer,
    PlanWriteSerializer,
)
from .services import membership_cancel, membership_create

FACILITY_ID = OpenApiParameter("facility_id", OpenApiTypes.INT, OpenApiParameter.PATH)
PLAN_ID = OpenApiParameter("plan_id", OpenApiTypes.INT, OpenApiParameter.PATH)
MEMBERSHIP_ID = OpenApiParameter("membership_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _memberships_data(memberships, *, user) -> list:
    memberships = list(memberships)
    balances = {m.id: selectors.credit_balance(membership_id=m.id) for m in memberships}
    context = {"today": selectors.today(), "balances": balances, "visitor_id": user.pk if user.is_visitor else None}
    return list(MembershipSerializer(memberships, many=True, context=context).data)


# --- plans -----------------------------------------------------------------------------------------------------


class OperatorPlanListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[FACILITY_ID],
        responses=page_serializer("OperatorPlanPage", OperatorPlanSerializer),
        operation_id="operator_facilities_plans_list",
    )
    def get(self, request, facility_id: str):
        _facility, plans = selectors.operator_plan_list(user=request.user, facility_id=facility_id)
        return paginated_response(request, self, plans, OperatorPlanSerializer)

    @extend_schema(
        parameters=[FACILITY_ID],
        request=PlanWriteSerializer,
        responses={201: OperatorPlanSerializer},
        operation_id="operator_facilities_plans_create",
        description="A monthly plan of a coworking space.",
    )
    def post(self, request, facility_id: str):
        facility, _plans = selectors.operator_plan_list(user=request.user, facility_id=facility_id)
        serializer = PlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_create(facility=facility, **serializer.validated_data)
        return created_at(Response(OperatorPlanSerializer(plan).data), request, "operator-plan-detail", plan_id=plan.pk)


class OperatorPlanDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(parameters=[PLAN_ID], responses=OperatorPlanSerializer, operation_id="operator_plans_retrieve")
    def get(self, request, plan_id: str):
        return Response(OperatorPlanSerializer(selectors.operator_plan_get(user=request.user, plan_id=plan_id)).data)

    @extend_schema(
        parameters=[PLAN_ID],
        request=PlanWriteSerializer(partial=True),
        responses=OperatorPlanSerializer,
        operation_id="operator_plans_partial_update",
        description="Changes what is booked from now on; `is_active: false` retires the plan.",
    )
    def patch(self, request, plan_id: str):
        plan = selectors.operator_plan_get(user=request.user, plan_id=plan_id)
        serializer = PlanWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(OperatorPlanSerializer(services.plan_update(plan=plan, **serializer.validated_data)).data)


class FacilityPlanListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[FACILITY_ID],
        responses=page_serializer("PlanPage", PlanSerializer),
        operation_id="facilities_plans_list",
    )
    def get(self, request, facility_id: str):
        return paginated_response(request, self, selectors.public_plans(facility_id=facility_id), PlanSerializer)


# --- memberships -----------------------------------------------------------------------------------------------


class MembershipListApi(APIView):
    def get_permissions(self):
        return [IsVisitor()] if self.request.method == "POST" else [IsVisitorOrOperator()]

    @extend_schema(
        responses=page_serializer("MembershipPage", MembershipSerializer),
        operation_id="memberships_list",
        description="A visitor's own memberships; an operator's facilities' members.",
    )
    def get(self, request):
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.membership_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(_memberships_data(page, user=request.user))

    @extend_schema(
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer},
        operation_id="memberships_create",
        description=(
            "Joins a plan from today; its cycles roll from today's date. Paid on site: active at once. With Stripe "
            "configured: a card subscription, `incomplete` (covering nothing) until its first invoice is paid with "
            "`client_secret`; 503 `membership_billing_unavailable` when Stripe cannot be reached (nothing kept)."
        ),
    )
    def post(self, request):
        serializer = MembershipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = selectors.plan_joinable(plan_id=serializer.validated_data["plan"])
        membership = membership_create(visitor=request.user, plan=plan)
        response = Response(_memberships_data([membership], user=request.user)[0])
        return created_at(response, request, "membership-detail", membership_id=membership.pk)


class MembershipDetailApi(APIView):
    permission_classes = [IsVisitorOrOperator]

    @extend_schema(parameters=[MEMBERSHIP_ID], responses=MembershipSerializer, operation_id="memberships_retrieve")
    def get(self, request, membership_id: str):
        return Response(
            _memberships_data(
                [selectors.membership_get(user=request.user, membership_id=membership_id)], user=request.user
            )[0]
        )


class MembershipCancelApi(APIView):
    permission_classes = [IsVisitor]

    @extend_schema(
        parameters=[MEMBERSHIP_ID],
        request=None,
        responses=MembershipSerializer,
        operation_id="memberships_cancel",
        description=(
            "Gives notice: the membership runs until today plus the plan's notice days, then ends; by card, its "
            "subscription is set to end after that day (503 `membership_billing_unavailable`: nothing changed)."
        ),
    )
    def post(self, request, membership_id: str):
        membership = selectors.membership_get(user=request.user, membership_id=membership_id)
        return Response(_memberships_data([membership_cancel(membership=membership)], user=request.user)[0])


class CreditLedgerApi(APIView):
    permission_classes = [IsVisitorOrOperator]

    @extend_schema(
        parameters=[MEMBERSHIP_ID],
        responses=CreditLedgerSerializer,
        operation_id="memberships_credits_retrieve",
        description="The membership's room credit, in minutes: every grant, use, refund and expiry, oldest first.",
    )
    def get(self, request, membership_id: str):
        membership = selectors.membership_get(user=request.user, membership_id=membership_id)
        balance = services.credits_renew(membership_id=membership.id)
        entries = list(selectors.credit_entries(membership=membership))
        totals = {kind: sum(e.minutes for e in entries if e.kind == kind) for kind in CreditEntry.Kind.values}
        data = {
            "membership": membership.id,
            "balance_minutes": balance,
            "granted_minutes": totals[CreditEntry.Kind.GRANT],
            "used_minutes": totals[CreditEntry.Kind.USE],
            "refunded_minutes": totals[CreditEntry.Kind.REFUND],
            "expired_minutes": totals[CreditEntry.Kind.EXPIRY],
            "entries": entries,
        }
        return Response(CreditLedgerSerializer(data).data)
