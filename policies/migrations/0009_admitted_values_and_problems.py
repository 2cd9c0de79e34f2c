"""Drafts are admitted with their problems: values their fields cannot hold are kept as written, and problems are
stored with the warnings, blocking approval and placed by line and column.

The texts the collection carries lose their 200-character limit; country and category keep one that the admin
list's indexes need (see `INDEXED_TEXT_MAX_LENGTH`). No stored value or fingerprint changes: an empty `invalid` is
left out of the content hash, as every empty field is.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0008_collection_check_owed"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpolicy",
            name="invalid",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Values the file gave that their fields cannot hold (a score of 85.5, a date written 01/10/2024), as YAML by their keys (analysis.market.score): exported as written, and each a problem to fix, until an edit gives the field a value it can hold.",
                verbose_name="values as written",
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="invalid",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Values the file gave that their fields cannot hold (a score of 85.5, a date written 01/10/2024), as YAML by their keys (analysis.market.score): exported as written, and each a problem to fix, until an edit gives the field a value it can hold.",
                verbose_name="values as written",
            ),
        ),
        migrations.AddField(
            model_name="policywarning",
            name="blocking",
            field=models.BooleanField(
                default=False, help_text="A problem: the record is not approved while it stands."
            ),
        ),
        migrations.AddField(
            model_name="policywarning",
            name="column",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="policywarning",
            name="line",
            field=models.PositiveIntegerField(
                blank=True, help_text="Where the value is in the record's file.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="category",
            field=models.TextField(blank=True, max_length=400),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="country",
            field=models.TextField(blank=True, max_length=400),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="legal_weight",
            field=models.TextField(blank=True, verbose_name="legalWeight"),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="provenance_author",
            field=models.TextField(blank=True, verbose_name="author"),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="provenance_reviewer",
            field=models.TextField(blank=True, verbose_name="reviewer"),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="review_status",
            field=models.TextField(
                blank=True,
                help_text="As written in the file; the review state below is what the app trusts.",
                verbose_name="reviewStatus",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="scope",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="historicalpolicy",
            name="status",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="policy",
            name="category",
            field=models.TextField(blank=True, max_length=400),
        ),
        migrations.AlterField(
            model_name="policy",
            name="country",
            field=models.TextField(blank=True, max_length=400),
        ),
        migrations.AlterField(
            model_name="policy",
            name="legal_weight",
            field=models.TextField(blank=True, verbose_name="legalWeight"),
        ),
        migrations.AlterField(
            model_name="policy",
            name="provenance_author",
            field=models.TextField(blank=True, verbose_name="author"),
        ),
        migrations.AlterField(
            model_name="policy",
            name="provenance_reviewer",
            field=models.TextField(blank=True, verbose_name="reviewer"),
        ),
        migrations.AlterField(
            model_name="policy",
            name="review_status",
            field=models.TextField(
                blank=True,
                help_text="As written in the file; the review state below is what the app trusts.",
                verbose_name="reviewStatus",
            ),
        ),
        migrations.AlterField(
            model_name="policy",
            name="scope",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="policy",
            name="status",
            field=models.TextField(blank=True),
        ),
    ]
