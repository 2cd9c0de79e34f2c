from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.locks import LockBusy
from policies.management.reporting import progress, summary_table
from policies.models import Policy
from policies.transfer.exporting import ExportOutcome, export_to_folder


class Command(BaseCommand):
    help = (
        "Write policy records as Markdown files below OUT_DIR, each at the path it was imported from (else "
        "<id>.md). By default only published content: each record's last verified version, never a rejected or "
        "withdrawn record. Unchanged files are not rewritten; every write is atomic. Files an earlier export wrote "
        "that no record's file is any more (withdrawn, deleted) are listed as stale; --prune removes them. Files "
        "the app did not write are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", metavar="OUT_DIR", help="The collection's folder.")
        parser.add_argument("--all", action="store_true", help="Write every record's current state instead.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; list the files that would change or are stale and exit 1 if there are any.",
        )
        parser.add_argument(
            "--prune", action="store_true", help="Remove the stale files: ones an earlier export wrote, no longer used."
        )

    def handle(self, *args, out_dir, all, check, prune, **options):
        folder = Path(out_dir)
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{out_dir} is not a folder.")
        if not folder.exists():
            if check:
                raise CommandError(f"{out_dir} does not exist.")
            try:
                folder.mkdir(parents=True)
            except OSError as error:
                raise CommandError(f"Cannot create {out_dir}: {error.strerror}.") from None
        total = Policy.objects.count()
        try:
            report = export_to_folder(
                folder,
                all_records=all,
                check=check,
                prune=prune,
                progress=lambda items: progress(items, total=total, label="Exporting"),
            )
        except LockBusy as error:
            raise CommandError(str(error)) from None
        for result in report.results:
            if result.outcome is not ExportOutcome.UNCHANGED:
                style = self.style.ERROR if result.outcome is ExportOutcome.FAILED else str
                detail = f": {result.message}" if result.message else ""
                if result.outcome is ExportOutcome.STALE and not check:
                    detail += " (--prune removes it)"
                self.stdout.write(style(f"{result.outcome}: {result.path}{detail}"))
        self.stdout.write("")
        counts = {**report.counts, "not published": report.skipped}
        self.stdout.write(summary_table(counts, [*(o.value for o in ExportOutcome), "not published"]))
        if not report.ok or (check and report.changes_pending):
            raise SystemExit(1)
