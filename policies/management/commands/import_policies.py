from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from policies.locks import LockBusy
from policies.management.reporting import progress, summary_table
from policies.transfer.importing import ImportOutcome, import_sources
from policies.transfer.sources import iter_paths


class Command(BaseCommand):
    help = (
        "Import policy files (Markdown with YAML frontmatter) from files, folders and .zip archives. A file the "
        "app has seen (bytes it read or wrote, content any version of the record had) changes nothing: it is "
        "unchanged, or older than the record. New content is created, updated (nobody changed the record since "
        "the content the file descends from), merged (both changed, different fields: a new version, for review) "
        "or a conflict (both changed the same field: both left alone, settled field by field in the admin), or "
        "rejected (with the line, field and reason). A value its field cannot hold (a score of 85.5, a date "
        "written 01/10/2024) does not refuse the file: it is kept as written and listed as a problem, with its "
        "line, column and field, for an editor to fix before the record can be approved. Exits 1 if any file was "
        "rejected or in conflict, or, with --strict, admitted with problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A .md file, a folder or a .zip archive.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Take a file with new content whole, even over changes made in the app (never an older one).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; change nothing.")
        parser.add_argument(
            "--strict",
            action="store_true",
            help=gettext("Exit 1 if any file was admitted with problems (they are admitted all the same)."),
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="Attribute the changes to this user (who must be allowed to)."
        )

    def handle(self, *args, paths, force, dry_run, strict, user, **options):
        acting_user = self._user(user)
        try:
            report = import_sources(
                iter_paths(paths),
                user=acting_user,
                origin="import_policies",
                force=force,
                dry_run=dry_run,
                progress=lambda items: progress(items, total=None, label=gettext("Importing")),
            )
        except (PermissionDenied, LockBusy) as error:
            raise CommandError(str(error)) from None
        for result in report.results:
            if result.outcome is not ImportOutcome.UNCHANGED or result.warnings:
                style = self.style.ERROR if result.outcome in (ImportOutcome.REJECTED, ImportOutcome.CONFLICT) else str
                if result.outcome is ImportOutcome.OLDER:
                    style = self.style.WARNING
                line = gettext("%(outcome)s: %(file)s: %(message)s")
                if dry_run:
                    line = gettext("would be %(outcome)s: %(file)s: %(message)s")
                self.stdout.write(
                    style(line % {"outcome": result.summary, "file": result.name, "message": result.message})
                )
            for problem in result.problems:
                self.stdout.write(self.style.ERROR(gettext("  problem: %(problem)s") % {"problem": problem}))
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(gettext("  warning: %(warning)s") % {"warning": warning}))
        self.stdout.write("")
        self.stdout.write(summary_table(report.counts, [(o.value, o.label) for o in ImportOutcome]))
        if report.problem_count:
            self.stdout.write(report.problem_summary)
        if dry_run:
            self.stdout.write(gettext("Dry run: nothing was changed."))
        if not report.ok or (strict and report.problem_count):
            raise SystemExit(1)

    def _user(self, username):
        if username is None:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(gettext("No user named %(name)r.") % {"name": username}) from None
