import urllib.error
import urllib.request

from celery import shared_task
from django.conf import settings

from networks.models import DeliveryStatus, WebhookDelivery
from networks.services import (
    WEBHOOK_MAX_ATTEMPTS,
    webhook_attempt_record,
    webhook_body,
    webhook_signature,
)

WEBHOOK_TIMEOUT_SECONDS = 10


class WebhookNotDelivered(Exception):
    pass


@shared_task(bind=True, name="networks.deliver_webhook", max_retries=WEBHOOK_MAX_ATTEMPTS - 1)
def deliver_webhook(self, delivery_id: int) -> str:
    """POST one signed delivery; a failure is retried by the worker with exponential backoff
    (WEBHOOK_BACKOFF_SECONDS, doubled each time: 30 s, 60 s, 120 s, ...). Without a worker
    (tasks in-process) only the first attempt is made."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery.status
    body = webhook_body(delivery)
    request = urllib.request.Request(  # noqa: S310 - the organisation's registered http(s) URL
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "wijkwerk-webhooks/1",
            "X-Wijkwerk-Event": delivery.event,
            "X-Wijkwerk-Delivery": str(delivery.uuid),
            "X-Wijkwerk-Signature": webhook_signature(secret=delivery.endpoint.secret, body=body),
        },
    )
    status_code, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            status_code = response.status
    except urllib.error.HTTPError as exc:
        status_code, error = exc.code, str(exc.reason)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        error = str(exc)
    delivery = webhook_attempt_record(delivery=delivery, status_code=status_code, error=error)
    if delivery.status == DeliveryStatus.PENDING:
        raise self.retry(
            exc=WebhookNotDelivered(error or f"HTTP {status_code}"),
            countdown=settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (delivery.attempts - 1),
        )
    return delivery.status
