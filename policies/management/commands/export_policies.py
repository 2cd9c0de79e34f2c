from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

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
            raise CommandError(gettext("%(folder)s is not a folder.") % {"folder": out_dir})
        if not folder.exists():
            if check:
                raise CommandError(gettext("%(folder)s does not exist.") % {"folder": out_dir})
            try:
                folder.mkdir(parents=True)
            except OSError as error:
                raise CommandError(
                    gettext("Cannot create %(folder)s: %(error)s.") % {"folder": out_dir, "error": error.strerror}
                ) from None
        total = Policy.objects.count()
        try:
            report = export_to_folder(
                folder,
                all_records=all,
                check=check,
                prune=prune,
                progress=lambda items: progress(items, total=total, label=gettext("Exporting")),
            )
        except LockBusy as error:
            raise CommandError(str(error)) from None
        for result in report.results:
            if result.outcome is not ExportOutcome.UNCHANGED:
                style = self.style.ERROR if result.outcome is ExportOutcome.FAILED else str
                line = "%(outcome)s: %(file)s"
                if result.message:
                    line = gettext("%(outcome)s: %(file)s: %(message)s")
                if result.outcome is ExportOutcome.STALE and not check:
                    line += gettext(" (--prune removes it)")
                shown = {"outcome": result.outcome.label, "file": result.path, "message": result.message}
                self.stdout.write(style(line % shown))
        self.stdout.write("")
        counts = {**report.counts, "not published": report.skipped}
        order = [*((o.value, o.label) for o in ExportOutcome), ("not published", gettext("not published"))]
        self.stdout.write(summary_table(counts, order))
        if not report.ok or (check and report.changes_pending):
            raise SystemExit(1)
