"""An hourly unit's opening hours, as operators write them: {"mon": ["09:00", "18:00"], ...}, on the quarter hour.
Read here (bookings.hours turns them into moments) and checked here when an operator saves them."""

from facilities.models import Unit

DAY_MINUTES = 24 * 60
# Opening and closing fall on the 15-minute slots whose stock rows hold an hourly unit's capacity.
QUARTER = 15


def parse_hhmm(text) -> int | None:
    """Minutes after midnight of "HH:MM" ("24:00" is 1440); None when it is not such a time."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return None
    hours, minutes = text[:2], text[3:]
    if not (hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()):
        return None
    value = int(hours) * 60 + int(minutes)
    return value if int(minutes) < 60 and value <= DAY_MINUTES else None


def weekday_minutes(opening_hours, weekday: int) -> tuple[int, int] | None:
    """(opens, closes) in minutes after midnight on a weekday (0: Monday), or None when closed."""
    hours = (opening_hours or {}).get(Unit.WEEKDAYS[weekday])
    if not hours:
        return None
    opens, closes = parse_hhmm(hours[0]), parse_hhmm(hours[1])
    return None if opens is None or closes is None else (opens, closes)


def opening_hours_errors(value) -> list[str]:
    """What is wrong with an `opening_hours` value, each as the form it should take (empty when nothing is)."""
    if not isinstance(value, dict):
        return ['{"mon": ["09:00", "18:00"], ...}']
    errors = []
    for weekday, hours in value.items():
        if weekday not in Unit.WEEKDAYS:
            errors.append(f"{weekday}: {', '.join(Unit.WEEKDAYS)}")
            continue
        if hours is None:
            continue
        if not (isinstance(hours, list) and len(hours) == 2):
            errors.append(f'{weekday}: ["HH:MM", "HH:MM"]')
            continue
        opens, closes = parse_hhmm(hours[0]), parse_hhmm(hours[1])
        if opens is None or closes is None or opens >= closes:
            errors.append(f'{weekday}: ["HH:MM", "HH:MM"]')
        elif opens % QUARTER or closes % QUARTER:
            errors.append(f"{weekday}: :00, :15, :30, :45")
    return errors
