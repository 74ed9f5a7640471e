"""The consultant's decision screen (issue 24, item 3): the household around the application on
the same page, only the chosen outcome's fields taken, the provider list and the decision
limited to providers with a contract for the product on the start date, and the letter
preview beside the form."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.intake.models import LifeDomain, LifeDomainScore
from cases.plans.models import PlanGoal
from cases.privacy.models import AccessLogEntry
from cases.provisions import selectors as sel
from cases.provisions import services as svc
from cases.provisions.models import (
    ApplicationStatus,
    DecisionOutcome,
    Delivery,
    ProvisionDecision,
    SubsidySignal,
)
from networks.models import Frequency, OrganisationType, Unit
from tests.factories import (
    ConversationFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    SupportPlanFactory,
)
from tests.provision_factories import GeneralProvisionFactory, ProductFactory, contract_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def grant(provider, start=TODAY, delivery=Delivery.IN_KIND):
    return svc.DecisionInput(
        outcome=DecisionOutcome.GRANT,
        volume=3,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=start,
        end_date=start + 90 * DAY,
        delivery=delivery,
        provider=provider if delivery == Delivery.IN_KIND else None,
    )


@pytest.fixture
def uncontracted(db):
    return OrganisationFactory(name="Zorg Zonder Contract", type=OrganisationType.CARE_PROVIDER)


# The contract rule in the service --------------------------------------------------------------


def test_a_grant_in_kind_without_a_contract_is_refused_with_a_clear_message(
    make_application, consultant, uncontracted
):
    application = make_application()
    with pytest.raises(ValidationError) as refused:
        svc.decision_make(application=application, by=consultant, data=grant(uncontracted))
    [message] = refused.value.message_dict["provider"]
    assert "Zorg Zonder Contract" in message and "geen contract" in message
    assert not ProvisionDecision.objects.exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_contract_must_run_on_the_start_date_and_be_for_the_product(
    make_application, consultant, uncontracted, product
):
    application = make_application()
    # ended the day before, starts the day after, or for another product: none counts
    contract_for(provider=uncontracted, product=product, valid_from=TODAY - 400 * DAY,
                 valid_until=TODAY - DAY)  # fmt: skip
    contract_for(provider=uncontracted, product=product, valid_from=TODAY + DAY)
    contract_for(provider=uncontracted, product=ProductFactory(youth=True))
    with pytest.raises(ValidationError, match="geen contract"):
        svc.decision_make(application=application, by=consultant, data=grant(uncontracted))
    # a grant that starts when the later contract runs is fine
    decision = svc.decision_make(
        application=application, by=consultant, data=grant(uncontracted, start=TODAY + DAY)
    )
    assert decision.provider == uncontracted


def test_the_contract_on_its_last_day_counts_and_a_pgb_needs_none(
    make_application, consultant, uncontracted, product
):
    contract_for(provider=uncontracted, product=product, valid_from=TODAY - 9 * DAY,
                 valid_until=TODAY)  # fmt: skip
    in_kind = svc.decision_make(
        application=make_application(), by=consultant, data=grant(uncontracted)
    )
    assert in_kind.allocations.get().provider == uncontracted
    pgb = svc.decision_make(
        application=make_application(), by=consultant, data=grant(None, delivery=Delivery.PGB)
    )
    assert pgb.provider is None and pgb.delivery == Delivery.PGB


def test_contracted_providers_are_the_active_ones_with_a_contract_that_day(
    provider, uncontracted, product
):
    inactive = OrganisationFactory(active=False)
    contract_for(provider=inactive, product=product)
    contract_for(provider=uncontracted, product=product, valid_from=TODAY + DAY)
    assert list(sel.contracted_providers(product_id=product.pk, on=TODAY)) == [provider]
    assert set(sel.contracted_providers(product_id=product.pk, on=TODAY + DAY)) == {
        provider,
        uncontracted,
    }


# The screen ------------------------------------------------------------------------------------


@pytest.fixture
def full_household(make_application, product, provider, consultant, generalist):
    """An application whose household has two conversations, a plan with goals, a network,
    other applications (one decided, with its allocation) and a referral."""

    def make(extra=0):
        application = make_application()
        household = application.household
        earlier = ConversationFactory(household=household, held_on=TODAY - 60 * DAY)
        latest = ConversationFactory(household=household, held_on=TODAY - 5 * DAY)
        for conversation, finances, network in ((earlier, 2, 3), (latest, 3, 2)):
            LifeDomainScore.objects.create(
                conversation=conversation, domain=LifeDomain.FINANCES, score=finances
            )
            LifeDomainScore.objects.create(
                conversation=conversation, domain=LifeDomain.SOCIAL_NETWORK, score=network
            )
        plan = SupportPlanFactory(household=household, conversation=latest)
        application.plan = plan
        application.save(update_fields=["plan"])
        for n in range(1 + extra):
            PlanGoal.objects.create(
                plan=plan, domain=LifeDomain.FINANCES, description=f"Schulden op een rij {n}"
            )
            NetworkMemberFactory(household=household, name=f"Buurvrouw Els {n}")
            decided = make_application(household=household, product=product)
            svc.decision_make(application=decided, by=consultant, data=grant(provider))
            make_application(household=household, product=ProductFactory(youth=True))
            svc.referral_create(
                household=household, provision=GeneralProvisionFactory(), by=generalist, reason=""
            )
        return application

    return make


def test_the_decision_page_shows_the_household_around_the_application(
    client, consultant, full_household
):
    application = full_household()
    client.force_login(consultant)
    before = AccessLogEntry.objects.count()
    content = client.get(
        reverse("provisions:application_detail", args=[application.uuid])
    ).content.decode()

    assert 'id="household-context"' in content
    scores = content[content.index('id="context-scores"') :]
    assert "Financiën" in scores and "(+1" in scores  # 2 then 3
    assert "Sociaal netwerk" in scores and "(-1" in scores  # 3 then 2
    assert "Schulden op een rij 0" in content  # the plan's goals
    assert "Buurvrouw Els 0" in content  # the network
    assert "Jeugdhulp ambulant" in content[content.index('id="context-provisions"') :]
    decisions = content[content.index('id="context-decisions"') :]
    assert "Toekennen" in decisions
    # one access-log row for the page, none per section
    assert AccessLogEntry.objects.count() == before + 1


def test_the_decision_page_reads_its_context_in_a_fixed_number_of_queries(
    client, consultant, full_household, django_assert_max_num_queries
):
    small, large = full_household(), full_household(extra=4)
    client.force_login(consultant)
    client.get(reverse("provisions:application_detail", args=[small.uuid]))  # warm the session
    with django_assert_max_num_queries(40) as small_queries:
        client.get(reverse("provisions:application_detail", args=[small.uuid]))
    with django_assert_max_num_queries(len(small_queries)):
        page = client.get(reverse("provisions:application_detail", args=[large.uuid]))
    assert "Buurvrouw Els 4" in page.content.decode()


def test_the_provider_list_holds_only_contracted_providers(
    client, consultant, make_application, provider, uncontracted
):
    application = make_application()
    client.force_login(consultant)
    content = client.get(
        reverse("provisions:application_detail", args=[application.uuid])
    ).content.decode()
    provider_field = content[content.index('id="provider-field"') :]
    provider_field = provider_field[: provider_field.index("</select>")]
    assert provider.name in provider_field
    assert uncontracted.name not in provider_field


def test_only_the_chosen_outcomes_fields_are_validated_and_kept(
    client, consultant, make_application, uncontracted
):
    application = make_application()
    client.force_login(consultant)
    response = client.post(
        reverse("provisions:application_decide", args=[application.uuid]),
        {
            "outcome": DecisionOutcome.REJECT,
            "reasons": "Eigen kracht en netwerk volstaan.",
            # left over in the hidden grant fieldset: not validated, not stored
            "volume": "veel",
            "start_date": "gisteren",
            "delivery": Delivery.IN_KIND,
            "provider": uncontracted.pk,
            "signal_subsidy": "on",
            "version": application.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    decision = ProvisionDecision.objects.get()
    assert decision.outcome == DecisionOutcome.REJECT
    assert decision.provider is None and decision.volume is None and decision.start_date is None
    assert not SubsidySignal.objects.exists()


def test_the_form_refuses_a_provider_without_a_contract(
    client, consultant, make_application, uncontracted
):
    application = make_application()
    client.force_login(consultant)
    response = client.post(
        reverse("provisions:application_decide", args=[application.uuid]),
        {
            "outcome": DecisionOutcome.GRANT,
            "product": application.product.pk,
            "volume": "3",
            "unit": Unit.HOUR,
            "frequency": Frequency.PER_WEEK,
            "start_date": TODAY.isoformat(),
            "delivery": Delivery.IN_KIND,
            "provider": uncontracted.pk,
            "version": application.version,
        },
    )
    assert response.status_code == 200
    assert "geen contract" in response.content.decode()
    assert not ProvisionDecision.objects.exists()


def test_the_letter_preview_follows_the_form_and_decides_nothing(
    client, consultant, make_application
):
    application = make_application()
    client.force_login(consultant)
    url = reverse("provisions:decision_preview", args=[application.uuid])
    before = AccessLogEntry.objects.count()
    panel = client.post(
        url,
        {"outcome": DecisionOutcome.REJECT, "reasons": "Past binnen eigen kracht."},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert panel.lstrip().startswith('<div id="letter-preview">')
    assert "Past binnen eigen kracht." in panel
    assert "wijzen uw aanvraag" in panel  # "We reject your application"
    assert "bezwaar" in panel
    assert not ProvisionDecision.objects.exists()
    assert AccessLogEntry.objects.count() == before + 1

    # without JavaScript: the whole page, the form as filled in and the preview beside it
    page = client.post(
        url, {"outcome": DecisionOutcome.REJECT, "reasons": "Past binnen eigen kracht."}
    ).content.decode()
    assert 'id="decision-form"' in page and 'id="letter-preview-letter"' in page
    assert not ProvisionDecision.objects.exists()


def test_the_letter_preview_is_in_the_residents_language(client, consultant, make_application):
    application = make_application()
    resident = application.household.memberships.first().resident
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    application.resident = resident
    application.save(update_fields=["resident"])
    client.force_login(consultant)  # the consultant's screen is Dutch
    url = reverse("provisions:decision_preview", args=[application.uuid])
    data = {"outcome": DecisionOutcome.REJECT, "reasons": "Past binnen eigen kracht."}
    for headers in ({"HX-Request": "true"}, {}):
        page = client.post(url, data, headers=headers).content.decode()
        assert "We reject your application" in page and 'lang="en"' in page
        assert "wijzen uw aanvraag" not in page


def test_the_provider_field_follows_the_start_date(
    client, consultant, make_application, provider, uncontracted, product
):
    contract_for(provider=uncontracted, product=product, valid_from=TODAY + 30 * DAY)
    application = make_application()
    client.force_login(consultant)
    url = reverse("provisions:decision_preview", args=[application.uuid]) + "?deel=aanbieder"
    data = {"outcome": DecisionOutcome.GRANT, "product": product.pk}
    today = client.post(
        url, {**data, "start_date": TODAY.isoformat()}, headers={"HX-Request": "true"}
    ).content.decode()
    later = client.post(
        url,
        {**data, "start_date": (TODAY + 30 * DAY).isoformat()},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert provider.name in today and uncontracted.name not in today
    assert provider.name in later and uncontracted.name in later


def test_a_decided_application_has_no_preview(client, consultant, make_application, provider):
    application = make_application()
    svc.decision_make(application=application, by=consultant, data=grant(provider))
    client.force_login(consultant)
    response = client.post(
        reverse("provisions:decision_preview", args=[application.uuid]),
        {"outcome": DecisionOutcome.REJECT},
    )
    assert response.status_code == 403
