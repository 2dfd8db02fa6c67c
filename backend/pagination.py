"""Page-number pagination with count/next/previous/results, shared by every list endpoint."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(request, view, items, serializer_class, **serializer_kwargs) -> Response:
    """One page of `items` (an ordered queryset or a sequence), each serialised by `serializer_class`."""
    paginator = StandardPagination()
    page = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, **serializer_kwargs).data)


def page_serializer(name: str, results):
    """For the schema: a serializer class named `name` describing one page of `results` (a serializer class)."""
    from rest_framework import serializers

    return type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": f"One page of {results.__name__.removesuffix('Serializer')} results, as StandardPagination "
            "returns it.",
            "__module__": results.__module__,
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": results(many=True),
        },
    )
