"""The district on applications (docs/performance.md): the consultant's queue and its count
filter the applications alone, without a join to households."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_districts(apps, schema_editor):
    ProvisionApplication = apps.get_model("cases", "ProvisionApplication")
    Household = apps.get_model("cases", "Household")
    ProvisionApplication.objects.update(
        district_id=Subquery(
            Household.objects.filter(pk=OuterRef("household_id")).values(
                "neighbourhood__district_id"
            )[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0039_gp_handoff"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="provisionapplication",
            name="district",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="teams.district",
                verbose_name="district",
            ),
        ),
        migrations.RunPython(fill_districts, migrations.RunPython.noop),
    ]
