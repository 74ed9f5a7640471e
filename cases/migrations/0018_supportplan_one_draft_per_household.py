"""At most one draft support plan per household (issue 25, item 5).

`plan_create` locks the household and refuses a second open plan; this constraint is the net
under that. Two "new plan" posts at the same moment could leave two drafts before the lock
existed: such a twin is removed first when nothing hangs on it (no goal, action, participant,
version or any other row pointing at it), keeping the oldest draft. A twin that has content is
left alone and the migration stops with the households to resolve by hand (merge the drafts'
content in the screens, then close one), so nothing is ever lost silently.
"""

from django.db import migrations, models
from django.db.models import Count


def remove_empty_twin_drafts(apps, schema_editor):
    SupportPlan = apps.get_model("cases", "SupportPlan")
    drafts = SupportPlan.objects.filter(status="draft")
    twins = (
        drafts.values("household_id").annotate(n=Count("pk")).filter(n__gt=1).values("household_id")
    )
    unresolved = []
    relations = [
        rel
        for rel in SupportPlan._meta.related_objects
        if rel.one_to_many or rel.one_to_one or rel.many_to_many
    ]
    for household_id in twins.values_list("household_id", flat=True):
        plans = list(drafts.filter(household_id=household_id).order_by("created_at", "pk"))
        kept = 1
        for plan in plans[1:]:
            empty = not any(
                rel.related_model._base_manager.filter(**{rel.field.name: plan}).exists()
                for rel in relations
            )
            if empty:
                plan.delete()
            else:
                kept += 1
        if kept > 1:
            unresolved.append(household_id)
    if unresolved:
        raise RuntimeError(
            "These households have more than one draft support plan with content; resolve them "
            f"(keep one draft) before migrating: household ids {sorted(unresolved)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_equated_day"),
    ]

    operations = [
        migrations.RunPython(remove_empty_twin_drafts, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="supportplan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")),
                fields=("household",),
                name="supportplan_one_draft_per_household",
                violation_error_message="This household already has a draft support plan.",
            ),
        ),
    ]
