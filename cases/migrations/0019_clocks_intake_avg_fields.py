"""Clocks of intake and AVG from the legal terms engine (issue #23).

Meldingen get the stored 7-day personal-plan term of Wmo 2015 art. 2.3.2(2) and the withdrawal
details; AVG correction requests get the extension of art. 12(3) AVG. The deadlines so far were
naive date arithmetic in `save()` (a Saturday or a holiday as the last day, Good Friday and
5 May ignored): every stored deadline is computed again by the engine (`cases.legal_terms`),
with the terms as they stand in this migration. `0019` makes the new deadline required and adds
the constraints."""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

# The terms as of this migration (their homes are cases.intake.selectors and
# cases.avg.selectors; a migration keeps its own copy).
INVESTIGATION_WEEKS = 6
PERSONAL_PLAN_DAYS = 7
AVG_ANSWER_MONTHS = 1


def deadlines_from_the_engine(apps, schema_editor):
    from cases.legal_terms import agreed_term_end, avg_term_end, term_end

    def statutory(received_on, **length):
        try:
            return term_end(received_on, **length)
        except ValueError:  # before the engine's first year: the uncorrected calendar end
            return agreed_term_end(received_on, **length)

    Melding = apps.get_model("cases", "Melding")
    CorrectionRequest = apps.get_model("cases", "CorrectionRequest")
    for received_on in (
        Melding.objects.order_by("received_on").values_list("received_on", flat=True).distinct()
    ):
        Melding.objects.filter(received_on=received_on).update(
            investigation_deadline=statutory(received_on, weeks=INVESTIGATION_WEEKS),
            personal_plan_deadline=statutory(received_on, days=PERSONAL_PLAN_DAYS),
        )
    for received_on in (
        CorrectionRequest.objects.order_by("received_on")
        .values_list("received_on", flat=True)
        .distinct()
    ):
        CorrectionRequest.objects.filter(received_on=received_on).update(
            deadline=avg_term_end(received_on, months=AVG_ANSWER_MONTHS)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_supportplan_one_draft_per_household'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='melding',
            name='personal_plan_deadline',
            field=models.DateField(editable=False, help_text='The resident may hand in a personal plan until this day (Wmo 2015).', null=True, verbose_name='personal plan until'),
        ),
        migrations.AddField(
            model_name='melding',
            name='withdrawn_on',
            field=models.DateField(blank=True, null=True, verbose_name='withdrawn on'),
        ),
        migrations.AddField(
            model_name='melding',
            name='withdrawn_reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='reason for withdrawal'),
        ),
        migrations.AddField(
            model_name='melding',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='withdrawal recorded by'),
        ),
        migrations.AddField(
            model_name='correctionrequest',
            name='extension_reason',
            field=models.TextField(blank=True, help_text='Why the request is complex; told to the resident within the first month.', max_length=2000, verbose_name='reason for the extension'),
        ),
        migrations.AddField(
            model_name='correctionrequest',
            name='extension_told_on',
            field=models.DateField(blank=True, null=True, verbose_name='resident told of the extension on'),
        ),
        migrations.AddField(
            model_name='correctionrequest',
            name='extended_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='extended by'),
        ),
        migrations.RunPython(deadlines_from_the_engine, migrations.RunPython.noop),
    ]
