from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from policies.management.reporting import progress
from samples.generator import SampleConflict, write_sample_collection


class Command(BaseCommand):
    help = (
        "Write N realistic sample policy records into OUT_DIR as <id>.md files in the collection's format, for "
        "examples, tests and benchmarks. The same --seed always writes the same files, byte for byte, and the first "
        "N records of a seed do not depend on --count. OUT_DIR is created if missing. Files that already hold "
        "exactly what would be written are left alone; if any other file of the sample exists with different "
        "contents, nothing is written unless --force is given. Other files in OUT_DIR are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="Folder to write the records into.")
        parser.add_argument(
            "--count", type=int, default=100, metavar="N", help="How many records to write (at least 1; default 100)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=0,
            metavar="S",
            help="Any integer; each seed gives its own collection (default 0).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite files of the sample that exist with different contents."
        )

    def handle(self, *args: Any, out_dir: Path, count: int, seed: int, force: bool, **options: Any) -> None:
        if count < 1:
            raise CommandError(f"--count must be at least 1, not {count}.")
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(f"OUT_DIR {out_dir} is not a directory.")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            paths = write_sample_collection(
                out_dir,
                count,
                seed,
                force=force,
                progress=lambda items: progress(items, total=count, label="Generating"),
            )
        except SampleConflict as conflict:
            raise CommandError(f"{conflict} Nothing was written; pass --force to overwrite them.") from None
        except OSError as error:
            raise CommandError(f"Cannot write to {error.filename or out_dir}: {error.strerror or error}.") from None
        self.stdout.write(self.style.SUCCESS(f"{len(paths)} sample policies (seed {seed}) are in {out_dir}."))
