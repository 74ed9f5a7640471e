"""Clocks of intake and AVG (issue #23), after `0018` filled the deadlines: the personal-plan
deadline is required, and the constraints on deadlines, withdrawal and extension."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0019_clocks_intake_avg_fields'),
    ]

    operations = [
        migrations.AlterField(
            model_name='melding',
            name='personal_plan_deadline',
            field=models.DateField(editable=False, help_text='The resident may hand in a personal plan until this day (Wmo 2015).', verbose_name='personal plan until'),
        ),
        migrations.AddConstraint(
            model_name='melding',
            constraint=models.CheckConstraint(condition=models.Q(('investigation_deadline__gt', models.F('received_on')), ('personal_plan_deadline__gt', models.F('received_on'))), name='melding_deadlines_after_received'),
        ),
        migrations.AddConstraint(
            model_name='melding',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'withdrawn'), models.Q(('withdrawn_on__isnull', True), ('withdrawn_reason', '')), _connector='OR'), name='melding_withdrawal_only_when_withdrawn'),
        ),
        migrations.AddConstraint(
            model_name='correctionrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('extension_reason', ''), ('extension_told_on__isnull', True)), models.Q(('extension_told_on__gte', models.F('received_on')), models.Q(('extension_reason', ''), _negated=True)), _connector='OR'), name='correction_extension_told_with_reason', violation_error_message='An extension needs its reason and the day the resident was told.'),
        ),
    ]
