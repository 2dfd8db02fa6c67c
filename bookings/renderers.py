"""The availability calendar's JSON, written faster than encoding a dict per date."""

from typing import cast

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.settings import api_settings

# A public day has only its date (ISO text), two counts, two booleans and nulls: nothing that needs escaping.
_PUBLIC_DAY = (
    '{"date":"%s","free":%d,"price_yen":%d,"closed":%s,"bookable":%s,"taken":null,"total":null,'
    '"closure_reason":null,"price_label":null,"imported_from":null,"import_conflicts":null}'
)
_JSON_BOOL = {True: "true", False: "false"}


class AvailabilityJSONRenderer(JSONRenderer):
    """Writes what JSONRenderer writes, byte for byte (tests/bookings/test_availability_read.py compares them), but
    a public calendar's days come from one template each: encoding 366 dicts of eleven keys was the largest part of
    the answer's time after its query. Anything else (an operator's calendar with its texts, an error, an indented
    answer) goes through JSONRenderer as it is."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        days = data.get("days") if isinstance(data, dict) else None
        if (
            not days
            or next(reversed(data)) != "days"
            or days[0]["taken"] is not None
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        # The rules, then `"days":[]}` with its closing `]}` cut off and the days written in its place.
        head = super().render({**data, "days": []}, accepted_media_type, renderer_context)
        text = ",".join(
            [
                _PUBLIC_DAY
                % (day["date"], day["free"], day["price_yen"], _JSON_BOOL[day["closed"]], _JSON_BOOL[day["bookable"]])
                for day in days
            ]
        )
        return head[:-2] + text.encode() + b"]}"


# The API's renderers (JSON, the browsable API) with this one in JSONRenderer's place (api_settings gives the
# classes; the stubs type the setting as their dotted paths).
AVAILABILITY_RENDERERS = [
    AvailabilityJSONRenderer if renderer is JSONRenderer else renderer
    for renderer in cast(list[type[BaseRenderer]], api_settings.DEFAULT_RENDERER_CLASSES)
]
