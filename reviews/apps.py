from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from policies import saving

        from .workflow import ReviewRule

        # The store saves; the workflow says in which review state (policies never imports reviews).
        saving.register_review_rule(ReviewRule())
