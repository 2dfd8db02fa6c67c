"""How the quotes' and bookings' `reimbursement` looks in the OpenAPI schema: the bookings app only names the
field."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from .serializers import ReimbursementEstimateSerializer


class ReimbursementFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "bookings.serializers.ReimbursementField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return auto_schema.resolve_serializer(ReimbursementEstimateSerializer, direction).ref


class ReimbursementListFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "bookings.serializers.ReimbursementListField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "array",
            "items": auto_schema.resolve_serializer(ReimbursementEstimateSerializer, direction).ref,
        }
