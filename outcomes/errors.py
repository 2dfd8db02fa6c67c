"""Domain errors of outcomes: surveys, moves and the towns' figures."""

from django.utils.translation import gettext_lazy as _

from backend.errors import Conflict, DomainError, NotFound


class SurveyNotFound(NotFound):
    code = "survey_not_found"
    default_message = _("This booking's survey has not been answered.")


class StayNotFinished(Conflict):
    code = "stay_not_finished"
    default_message = _("The survey opens after check-out.")


class SurveyAlreadyAnswered(Conflict):
    code = "survey_already_answered"
    default_message = _("This booking's survey has already been answered.")


class BookingCancelled(Conflict):
    code = "booking_cancelled"
    default_message = _("The booking is cancelled: there is no stay to answer a survey about.")


class MoveNotFound(NotFound):
    code = "move_not_found"
    default_message = _("No such move.")


class MoveExists(Conflict):
    code = "move_exists"
    default_message = _("This move has already been recorded.")


class MoveAlreadyConfirmed(Conflict):
    code = "move_already_confirmed"
    default_message = _("This move has already been confirmed.")


class InvalidMove(DomainError):
    code = "invalid_move"
