import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .backup_database import pg_environment


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by backup_database (a .sqlite3 file for SQLite, a .dump "
        "for PostgreSQL). Stop the app first: everything saved since the backup is lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", metavar="BACKUP", help="The backup file.")
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, backup, no_input, **options):
        source = Path(backup)
        if not source.is_file():
            raise CommandError(f"{backup} does not exist.")
        connection = connections[DEFAULT_DB_ALIAS]
        name = connection.settings_dict["NAME"]
        if not no_input:
            answer = input(f"Replace everything in the database {name} with {backup}? Type 'yes' to go on: ")
            if answer.strip() != "yes":
                raise CommandError("Nothing was restored.")
        connection.close()
        if connection.vendor == "sqlite":
            self._sqlite(source, Path(name))
        elif connection.vendor == "postgresql":
            self._postgresql(source, connection.settings_dict)
        else:
            raise CommandError(f"Restoring {connection.vendor} databases is not supported.")
        self.stdout.write(self.style.SUCCESS(f"Restored {name} from {backup}."))

    def _sqlite(self, source: Path, database: Path) -> None:
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup:
                if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise CommandError(f"{source} is damaged; nothing was restored.")
                target = sqlite3.connect(database, timeout=20)
                try:
                    # Page by page into the live file, under SQLite's own locks: other connections see the old
                    # database or the restored one.
                    backup.backup(target)
                finally:
                    target.close()
        except sqlite3.DatabaseError as error:
            raise CommandError(f"{source} is not a SQLite backup ({error}); nothing was restored.") from None

    def _postgresql(self, source: Path, settings_dict: dict) -> None:
        if shutil.which("pg_restore") is None:
            raise CommandError("pg_restore is not installed (Debian: apt-get install postgresql-client).")
        env = pg_environment(settings_dict)
        done = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={settings_dict['NAME']}",
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise CommandError(f"pg_restore failed; nothing was restored: {done.stderr.strip()}")
