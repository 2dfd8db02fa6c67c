"""Programmes: anyone reads the active ones; a town's staff create, change, retire and delete their own.

Visitors and operators get 403 on writes; another town's programme is 404 to staff, as if it did not exist."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsMunicipalStaff
from backend.locations import created_at
from backend.pagination import page_serializer, paginated_response

from . import programme_selectors, programme_services
from .errors import ProgrammeHasClaims
from .programme_serializers import ProgrammeSerializer, ProgrammeWriteSerializer


def _valid(request, partial=False) -> dict:
    serializer = ProgrammeWriteSerializer(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _programme_response(request, code: str, status_code=status.HTTP_200_OK) -> Response:
    programme = programme_selectors.programme_get_visible(user=request.user, code=code)
    return Response(ProgrammeSerializer(programme).data, status=status_code)


class ProgrammeWriteMixin:
    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsMunicipalStaff()]


class ProgrammeListApi(ProgrammeWriteMixin, APIView):
    @extend_schema(
        responses=page_serializer("ProgrammePage", ProgrammeSerializer),
        operation_id="programmes_list",
        description="Active programmes; a town's staff also see their town's retired ones.",
    )
    def get(self, request):
        programmes = programme_selectors.programme_list_visible(user=request.user)
        return paginated_response(request, self, programmes, ProgrammeSerializer)

    @extend_schema(
        request=ProgrammeWriteSerializer,
        responses={201: ProgrammeSerializer},
        operation_id="programmes_create",
        description="Municipal staff add a programme of their own town, with its categories.",
    )
    def post(self, request):
        data = _valid(request)
        programme = programme_services.programme_create(municipality=request.user.municipality, **data)
        response = _programme_response(request, programme.code)
        return created_at(response, request, "programme-detail", code=programme.code)


class ProgrammeDetailApi(ProgrammeWriteMixin, APIView):
    @extend_schema(responses=ProgrammeSerializer, operation_id="programmes_retrieve")
    def get(self, request, code: str):
        return _programme_response(request, code)

    @extend_schema(
        request=ProgrammeWriteSerializer(partial=True),
        responses=ProgrammeSerializer,
        operation_id="programmes_partial_update",
        description="Changes the given fields; `categories` replaces the set. `is_active` false retires "
        "the programme. Submitted claims keep their figures.",
    )
    def patch(self, request, code: str):
        programme = programme_selectors.programme_get_for_staff(user=request.user, code=code)
        data = _valid(request, partial=True)
        programme = programme_services.programme_update(programme=programme, **data)
        return _programme_response(request, programme.code)

    @extend_schema(
        responses={204: None},
        operation_id="programmes_destroy",
        description="Deletes a programme without claims. One with claims is retired instead and the "
        "answer is 409 `programme_has_claims`; its claims stay.",
    )
    def delete(self, request, code: str):
        programme = programme_selectors.programme_get_for_staff(user=request.user, code=code)
        if programme_services.programme_retire_or_delete(programme=programme) is not None:
            raise ProgrammeHasClaims()
        return Response(status=status.HTTP_204_NO_CONTENT)
