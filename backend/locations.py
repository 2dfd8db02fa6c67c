"""The `Location` header of a 201: the absolute URL of what was just created (RFC 9110, section 10.2.2)."""

from django.urls import reverse
from rest_framework.response import Response


def created_at(response: Response, request, url_name: str, **kwargs) -> Response:
    """Marks `response` as a 201 pointing at the named URL, and returns it."""
    response.status_code = 201
    response["Location"] = request.build_absolute_uri(reverse(url_name, kwargs={k: str(v) for k, v in kwargs.items()}))
    return response
