"""Thin API views of consultations: staff publish slots and mark attendance; visitors book and cancel."""

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsMunicipalStaff, IsVisitor, IsVisitorOrStaff
from backend.locations import created_at
from backend.pagination import StandardPagination

from . import selectors, services
from .models import Consultation
from .serializers import (
    ConsultationCancelSerializer,
    ConsultationCreateSerializer,
    ConsultationListFilterSerializer,
    ConsultationPageSerializer,
    ConsultationSerializer,
    SlotListFilterSerializer,
    SlotPageSerializer,
    SlotSerializer,
    SlotWriteSerializer,
)

SLOT_ID = OpenApiParameter("slot_id", OpenApiTypes.INT, OpenApiParameter.PATH)
CONSULTATION_ID = OpenApiParameter("consultation_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _language() -> str:
    return (get_language() or "ja")[:2]


class SlotListApi(APIView):
    def get_permissions(self):
        return [IsMunicipalStaff()] if self.request.method == "POST" else [IsVisitorOrStaff()]

    @extend_schema(
        parameters=[SlotListFilterSerializer],
        responses=SlotPageSerializer,
        operation_id="consultation_slots_list",
        description="Staff: every slot of their town. Visitors: future slots with a free place "
        "(`municipality` narrows them to one town). `date_from`, `date_to` (the start's date, Japan time) and "
        "`mode` narrow either.",
    )
    def get(self, request):
        filters = SlotListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        query = filters.validated_data
        code = query.get("municipality")
        municipality = selectors.municipality_by_code(code=code) if code else None
        slots = selectors.slots_for(
            user=request.user,
            municipality=municipality,
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
            mode=query.get("mode"),
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(slots, request, view=self)
        context = {"show_meeting_url": request.user.is_municipal_staff}
        return paginator.get_paginated_response(SlotSerializer(page, many=True, context=context).data)

    @extend_schema(
        request=SlotWriteSerializer,
        responses={201: SlotSerializer},
        operation_id="consultation_slots_create",
        description="Publishes a slot of the staff member's town.",
    )
    def post(self, request):
        serializer = SlotWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slot = services.slot_create(staff=request.user, **serializer.validated_data)
        slot = selectors.staff_slot_get(staff=request.user, slot_id=slot.id)
        response = Response(SlotSerializer(slot, context={"show_meeting_url": True}).data)
        return created_at(response, request, "consultation-slot-detail", slot_id=slot.pk)


class SlotDetailApi(APIView):
    permission_classes = [IsMunicipalStaff]

    @extend_schema(parameters=[SLOT_ID], responses=SlotSerializer, operation_id="consultation_slots_retrieve")
    def get(self, request, slot_id: str):
        slot = selectors.staff_slot_get(staff=request.user, slot_id=slot_id)
        return Response(SlotSerializer(slot, context={"show_meeting_url": True}).data)

    @extend_schema(
        parameters=[SLOT_ID],
        request=SlotWriteSerializer(partial=True),
        responses=SlotSerializer,
        operation_id="consultation_slots_partial_update",
        description="Changes the fields sent; the capacity cannot go below what is booked.",
    )
    def patch(self, request, slot_id: str):
        slot = selectors.staff_slot_get(staff=request.user, slot_id=slot_id)
        serializer = SlotWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {key: value for key, value in serializer.validated_data.items() if key in request.data}
        slot = services.slot_update(slot=slot, **changes)
        slot = selectors.staff_slot_get(staff=request.user, slot_id=slot.id)
        return Response(SlotSerializer(slot, context={"show_meeting_url": True}).data)

    @extend_schema(
        parameters=[SLOT_ID],
        responses={204: None},
        operation_id="consultation_slots_destroy",
        description="Removes a slot nobody has booked; one with consultations is a 409 "
        "`slot_has_consultations` (cancel them first, with a reason).",
    )
    def delete(self, request, slot_id: str):
        services.slot_delete(slot=selectors.staff_slot_get(staff=request.user, slot_id=slot_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsultationListApi(APIView):
    def get_permissions(self):
        return [IsVisitor()] if self.request.method == "POST" else [IsVisitorOrStaff()]

    @extend_schema(
        parameters=[ConsultationListFilterSerializer],
        responses=ConsultationPageSerializer,
        operation_id="consultations_list",
        description="A visitor's own consultations; staff's town's; `status`, `date_from` and `date_to` narrow them.",
    )
    def get(self, request):
        filters = ConsultationListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        query = filters.validated_data
        consultations = selectors.consultations_for(
            user=request.user,
            status=query.get("status"),
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(consultations, request, view=self)
        return paginator.get_paginated_response(
            ConsultationSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=ConsultationCreateSerializer,
        responses={201: ConsultationSerializer},
        operation_id="consultations_create",
        description="Books a place in a slot: 409 `slot_full`, `slot_in_past` or `consultation_already_booked`.",
    )
    def post(self, request):
        serializer = ConsultationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slot = selectors.slot_bookable(slot_id=serializer.validated_data["slot"])
        consultation = services.consultation_book(visitor=request.user, slot=slot, language=_language())
        consultation = selectors.consultation_get(user=request.user, consultation_id=consultation.id)
        response = Response(ConsultationSerializer(consultation, context={"request": request}).data)
        return created_at(response, request, "consultation-detail", consultation_id=consultation.pk)


class ConsultationDetailApi(APIView):
    permission_classes = [IsVisitorOrStaff]

    @extend_schema(
        parameters=[CONSULTATION_ID], responses=ConsultationSerializer, operation_id="consultations_retrieve"
    )
    def get(self, request, consultation_id: str):
        consultation = selectors.consultation_get(user=request.user, consultation_id=consultation_id)
        return Response(ConsultationSerializer(consultation, context={"request": request}).data)


class ConsultationCancelApi(APIView):
    permission_classes = [IsVisitorOrStaff]

    @extend_schema(
        parameters=[CONSULTATION_ID],
        request=ConsultationCancelSerializer,
        responses=ConsultationSerializer,
        operation_id="consultations_cancel",
        description="The visitor, before it starts; staff at any time, with a `reason` sent to the visitor.",
    )
    def post(self, request, consultation_id: str):
        consultation = selectors.consultation_get(user=request.user, consultation_id=consultation_id)
        serializer = ConsultationCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consultation = services.consultation_cancel(
            consultation=consultation, by=request.user, reason=serializer.validated_data["reason"].strip()
        )
        consultation = selectors.consultation_get(user=request.user, consultation_id=consultation.id)
        return Response(ConsultationSerializer(consultation, context={"request": request}).data)


class _MarkApi(APIView):
    permission_classes = [IsMunicipalStaff]
    mark_status = ""

    def post(self, request, consultation_id: str):
        consultation = selectors.consultation_get(user=request.user, consultation_id=consultation_id)
        consultation = services.consultation_mark(consultation=consultation, by=request.user, status=self.mark_status)
        consultation = selectors.consultation_get(user=request.user, consultation_id=consultation.id)
        return Response(ConsultationSerializer(consultation, context={"request": request}).data)


class ConsultationAttendedApi(_MarkApi):
    mark_status = Consultation.Status.ATTENDED

    @extend_schema(
        parameters=[CONSULTATION_ID],
        request=None,
        responses=ConsultationSerializer,
        operation_id="consultations_attended",
    )
    def post(self, request, consultation_id: str):
        return super().post(request, consultation_id)


class ConsultationMissedApi(_MarkApi):
    mark_status = Consultation.Status.MISSED

    @extend_schema(
        parameters=[CONSULTATION_ID],
        request=None,
        responses=ConsultationSerializer,
        operation_id="consultations_missed",
    )
    def post(self, request, consultation_id: str):
        return super().post(request, consultation_id)
