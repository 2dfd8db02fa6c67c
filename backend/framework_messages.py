"""Messages of Django REST Framework (and one of Django) that their Japanese catalogues leave untranslated.

Marked here so that makemessages keeps them in backend/locale, whose catalogue is searched first."""

from django.utils.translation import gettext_noop

FRAMEWORK_MESSAGES = [
    gettext_noop("Invalid input."),
    gettext_noop("Not a valid string."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Datetime value out of range."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
    gettext_noop("A page number within the paginated result set."),
    gettext_noop("Number of results to return per page."),
    # Django's own Japanese text for this one asks the user to enter a value.
    gettext_noop("Null characters are not allowed."),
]
