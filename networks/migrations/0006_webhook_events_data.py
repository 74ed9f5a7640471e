"""Existing deliveries become events (the delivery's uuid is the event's, so a receiver that saw
it as X-Wijkwerk-Delivery recognises the webhook-id); pending ones are due at once. Existing
secrets (64 hex characters) become the same 32 bytes as a Standard Webhooks `whsec_` secret."""

import base64
import re

from django.db import migrations
from django.utils import timezone

HEX_SECRET = re.compile(r"^[0-9a-f]{64}$")


def forwards(apps, schema_editor):
    WebhookDelivery = apps.get_model("networks", "WebhookDelivery")
    WebhookEndpoint = apps.get_model("networks", "WebhookEndpoint")
    WebhookEvent = apps.get_model("networks", "WebhookEvent")
    now = timezone.now()
    deliveries = WebhookDelivery.objects.select_related("endpoint").filter(webhook_event=None)
    for delivery in deliveries.iterator(chunk_size=500):
        delivery.webhook_event = WebhookEvent.objects.create(
            uuid=delivery.uuid,
            organisation_id=delivery.endpoint.organisation_id,
            type=delivery.event,
            payload=delivery.payload,
            created_at=delivery.created_at,
        )
        if delivery.status == "pending":
            delivery.next_attempt_at = now
        delivery.save(update_fields=["webhook_event", "next_attempt_at"])
    for endpoint in WebhookEndpoint.objects.all():
        if HEX_SECRET.match(endpoint.secret):
            raw = bytes.fromhex(endpoint.secret)
            endpoint.secret = "whsec_" + base64.b64encode(raw).decode()
            endpoint.save(update_fields=["secret"])


class Migration(migrations.Migration):

    dependencies = [
        ("networks", "0005_webhook_events"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
