"""aftercare_check_in_dates: PostgreSQL array -> JSON list of ISO dates, so that the SQLite
development database works too. No production data existed yet; the field is re-created."""

from django.db import migrations

import cases.fields


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_provision_application_plan")]

    operations = [
        migrations.RemoveField(model_name="supportplan", name="aftercare_check_in_dates"),
        migrations.AddField(
            model_name="supportplan",
            name="aftercare_check_in_dates",
            field=cases.fields.DateListField(
                blank=True,
                default=list,
                help_text="Dates to check in after the plan has closed.",
                verbose_name="aftercare: check-in dates",
            ),
        ),
    ]
