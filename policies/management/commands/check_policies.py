from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext

from policies import checks
from policies.models import Policy


class Command(BaseCommand):
    help = (
        "Check policy records for things a reviewer should look at before trusting them, and print one line per "
        "warning: '<record id>: <field>: <message>' (the field as the file names it, e.g. analysis.mrv.citation). "
        "Checks each record's own content (a verification without a human reviewer, a year that disagrees with "
        "pubDate, an empty citation for a scored dimension, a url that is not http(s), repeated or odd facility "
        "ids, and problems: values the file wrote in a form their fields cannot hold, which block approval and are "
        "placed by line and column) and compares it with the collection (supersedes naming unknown ids or going "
        "round in a cycle, evidence or labels copied word for word from another record). The warnings are stored "
        "for the admin's list and review screens. Exits 1 if there is any warning, 0 if none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--id",
            action="append",
            dest="ids",
            metavar="ID",
            help="Check only the record with this id (repeat to check several); still compared with the rest.",
        )
        parser.add_argument(
            "--if-owed",
            action="store_true",
            help="Only finish the check an interrupted import left undone, if any; print one line, exit 0.",
        )

    def handle(self, *args, ids=None, if_owed=False, **options):
        if if_owed:
            settled = checks.settle_owed_check()
            self.stdout.write(
                gettext("Checked the collection an interrupted import left unchecked.")
                if settled
                else gettext("No check of the collection is owed.")
            )
            return
        if ids:
            unknown = sorted(
                set(ids) - set(Policy.objects.filter(policy_id__in=ids).values_list("policy_id", flat=True))
            )
            if unknown:
                raise CommandError(
                    ngettext("No record with the id %(ids)s.", "No records with the ids %(ids)s.", len(unknown))
                    % {"ids": ", ".join(map(repr, unknown))},
                    returncode=2,
                )
            found = checks.refresh_records(ids)
        else:
            found = checks.refresh_collection()
        for policy_id, warnings in found.items():
            for warning in warnings:
                self.stdout.write(f"{policy_id}: {warning.field}: {warning.message}{self._notes(warning)}")
        count = sum(len(warnings) for warnings in found.values())
        flagged = sum(1 for warnings in found.values() if warnings)
        blocking = sum(1 for warnings in found.values() for warning in warnings if warning.blocking)
        warnings_found = ngettext("%(count)d warning", "%(count)d warnings", count) % {"count": count}
        summary = gettext("%(warnings)s in %(flagged)d of %(checked)d records checked.") % {
            "warnings": warnings_found,
            "flagged": flagged,
            "checked": len(found),
        }
        if blocking:
            summary = ngettext(
                "%(warnings)s in %(flagged)d of %(checked)d records checked; %(count)d needs fixing.",
                "%(warnings)s in %(flagged)d of %(checked)d records checked; %(count)d need fixing.",
                blocking,
            ) % {"warnings": warnings_found, "flagged": flagged, "checked": len(found), "count": blocking}
        self.stderr.write(summary)
        if count:
            raise SystemExit(1)

    @staticmethod
    def _notes(warning: checks.Finding) -> str:
        """Where a problem's value is in the record's file, and whether it blocks approval: " (line 7, ...)"."""
        notes = []
        if warning.line is not None:
            notes.append(gettext("line %(line)s, column %(column)s") % {"line": warning.line, "column": warning.column})
        if warning.blocking:
            notes.append(gettext("needs fixing"))
        return gettext(" (%(notes)s)") % {"notes": "; ".join(notes)} if notes else ""
