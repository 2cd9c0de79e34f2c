from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from policies.models import Policy


class Command(BaseCommand):
    help = (
        "Import the example collection (examples/policies) into an empty database, so that a new desk has "
        "records to work on. A database that holds any record is left alone: what people did there is theirs."
    )

    def handle(self, *args, **options):
        if Policy.objects.exists():
            self.stdout.write(gettext("The database holds records already; the example collection was not loaded."))
            return
        call_command("import_policies", str(Path(settings.BASE_DIR) / "examples" / "policies"), stdout=self.stdout)
