from django.db import migrations

# The admin search matches words anywhere in a record's id, title, country and tags; a trigram index serves it on
# both databases. It replaces 0004's SQLite index, which only made a scan cheaper. The SQL is this migration's own
# copy of what policies/search.py did on its day: a migration must not change when the live code does.

TABLE = "policies_policy"
POSTGRES_INDEX = "policy_search_trigram"
POSTGRES_DOCUMENT = (
    '"policies_policy"."policy_id" || E\'\\n\' || "policies_policy"."title" || E\'\\n\' || '
    '"policies_policy"."country" || E\'\\n\' || "policies_policy"."tags"::text'
)
SQLITE_INDEX = "policies_policy_search"


def _sqlite_document(row):
    tags = f"COALESCE((SELECT group_concat(value, ' ') FROM json_each({row}.tags)), '')"
    return f"{row}.policy_id || char(10) || {row}.title || char(10) || {row}.country || char(10) || {tags}"


SQLITE_INSERT = f"INSERT INTO {SQLITE_INDEX} (rowid, document) VALUES (NEW.id, {_sqlite_document('NEW')})"
SQLITE_TRIGGERS = {
    f"{SQLITE_INDEX}_insert": f"AFTER INSERT ON {TABLE} BEGIN {SQLITE_INSERT}; END",
    f"{SQLITE_INDEX}_update": (
        f"AFTER UPDATE OF policy_id, title, country, tags ON {TABLE} BEGIN "
        f"DELETE FROM {SQLITE_INDEX} WHERE rowid = OLD.id; {SQLITE_INSERT}; END"
    ),
    f"{SQLITE_INDEX}_delete": f"AFTER DELETE ON {TABLE} BEGIN DELETE FROM {SQLITE_INDEX} WHERE rowid = OLD.id; END",
}


def add_search_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS policy_search")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON {TABLE} USING gin (UPPER({POSTGRES_DOCUMENT}) gin_trgm_ops)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_INDEX} USING fts5(document, tokenize = 'trigram case_sensitive 0')"
        )
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(f"CREATE TRIGGER {name} {body}")
        schema_editor.execute(f"DELETE FROM {SQLITE_INDEX}")
        schema_editor.execute(
            f"INSERT INTO {SQLITE_INDEX} (rowid, document) SELECT id, {_sqlite_document(TABLE)} FROM {TABLE}"
        )


def remove_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {POSTGRES_INDEX}")
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_INDEX}")
        schema_editor.execute("CREATE INDEX policy_search ON policies_policy (policy_id, title, country, tags)")


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0004_admin_list_indexes"),
    ]

    operations = [
        migrations.RunPython(add_search_index, remove_search_index),
    ]
