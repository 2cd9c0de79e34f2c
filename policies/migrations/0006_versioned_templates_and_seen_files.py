"""Each version names the file text it renders on; the bytes the app has seen are remembered per record.

Before, a record had one template (its file's last text, `PolicyFile.snapshot`), shared by every version, and one
base for conflicts (`PolicyFile.content_hash`). Every version now gets that template, which is what the export
rendered it on until now, so no exported byte changes. The fingerprints are computed by a frozen copy of the code
of this migration's day: a migration must not change meaning when the live code does.
"""

import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CONTENT_FIELDS = (
    "policy_id", "country", "year", "status", "category", "pub_date", "review_status", "legal_weight", "sectors",
    "market_score", "market_label", "market_evidence", "market_citation", "mrv_score", "mrv_label", "mrv_evidence",
    "mrv_citation", "statutory_score", "statutory_label", "statutory_evidence", "statutory_citation",
    "strategic_score", "strategic_label", "strategic_evidence", "strategic_citation", "incentive_score",
    "incentive_label", "incentive_evidence", "incentive_citation", "impact_economic", "impact_technical",
    "impact_environmental", "supersedes", "clusters", "implementation_authority", "implementation_mechanism",
    "implementation_funding_scale", "related_facilities", "url", "source", "provenance_author",
    "provenance_reviewer", "provenance_last_audit_date", "title", "scope", "tags", "description", "body", "extra",
)  # fmt: skip


def _hash(values, *, skip_empty):
    kept = {
        name: value
        for name, value in values.items()
        if not (skip_empty and (value is None or value == "" or value == []))
    }
    canonical = json.dumps(kept, sort_keys=True, ensure_ascii=False, default=lambda value: value.isoformat())
    return hashlib.sha256(canonical.encode()).hexdigest()


def _values(row, facilities):
    return {name: (facilities if name == "related_facilities" else getattr(row, name)) for name in CONTENT_FIELDS}


def forwards(apps, schema_editor):
    Policy = apps.get_model("policies", "Policy")
    HistoricalPolicy = apps.get_model("policies", "HistoricalPolicy")
    PolicyFile = apps.get_model("policies", "PolicyFile")
    FileSnapshot = apps.get_model("policies", "FileSnapshot")
    SeenFile = apps.get_model("policies", "SeenFile")
    files = {policy_file.policy_id: policy_file for policy_file in PolicyFile.objects.all()}
    taken_paths = set()
    for policy in Policy.objects.order_by("pk").iterator():
        policy_file = files.get(policy.pk)
        values = _values(policy, policy.related_facilities)
        # The old base hash (every field) -> the new fingerprint (empty fields left out), for this record.
        renamed = {_hash(values, skip_empty=False): _hash(values, skip_empty=True)}
        policy.content_hash = renamed[_hash(values, skip_empty=False)]
        policy.template_id = policy_file.snapshot_id if policy_file else None
        policy.save(update_fields=["content_hash", "template"])
        for row in HistoricalPolicy.objects.filter(id=policy.pk).select_related("facilities").iterator():
            row_values = _values(row, row.facilities.ids)
            row.content_hash = _hash(row_values, skip_empty=True)
            renamed[_hash(row_values, skip_empty=False)] = row.content_hash
            row.template_id = policy.template_id
            row.save(update_fields=["content_hash", "template"])
        if policy_file is None:
            continue
        known = renamed.get(policy_file.content_hash)
        if known:
            FileSnapshot.objects.filter(pk=policy_file.snapshot_id).update(content_hash=known)
            SeenFile.objects.get_or_create(
                sha256=policy_file.file_sha256,
                defaults={"policy_id": policy.pk, "content_hash": known, "how": "imported", "version": policy.version},
            )
        # Two records could share a path before: the first keeps it, the others go to their own id's file.
        if policy_file.path in taken_paths:
            path, number = f"{policy.policy_id}.md", 1
            while path in taken_paths or PolicyFile.objects.filter(path=path).exclude(pk=policy_file.pk).exists():
                number += 1
                path = f"{policy.policy_id}-{number}.md"
            policy_file.path = path
            policy_file.save(update_fields=["path"])
        taken_paths.add(policy_file.path)


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0005_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="filesnapshot",
            name="content_hash",
            field=models.CharField(
                blank=True, help_text="Fingerprint of the content the text holds; blank if not known.", max_length=64
            ),
        ),
        migrations.AddField(
            model_name="historicalpolicy",
            name="content_hash",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                help_text="Fingerprint of the content (records.content_hash): finds the version a file holds.",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="historicalpolicy",
            name="template",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="policies.filesnapshot",
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="content_hash",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                help_text="Fingerprint of the content (records.content_hash): finds the version a file holds.",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="template",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="policies.filesnapshot",
            ),
        ),
        migrations.CreateModel(
            name="SeenFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha256", models.CharField(help_text="Hash of the file's bytes.", max_length=64, unique=True)),
                (
                    "content_hash",
                    models.CharField(help_text="Fingerprint of the content the bytes hold.", max_length=64),
                ),
                (
                    "how",
                    models.CharField(choices=[("imported", "imported"), ("exported", "exported")], max_length=10),
                ),
                (
                    "version",
                    models.PositiveIntegerField(help_text="The record's version the bytes were taken into or matched."),
                ),
                ("seen_at", models.DateTimeField(auto_now_add=True)),
                (
                    "policy",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="seen_files",
                        to="policies.policy",
                    ),
                ),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="policyfile", name="content_hash"),
        migrations.RemoveField(model_name="policyfile", name="file_sha256"),
        migrations.RemoveField(model_name="policyfile", name="snapshot"),
        migrations.RemoveField(model_name="policyfile", name="synced_at"),
        migrations.CreateModel(
            name="ImportConflict",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(help_text="The file as the import named it.", max_length=500)),
                ("file_sha256", models.CharField(help_text="Hash of the file's bytes.", max_length=64)),
                (
                    "base",
                    models.CharField(
                        help_text="The known content both sides changed, e.g. 'version 3'.", max_length=500
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(help_text="The record's version the file was compared with."),
                ),
                (
                    "taken",
                    models.JSONField(default=list, help_text="Fields only the file changed: taken when it is settled."),
                ),
                (
                    "fields",
                    models.JSONField(default=list, help_text="Each field both sides changed: base, ours and theirs."),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="policies.filesnapshot"
                    ),
                ),
                (
                    "policy",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="import_conflicts",
                        to="policies.policy",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "default_permissions": ("view", "change"),
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("resolved_at__isnull", True)),
                        fields=("policy", "file_sha256"),
                        name="import_conflict_open_once",
                    )
                ],
            },
        ),
        migrations.AlterField(
            model_name="policyfile",
            name="path",
            field=models.CharField(
                help_text="Relative to the collection's root, '/'-separated.", max_length=500, unique=True
            ),
        ),
    ]
