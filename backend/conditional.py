"""Conditional GETs for polling clients: an answer carries a strong ETag of its body, and a request whose
If-None-Match holds it gets 304 Not Modified without the body.

The tag is a hash of the rendered body, so it changes whenever anything shown changes, including what is computed
on reading (a booking's estimates move when the household books another stay), and never otherwise."""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.response import Response

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the copy the client holds: 304 without a body while it is current.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="Version of this answer, for If-None-Match.",
)
CONDITIONAL_PARAMETERS = [IF_NONE_MATCH, ETAG]
NOT_MODIFIED = OpenApiResponse(description="Not modified: the copy whose ETag was sent is current.")


def body_etag(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


class ConditionalGetMixin:
    """For an APIView: its successful GETs answer with an ETag and honour If-None-Match."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()
        etag = body_etag(response.content)
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return get_conditional_response(request, etag=etag, response=response)
