from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from reimbursements import hooks


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self):
        # Looked up at call time, so that replacing the function (as tests do) replaces what reimbursements calls.
        from . import selectors

        hooks.survey_answered.register(lambda **kwargs: selectors.survey_answered(**kwargs))
        hooks.move_confirmed.register(lambda **kwargs: selectors.move_confirmed(**kwargs))
