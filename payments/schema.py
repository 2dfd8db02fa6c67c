"""How the booking responses' `payment` looks in the OpenAPI schema: the bookings app only names the field."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from .serializers import BookingPaymentSerializer


class BookingPaymentFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "bookings.serializers.BookingPaymentField"

    def map_serializer_field(self, auto_schema, direction):
        return auto_schema.resolve_serializer(BookingPaymentSerializer, direction).ref
