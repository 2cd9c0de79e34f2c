# The checks now warn about a country or region not in the vocabulary (policies/data/countries.toml). Records
# stored before have no such warning until the collection is checked again: this owes that check, which the
# start-up steps (`check_policies --if-owed`) or the next import make.

from django.db import migrations


def owe_a_collection_check(apps, schema_editor):
    Policy = apps.get_model("policies", "Policy")
    CollectionCheckOwed = apps.get_model("policies", "CollectionCheckOwed")
    if Policy.objects.exists() and not CollectionCheckOwed.objects.exists():
        CollectionCheckOwed.objects.create()


class Migration(migrations.Migration):
    dependencies = [("policies", "0011_review_state_names")]

    operations = [migrations.RunPython(owe_a_collection_check, migrations.RunPython.noop)]
