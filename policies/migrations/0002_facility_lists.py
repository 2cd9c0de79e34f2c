# Facility lists move out of the history rows into a content-addressed table (see FacilityList).

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models


def _key(ids):
    # The same hash as FacilityList.stored: changing one means changing both.
    canonical = json.dumps(ids, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def move_lists_out(apps, schema_editor):
    HistoricalPolicy = apps.get_model("policies", "HistoricalPolicy")
    FacilityList = apps.get_model("policies", "FacilityList")
    rows = HistoricalPolicy.objects.only("history_id", "related_facilities").order_by("history_id")
    batch = []
    for row in rows.iterator(chunk_size=500):
        key = _key(row.related_facilities)
        FacilityList.objects.bulk_create([FacilityList(sha256=key, ids=row.related_facilities)], ignore_conflicts=True)
        row.facilities_id = key
        batch.append(row)
        if len(batch) == 500:
            HistoricalPolicy.objects.bulk_update(batch, ["facilities"])
            batch = []
    if batch:
        HistoricalPolicy.objects.bulk_update(batch, ["facilities"])


def copy_lists_back(apps, schema_editor):
    HistoricalPolicy = apps.get_model("policies", "HistoricalPolicy")
    batch = []
    for row in HistoricalPolicy.objects.select_related("facilities").order_by("history_id").iterator(chunk_size=500):
        row.related_facilities = row.facilities.ids
        batch.append(row)
        if len(batch) == 500:
            HistoricalPolicy.objects.bulk_update(batch, ["related_facilities"])
            batch = []
    if batch:
        HistoricalPolicy.objects.bulk_update(batch, ["related_facilities"])


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='FacilityList',
            fields=[
                ('sha256', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ('ids', models.JSONField()),
            ],
            options={
                'verbose_name': 'facility list',
            },
        ),
        migrations.AddField(
            model_name='historicalpolicy',
            name='facilities',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.facilitylist', verbose_name='relatedFacilities'),
        ),
        migrations.RunPython(move_lists_out, copy_lists_back),
        migrations.RemoveField(
            model_name='historicalpolicy',
            name='related_facilities',
        ),
        migrations.AlterField(
            model_name='historicalpolicy',
            name='facilities',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.facilitylist', verbose_name='relatedFacilities'),
        ),
    ]
