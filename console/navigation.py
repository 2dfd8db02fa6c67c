"""The console's navigation: one entry per page, by role. A page joins the navigation by adding its entry here;
an entry whose URL is not (yet) installed is left out, so the navigation lists only pages that exist."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    roles: tuple[str, ...]


ENTRIES = [
    Entry("console:operator-home", _("Today and facilities"), ("operator",)),
    Entry("console:operator-members", _("Members"), ("operator",)),
    Entry("console:staff-claims", _("Claims"), ("municipal_staff",)),
    Entry("console:staff-applications", _("Applications"), ("municipal_staff",)),
    Entry("console:staff-monthly", _("Monthly programmes"), ("municipal_staff",)),
    # Consultations are the town's: operators have no part in them (the API refuses them too).
    Entry("console:staff-consultations", _("Consultations"), ("municipal_staff",)),
    Entry("console:staff-kpis", _("KPIs"), ("municipal_staff",)),
]


def entries_for(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    shown = []
    for entry in ENTRIES:
        if user.role not in entry.roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        shown.append({"url": url, "label": entry.label, "current": False})
    # The page is the entry whose URL is the longest start of its path (members under the operator's home).
    matching = [entry for entry in shown if request.path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(str(entry["url"])))["current"] = True
    return shown
