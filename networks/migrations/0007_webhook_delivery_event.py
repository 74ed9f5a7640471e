import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("networks", "0006_webhook_events_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="webhookdelivery", name="event"),
        migrations.RemoveField(model_name="webhookdelivery", name="payload"),
        migrations.RenameField(
            model_name="webhookdelivery", old_name="webhook_event", new_name="event"
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="networks.webhookevent",
                verbose_name="event",
            ),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["next_attempt_at"],
                name="delivery_due_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.UniqueConstraint(
                fields=("endpoint", "event"), name="delivery_once_per_event"
            ),
        ),
    ]
