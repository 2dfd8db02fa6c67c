"""What reimbursements asks of apps that are not below it: whether the visitor met the town's staff
(consultations), answered the stay's survey and moved to the town (outcomes). Each registers its functions from its AppConfig.ready();
until then nothing counts as met.

The bulk variants answer for a whole list at once, so that estimates of a list cost a fixed number of queries;
by default they ask the single hook once per item."""

from backend.hooks import Hook

# move_confirmed(visitor_id=, municipality_id=, moved_on=date) -> bool: the town's staff confirmed that move (outcomes)
move_confirmed = Hook("move_confirmed", default=lambda **kwargs: False)
# consultation_attended(visitor_id=, municipality_id=, start=date, end=date) -> bool
consultation_attended = Hook("consultation_attended", default=lambda **kwargs: False)
# survey_answered(booking_id=) -> bool
survey_answered = Hook("survey_answered", default=lambda **kwargs: False)


def _each_consultation(*, queries):
    return {
        query: consultation_attended(visitor_id=query[0], municipality_id=query[1], start=query[2], end=query[3])
        for query in queries
    }


def _each_survey(*, booking_ids):
    return {booking_id: survey_answered(booking_id=booking_id) for booking_id in booking_ids}


# consultations_attended_bulk(queries={(visitor_id, municipality_id, start, end), ...}) -> {query: bool}
consultations_attended_bulk = Hook("consultations_attended_bulk", default=_each_consultation)
# surveys_answered_bulk(booking_ids={...}) -> {booking_id: bool}
surveys_answered_bulk = Hook("surveys_answered_bulk", default=_each_survey)
