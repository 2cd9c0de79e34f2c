from django.db import migrations

from policies import search

# The admin search matches words anywhere in a record's id, title, country and tags; a trigram index serves it on
# both databases (policies/search.py). It replaces 0004's SQLite index, which only made a scan cheaper.


def add_search_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS policy_search")
    search.ensure_index(schema_editor.connection)


def remove_search_index(apps, schema_editor):
    search.drop_index(schema_editor.connection)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("CREATE INDEX policy_search ON policies_policy (policy_id, title, country, tags)")


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0004_admin_list_indexes"),
    ]

    operations = [
        migrations.RunPython(add_search_index, remove_search_index),
    ]
