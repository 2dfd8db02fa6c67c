"""Template filters of the console."""

from django import template

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """The Japanese or English text of a catalogue field, by the active language (`facility|localized:"name"`)."""
    return obj.localized(field) if obj is not None else ""


@register.filter
def yen(amount) -> str:
    return "" if amount is None else f"¥{int(amount):,}"


@register.filter
def percent_of(part, whole) -> int:
    return 0 if not whole else min(100, round(100 * (part or 0) / whole))


@register.filter
def hours_text(minutes) -> str:
    """Minutes as hours and minutes, "12:30"."""
    hours, rest = divmod(int(minutes or 0), 60)
    return f"{hours:,}:{rest:02d}"
