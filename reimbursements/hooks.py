"""Where the apps above reimbursements plug in, so that reimbursements never imports them. Each app registers its
callables from its AppConfig.ready(); reimbursements calls them through the names below."""
from backend.hooks import Hook

# --- outcomes --------------------------------------------------------------------------------------------------

# (booking_id) -> bool: whether the visitor has answered the booking's after-stay survey (a programme's `survey`
# requirement). Without the outcomes app nothing is ever answered.
survey_answered = Hook("survey_answered", default=lambda **kwargs: False)
