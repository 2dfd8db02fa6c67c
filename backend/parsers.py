"""The JSON parser of every API view: a body nested deeper than Python can parse is a 400, not a 500, and numbers
and dates are written with ASCII digits only.

Python reads any script's digits as numbers (`int("１")` is 1, and "２０２７-０２-０１" parses as a date), so a
string of full-width or other non-ASCII digits would reach an id or a date field as if typed in ASCII, although the
same id in a path is refused (backend.ids.parse_id). This is the one place every JSON body passes: a string made
only of digits and the punctuation of numbers, dates and times, with a digit outside 0-9 among them, is refused
naming its field. Text with words around its digits (a name, an address) is left to its field."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# Digits (of any script: `\d` is Unicode here) with what numbers, dates and times are written with.
NUMBER_OR_DATE = re.compile(r"[\d\s.,:+\-TZ/]+")


def _non_ascii_number(value: str) -> bool:
    return (
        NUMBER_OR_DATE.fullmatch(value) is not None
        and not value.isascii()
        and any(c.isdigit() and not c.isascii() for c in value)
    )


def _refused_paths(data) -> list[str]:
    """The fields (dotted paths) holding a number or date written with non-ASCII digits."""
    found, pending = [], [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
        elif isinstance(value, str) and _non_ascii_number(value):
            found.append(path or "non_field_errors")
    return sorted(found)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply") from exc
        refused = _refused_paths(data)
        if refused:
            message = _("Write numbers and dates with ASCII digits (0-9).")
            raise ValidationError({path: [message] for path in refused})
        return data
