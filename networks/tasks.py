from celery import shared_task

from networks import webhooks


@shared_task(name="networks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str:
    """The first attempt of a new delivery, right after the commit that created it. No Celery
    retries: a failed attempt is due again in the database and `webhook_deliveries_due` sends
    it."""
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(name="networks.webhook_deliveries_due")
def webhook_deliveries_due() -> int:
    """Beat, every minute: send the deliveries whose next attempt is due."""
    return webhooks.webhook_deliveries_due()


@shared_task(name="networks.webhook_events_purge")
def webhook_events_purge() -> int:
    """Beat, nightly: events older than WEBHOOK_EVENT_RETENTION_DAYS, with their deliveries
    and attempts."""
    return webhooks.webhook_events_purge()
