"""What a provider's receiver really gets conforms to the webhooks the OpenAPI schema describes
(issue 25, item 7): a grant (301) and a reported start (305) and stop (307), their bodies as
networks.webhooks.webhook_body sends them, validated against the schema's `webhooks` section."""

import datetime
import json

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from cases.partners import services as partner_services
from cases.provisions import services as svc
from cases.provisions.models import Allocation, DecisionOutcome, Delivery
from networks.models import Frequency, OrganisationType, Unit, WebhookEvent
from networks.webhooks import webhook_body
from tests.factories import OrganisationFactory
from tests.provision_factories import contract_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def schema(client):
    return client.get("/api/v1/schema/", {"format": "json"}).json()


def test_the_events_sent_are_the_events_described(schema, make_application, consultant):
    provider = OrganisationFactory(type=OrganisationType.CARE_PROVIDER)
    application = make_application()
    application.resident = application.household.memberships.first().resident
    application.save(update_fields=["resident"])
    contract_for(provider=provider, product=application.product)
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.GRANT,
            volume=3,
            unit=Unit.HOUR,
            frequency=Frequency.PER_WEEK,
            start_date=TODAY - datetime.timedelta(days=10),
            end_date=TODAY + datetime.timedelta(days=100),
            delivery=Delivery.IN_KIND,
            provider=provider,
        ),
    )
    allocation = Allocation.objects.get(decision__application=application)
    contract_for(allocation)
    allocation = partner_services.allocation_start(allocation=allocation, started_on=TODAY)
    partner_services.allocation_stop(allocation=allocation, stopped_on=TODAY, reason="19")

    events = WebhookEvent.objects.filter(organisation=provider).order_by("created_at", "pk")
    assert [event.type for event in events] == [
        "allocation.created",
        "allocation.changed",
        "allocation.changed",
    ]
    for event in events:
        webhook = schema["webhooks"][event.type]["post"]
        media = webhook["requestBody"]["content"]["application/json"]
        check = Draft202012Validator({**media["schema"], "components": schema["components"]})
        body = json.loads(webhook_body(event))
        assert not [error.message for error in check.iter_errors(body)], event.type
