"""Ids taken from URL paths, which are matched as any string so that a malformed id gets the API's JSON 404."""


def parse_id(value) -> int | None:
    """The id as an int, or None when it cannot be a row's id (not ASCII digits, or beyond a bigint)."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)
