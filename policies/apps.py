from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policy records"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
