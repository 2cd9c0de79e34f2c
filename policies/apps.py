from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policy records")

    def ready(self) -> None:
        post_migrate.connect(_ensure_search_index, sender=self, dispatch_uid="policies_ensure_search_index")


def _ensure_search_index(using: str, **kwargs) -> None:
    # SQLite drops a table's triggers when Django rebuilds the table to alter a column; put the index back.
    from django.db.migrations.recorder import MigrationRecorder

    from . import search

    db = connections[using]
    if ("policies", search.MIGRATION) in MigrationRecorder(db).applied_migrations():
        search.ensure_index(db)
