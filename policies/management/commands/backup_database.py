import datetime
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's variables for the database, so that no password appears on a command line."""
    env = {**os.environ}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


class Command(BaseCommand):
    help = (
        "Back up the whole database while the app runs: SQLite through its online backup API (a consistent copy "
        "even while editors save), PostgreSQL with pg_dump's custom format. Prints the backup's path. Restore it "
        "with restore_database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "out", nargs="?", default=str(settings.BASE_DIR / "backups"), metavar="OUT", help="Folder (or file)."
        )

    def handle(self, *args, out, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        target = Path(out)
        if connection.vendor == "sqlite":
            if target.suffix != ".sqlite3":
                target = target / f"policies-{stamp}.sqlite3"
            target.parent.mkdir(parents=True, exist_ok=True)
            self._sqlite(Path(connection.settings_dict["NAME"]), target)
        elif connection.vendor == "postgresql":
            if target.suffix != ".dump":
                target = target / f"policies-{stamp}.dump"
            target.parent.mkdir(parents=True, exist_ok=True)
            self._postgresql(connection.settings_dict, target)
        else:
            raise CommandError(f"Backing up {connection.vendor} databases is not supported.")
        self.stdout.write(str(target))

    def _sqlite(self, database: Path, target: Path) -> None:
        if not database.is_file():
            raise CommandError(f"{database} does not exist.")
        partial = target.with_name(f".{target.name}.partial")
        # The backup API copies page by page and starts over if a writer changes the database meanwhile, so the
        # copy is one consistent state; it is renamed into place only when whole.
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        partial.replace(target)

    def _postgresql(self, settings_dict: dict, target: Path) -> None:
        if shutil.which("pg_dump") is None:
            raise CommandError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
        partial = target.with_name(f".{target.name}.partial")
        done = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"],
            env=pg_environment(settings_dict),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
        partial.replace(target)
