"""The one search of the desk, used by the admin's list and the API: records whose id, title, country or tags
contain every word typed, in any case, through an index. A word that names a place also finds its other names
(China finds 中国; `policies.countries`).

The words are matched anywhere in the text, in any case, which a B-tree cannot seek: at 20,000 records every
search read the whole table. Both databases keep a trigram index over one search document per record, the
four columns joined by newlines (a typed word never holds one, so no word matches across two columns):

- PostgreSQL: a GIN `pg_trgm` index on `UPPER(document)`; `icontains` on the same expression uses it.
- SQLite: an FTS5 table with the trigram tokenizer, filled by triggers on the records' table; a word of three
  characters or more is a phrase query on it, a shorter one is compared with `LIKE` row by row (trigrams need
  three characters).

Earlier versions (the API's published list searches each record's published version) have no index: the same
words are compared with those versions' columns one by one, which the number of verified versions bounds.

`ensure_index` creates whatever is missing and runs after every `migrate`: on SQLite Django rebuilds a table
to alter a column, which drops its triggers, and the index is rebuilt from the records then.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils.text import smart_split, unescape_string_literal

from policies import countries

TABLE = "policies_policy"
# The migration that made the index; from then on every `migrate` checks it is whole.
MIGRATION = "0005_search_index"
COLUMNS = ("policy_id", "title", "country", "tags")
POSTGRES_INDEX = "policy_search_trigram"
SQLITE_INDEX = "policies_policy_search"
SQLITE_TRIGGERS = {
    f"{SQLITE_INDEX}_insert": f"AFTER INSERT ON {TABLE} BEGIN {{insert}}; END",
    f"{SQLITE_INDEX}_update": (
        f"AFTER UPDATE OF {', '.join(COLUMNS)} ON {TABLE} BEGIN "
        f"DELETE FROM {SQLITE_INDEX} WHERE rowid = OLD.id; {{insert}}; END"
    ),
    f"{SQLITE_INDEX}_delete": f"AFTER DELETE ON {TABLE} BEGIN DELETE FROM {SQLITE_INDEX} WHERE rowid = OLD.id; END",
}
# Trigram indexes answer words of at least this many characters.
TRIGRAM = 3
# A search has at most this many characters and words: each word is one more condition on every row, and people
# type a few words or paste a title. The admin's lists and the API refuse longer ones rather than run them.
MAX_CHARACTERS = 200
MAX_WORDS = 20


def _postgres_document() -> str:
    return " || E'\\n' || ".join(f'"{TABLE}"."{c}"' + ("::text" if c == "tags" else "") for c in COLUMNS)


def _sqlite_document(row: str) -> str:
    # Tags are stored as JSON text with non-ASCII letters escaped; the document holds the tags themselves.
    tags = f"COALESCE((SELECT group_concat(value, ' ') FROM json_each({row}.tags)), '')"
    return " || char(10) || ".join([*(f"{row}.{c}" for c in COLUMNS[:-1]), tags])


def ensure_index(db: BaseDatabaseWrapper | None = None) -> None:
    """Create the search index where it is missing (and on SQLite fill it from the records)."""
    db = db or connection
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON {TABLE} "
                f"USING gin (UPPER({_postgres_document()}) gin_trgm_ops)"
            )
        elif db.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master")
            if {SQLITE_INDEX, *SQLITE_TRIGGERS} <= {name for (name,) in cursor.fetchall()}:
                return
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_INDEX} "
                "USING fts5(document, tokenize = 'trigram case_sensitive 0')"
            )
            insert = f"INSERT INTO {SQLITE_INDEX} (rowid, document) VALUES (NEW.id, {_sqlite_document('NEW')})"
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body.format(insert=insert)}")
            cursor.execute(f"DELETE FROM {SQLITE_INDEX}")
            cursor.execute(
                f"INSERT INTO {SQLITE_INDEX} (rowid, document) SELECT id, {_sqlite_document(TABLE)} FROM {TABLE}"
            )


def drop_index(db: BaseDatabaseWrapper | None = None) -> None:
    db = db or connection
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_INDEX}")
        elif db.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_INDEX}")


def words(text: str) -> list[str]:
    """The words of a search as the admin splits them: on spaces, a quoted phrase being one word."""
    found = []
    for bit in smart_split(text):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            found.append(bit)
    return found


def too_long(text: str) -> bool:
    """Whether a search for `text` has more than MAX_CHARACTERS characters or MAX_WORDS words (as `words` counts)."""
    return len(text) > MAX_CHARACTERS or len(words(text)) > MAX_WORDS


def matching(queryset: QuerySet, text: str, *, in_id_order: bool = False) -> QuerySet:
    """The records of `queryset` whose id, title, country or tags contain every word of `text`, in any case.

    `queryset` holds records, or versions from their history (matched without the index). `in_id_order` says
    the matches will be listed by id. SQLite then walks the ids' index in order, looking each record up in the
    search index's matches, and stops after a page; otherwise it reads every matching record to sort them (a
    word in a third of 20,000 records: 25 ms, against 3 ms in id order). A sort on another column keeps the
    lookup by matches, as walking the table for it would read every record.
    """
    if queryset.model._meta.db_table != TABLE:
        for word in words(text):
            queryset = queryset.filter(_any_of(_compared_one_by_one, word))
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        queryset = queryset.alias(search_document=RawSQL(_postgres_document(), [], output_field=TextField()))
    for word in words(text):
        if vendor == "sqlite":
            queryset = queryset.filter(_any_of(lambda w: Q(_sqlite_contains(w, in_id_order)), word))
        else:
            queryset = queryset.filter(_any_of(lambda w: Q(search_document__icontains=w), word))
    return queryset


def _any_of(condition: Callable[[str], Q], word: str) -> Q:
    """`condition` for the word, or for any other name of the place it names: China finds 中国 (`countries`)."""
    place = countries.named(word)
    alternatives = [word] if place is None else [word, *(name for name in place.names if name != word)]
    found = Q()
    for alternative in alternatives:
        found |= condition(alternative)
    return found


class _ListItemContains(Func):
    """True where an item of the JSON list `field` contains `word`, in any case. SQLite keeps such lists as JSON
    text with non-ASCII letters escaped, so its items are compared one by one, as the index's document holds them."""

    output_field = BooleanField()

    def __init__(self, field: str, word: str) -> None:
        super().__init__(F(field), Value(f"%{_like_escaped(word)}%"))

    def as_sqlite(self, compiler, connection, **extra_context):
        (field, field_params), (pattern, pattern_params) = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"EXISTS (SELECT 1 FROM json_each({field}) WHERE json_each.value LIKE {pattern} ESCAPE '\\')"
        return sql, (*field_params, *pattern_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        (field, field_params), (pattern, pattern_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"(UPPER({field}::text) LIKE UPPER({pattern}))", (*field_params, *pattern_params)


def _compared_one_by_one(word: str) -> Q:
    text_columns = Q()
    for column in COLUMNS[:-1]:
        text_columns |= Q(**{f"{column}__icontains": word})
    return text_columns | Q(_ListItemContains("tags", word))


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sqlite_contains(word: str, in_id_order: bool) -> Q | RawSQL:
    if len(word) >= TRIGRAM:
        phrase = '"{}"'.format(word.replace('"', '""'))
        rows, param = f"SELECT rowid FROM {SQLITE_INDEX} WHERE {SQLITE_INDEX} MATCH %s", phrase
    else:
        rows, param = f"SELECT rowid FROM {SQLITE_INDEX} WHERE document LIKE %s ESCAPE '\\'", f"%{_like_escaped(word)}%"
    if in_id_order:
        # A unary plus keeps SQLite from looking the records up by the matches' row ids.
        return RawSQL(f'+"{TABLE}"."id" IN ({rows})', [param], output_field=BooleanField())
    return Q(pk__in=RawSQL(rows, [param]))
