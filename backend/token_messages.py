"""Messages of Simple JWT (the token endpoints and Bearer authentication), which ships no Japanese catalogue.

Marked here so that makemessages keeps them in backend/locale, whose catalogue is searched first."""

from django.utils.translation import gettext_noop

TOKEN_MESSAGES = [
    gettext_noop("No active account found with the given credentials"),
    gettext_noop("No active account found for the given token."),
    gettext_noop("Token is invalid or expired"),
    gettext_noop("Token is invalid"),
    gettext_noop("Token is expired"),
    gettext_noop("Token is blacklisted"),
    gettext_noop("Token has no type"),
    gettext_noop("Token has wrong type"),
    gettext_noop("Token has no id"),
    gettext_noop("Token has no '{}' claim"),
    gettext_noop("Token '{}' claim has expired"),
    gettext_noop("Token contained no recognizable user identification"),
    gettext_noop("Given token not valid for any token type"),
    gettext_noop("Authorization header must contain two space-delimited values"),
    gettext_noop("User not found"),
    gettext_noop("User is inactive"),
    gettext_noop("The user's password has been changed."),
]
