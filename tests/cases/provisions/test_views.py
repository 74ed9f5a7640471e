import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from cases.intake.models import LifeDomain, LifeDomainScore
from cases.legal_terms import term_end
from cases.provisions import services as svc
from cases.provisions.models import (
    Allocation,
    ApplicationStatus,
    DecisionOutcome,
    Delivery,
    MandateSpending,
    Notification,
    NotificationKind,
    ProvisionApplication,
    SubsidySignal,
)
from networks.models import Frequency, Unit
from teams.models import AreaConsultant, ConsultantAbsence, LawDomain
from teams.roles import Role
from tests.factories import ConversationFactory, DistrictFactory
from tests.provision_factories import (
    GeneralProvisionFactory,
    ProductFactory,
    StreamBudgetFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def grant_payload(application, provider, **overrides):
    data = {
        "outcome": DecisionOutcome.GRANT,
        "product": application.product.pk,
        "volume": "3",
        "unit": Unit.HOUR,
        "frequency": Frequency.PER_WEEK,
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + datetime.timedelta(weeks=12)).isoformat(),
        "delivery": Delivery.IN_KIND,
        "provider": provider.pk,
        "amount": "",
        "reasons": "",
        "version": application.version,
    }
    data.update(overrides)
    return data


def test_generalist_applies_from_the_household(client_as, generalist, make_household, product):
    household = make_household()
    resident = household.memberships.get().resident
    client = client_as(generalist)
    url = reverse("provisions:application_create", args=[household.uuid])
    assert client.get(url).status_code == 200
    data = {"product": product.pk, "motivation": "Financiën scoort 2.", "applied_on": "2026-11-02"}
    assert "voor wie" in client.post(url, data).content.decode().lower()  # who is it for?
    response = client.post(url, {**data, "resident": resident.pk})
    assert response.status_code == 302
    application = ProvisionApplication.objects.get()
    assert application.decision_deadline == datetime.date(2026, 11, 16)
    assert application.applied_by == generalist
    assert application.resident == resident


def test_application_form_keeps_input_on_errors(client_as, generalist, make_household, product):
    household = make_household()
    response = client_as(generalist).post(
        reverse("provisions:application_create", args=[household.uuid]),
        {"product": product.pk, "motivation": "", "applied_on": "2026-11-02"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Dit veld is vereist." in response.content.decode()
    assert 'value="2026-11-02"' in response.content.decode()
    assert not ProvisionApplication.objects.exists()


def test_apply_is_denied_to_a_consultant_and_outside_the_area(
    client_as, consultant, generalist, make_household, other_area, make_application
):
    household = make_application().household  # the consultant decides it: sees the household
    url = reverse("provisions:application_create", args=[household.uuid])
    assert client_as(consultant).get(url).status_code == 403
    elsewhere = make_household(neighbourhood=other_area["neighbourhood"])
    url = reverse("provisions:application_create", args=[elsewhere.uuid])
    assert client_as(generalist).get(url).status_code == 404


def test_queue_sorted_by_deadline_with_days_left_and_filters(
    client_as, consultant, make_application, other_area, make_household
):
    wmo_soon = make_application(applied_on=TODAY - datetime.timedelta(days=10))
    youth = make_application(product=ProductFactory(youth=True), applied_on=TODAY)
    overdue = make_application(applied_on=TODAY - datetime.timedelta(days=20))
    elsewhere = make_application(  # outside the work area: visible because assigned
        household=make_household(neighbourhood=other_area["neighbourhood"]),
        applied_on=TODAY,
        assigned_to=consultant,
    )
    client = client_as(consultant)

    content = client.get(reverse("provisions:application_queue")).content.decode()
    positions = [content.index(str(a.uuid)) for a in (overdue, wmo_soon, elsewhere, youth)]
    assert positions == sorted(positions)
    # the days follow the stored deadlines, which the Algemene termijnenwet may have moved on
    # past a weekend or holiday (naively 6 over, 4 and 56 left)
    over = (TODAY - overdue.decision_deadline).days
    assert over >= 2 and f"{over} dagen over de termijn" in content
    assert f"nog {(wmo_soon.decision_deadline - TODAY).days} dagen" in content
    assert f"nog {(youth.decision_deadline - TODAY).days} dagen" in content

    filtered = client.get(
        reverse("provisions:application_queue"),
        {"law": "jeugd"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert str(youth.uuid) in filtered and str(wmo_soon.uuid) not in filtered
    assert "<html" not in filtered

    by_area = client.get(
        reverse("provisions:application_queue"), {"district": other_area["district"].pk}
    ).content.decode()
    assert str(elsewhere.uuid) in by_area and str(wmo_soon.uuid) not in by_area

    svc.application_claim(application=wmo_soon, by=consultant)
    in_review = client.get(
        reverse("provisions:application_queue"), {"status": "in_review"}
    ).content.decode()
    assert str(wmo_soon.uuid) in in_review and str(youth.uuid) not in in_review


def test_queue_filters_show_each_district_and_keep_the_chosen_ones(
    client_as, consultant, area, other_area
):
    """The filter fields are rendered once per language, districts and choice: a district
    added later shows at once, and a chosen filter stays selected."""
    client = client_as(consultant)
    url = reverse("provisions:application_queue")
    first = client.get(url).content.decode()
    assert f'<option value="{other_area["district"].pk}">' in first
    assert "Noorderlicht" not in first
    added = DistrictFactory(name="Noorderlicht")
    content = client.get(url).content.decode()
    assert f'<option value="{added.pk}">Noorderlicht</option>' in content
    chosen = client.get(url, {"district": added.pk, "law": "jeugd"}).content.decode()
    assert f'<option value="{added.pk}" selected>Noorderlicht</option>' in chosen
    assert '<option value="jeugd" selected>' in chosen
    assert f'<option value="{added.pk}">Noorderlicht</option>' in client.get(url).content.decode()


@pytest.mark.parametrize(
    "filters",
    [{}, {"law": "wmo"}, {"status": "in_review"}, {"district": "own"}, {"scope": "all"}],
)
def test_queue_pages_match_the_queue_read_as_models(
    client_as, consultant, make_application, area, other_area, make_household, settings, filters
):
    """The work area's queue runs statements compiled once per process (`_WorkAreaQueue`):
    each page and its count are the applications `application_queue` gives, in its order."""
    from cases.provisions.selectors import application_queue

    settings.APPLICATION_QUEUE_PAGE_SIZE = 4
    for days in range(7):
        make_application(applied_on=TODAY - datetime.timedelta(days=days))
    make_application(product=ProductFactory(youth=True))
    svc.application_claim(application=make_application(), by=consultant)
    make_application(  # outside the work area, assigned: in it
        household=make_household(neighbourhood=other_area["neighbourhood"]),
        assigned_to=consultant,
    )
    make_application(household=make_household(neighbourhood=other_area["neighbourhood"]))
    if filters.get("district") == "own":
        filters = {"district": area["district"].pk}
    expected = application_queue(
        user=consultant,
        law=filters.get("law", ""),
        district_id=filters.get("district"),
        status=filters.get("status", ""),
        whole_municipality=filters.get("scope") == "all",
    )
    expected = [str(application.uuid) for application in expected]
    assert expected
    client = client_as(consultant)
    shown = []
    for number in range(1, (len(expected) + 3) // 4 + 1):
        content = client.get(
            reverse("provisions:application_queue"), {**filters, "page": number}
        ).content.decode()
        assert f"{len(expected)} aanvragen" in content or len(expected) == 1
        shown += [uuid for uuid in expected if uuid in content]
    assert shown == expected


def test_the_queue_page_reads_each_rule_on_its_own_and_lists_an_application_once(
    client_as, consultant, make_application
):
    """The work area's page is a `UNION` of its rules (assigned to the consultant; each
    district and law domain), each stopped at the page's last row: an application that two
    rules reach (claimed by the consultant, in their area) is listed once, and the page is in
    deadline order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialdomain.precompiled import prepared_text

    claimed = make_application(applied_on=TODAY - datetime.timedelta(days=3))
    svc.application_claim(application=claimed, by=consultant)
    later = make_application(applied_on=TODAY)
    client = client_as(consultant)
    with CaptureQueriesContext(connection) as queries:
        content = client.get(reverse("provisions:application_queue")).content.decode()
    # a row links its application; the unclaimed one also has its claim form
    assert (content.count(str(claimed.uuid)), content.count(str(later.uuid))) == (1, 2)
    assert content.index(str(claimed.uuid)) < content.index(str(later.uuid))
    [page] = [
        prepared_text(q["sql"])
        for q in queries
        if '"decision_deadline"' in prepared_text(q["sql"]) and "UNION" in prepared_text(q["sql"])
    ]
    assert page.count("UNION") == page.count('"cases_objection"') - 1


def test_queue_query_budget_as_applications_grow(
    client_as, consultant, make_application, django_assert_max_num_queries
):
    client = client_as(consultant)
    for _ in range(3):
        make_application()
    with django_assert_max_num_queries(10):  # incl. the consultant's team districts (need-to-know)
        client.get(reverse("provisions:application_queue"))
    for _ in range(20):
        make_application(assigned_to=consultant)
    with django_assert_max_num_queries(10):  # +1: the households' running investigations
        response = client.get(reverse("provisions:application_queue"))
    assert response.content.decode().count("dagen") >= 20


@pytest.mark.parametrize("role", [Role.GENERALIST, Role.TEAM_LEAD, Role.POLICY_OFFICER, Role.GP])
def test_queue_is_for_consultants_only(client_as, user_with_role, role):
    response = client_as(user_with_role(role)).get(reverse("provisions:application_queue"))
    assert response.status_code == 403


def test_decision_form_is_prefilled_from_the_application(client_as, consultant, make_application):
    application = make_application()
    content = (
        client_as(consultant)
        .get(reverse("provisions:application_detail", args=[application.uuid]))
        .content.decode()
    )
    assert f'<option value="{application.product.pk}" selected>' in content
    assert '<option value="04" selected>' in content  # unit from the product
    assert "€ 60,00" in content  # tariff


def test_consultant_grants_and_the_allocation_exists(
    client_as, consultant, make_application, provider
):
    application = make_application()
    response = client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        grant_payload(application, provider),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    allocation = Allocation.objects.get()
    detail = client_as(consultant).get(response["HX-Redirect"]).content.decode()
    assert allocation.number in detail


def test_incomplete_extent_shows_a_dutch_message_and_keeps_input(
    client_as, consultant, make_application, provider
):
    application = make_application()
    response = client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        grant_payload(application, provider, frequency=""),
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "De omvang bestaat uit volume, eenheid en frequentie" in content
    assert 'value="3"' in content
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_second_decision_gets_a_clear_conflict_message(
    client_as, consultant, second_consultant, make_application
):
    application = make_application()
    payload = {"outcome": DecisionOutcome.REJECT, "reasons": "Geen beperking.", "version": 1}
    svc.decision_make(
        application=application,
        by=second_consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Eerder besloten."),
    )
    response = client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        payload,
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Een collega heeft zojuist over deze aanvraag besloten" in response.content.decode()


def test_deciding_is_denied_to_a_generalist(client_as, generalist, make_application, provider):
    application = make_application()
    response = client_as(generalist).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        grant_payload(application, provider),
    )
    assert response.status_code == 403


def test_refer_back_with_a_subsidy_signal_shows_on_the_signals_page(
    client_as, consultant, make_application, user_with_role
):
    provision = GeneralProvisionFactory(name="Maatjesproject")
    application = make_application()
    client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        {
            "outcome": DecisionOutcome.REFER_BACK,
            "general_provision": provision.pk,
            "reasons": "Probeer eerst een maatje.",
            "signal_subsidy": "on",
            "signal_reason": "Wachtlijst van drie maanden.",
            "version": application.version,
        },
    )
    assert SubsidySignal.objects.get().general_provision == provision
    policy = user_with_role(Role.POLICY_OFFICER)
    content = client_as(policy).get(reverse("provisions:subsidy_signals")).content.decode()
    assert "Maatjesproject" in content and "Wachtlijst van drie maanden." in content
    assert application.household.address_line not in content


def test_signals_page_is_denied_to_generalists(client_as, generalist):
    assert client_as(generalist).get(reverse("provisions:subsidy_signals")).status_code == 403


def test_letter_has_legal_basis_and_objection_clause(
    client_as, consultant, make_application, provider
):
    application = make_application()
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.GRANT,
            volume=3,
            unit=Unit.HOUR,
            frequency=Frequency.PER_WEEK,
            start_date=TODAY,
            delivery=Delivery.IN_KIND,
            provider=provider,
        ),
    )
    response = client_as(consultant).get(
        reverse("provisions:decision_letter", args=[application.uuid])
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Wet maatschappelijke ondersteuning 2015" in content
    assert "binnen 6 weken" in content
    assert "bezwaar" in content
    assert provider.name in content
    # the last day under the Algemene termijnenwet (`decision_objection_deadline`)
    with translation.override("nl"):
        assert date_format(term_end(TODAY, weeks=6), "j F Y") in content


def test_letter_waits_for_the_cosignature(
    client_as, consultant, second_consultant, make_application, provider, settings
):
    settings.FOUR_EYES_AMOUNT = 10
    application = make_application()
    client = client_as(consultant)
    client.post(
        reverse("provisions:application_decide", args=[application.uuid]),
        grant_payload(application, provider),
    )
    letter = reverse("provisions:decision_letter", args=[application.uuid])
    draft = client.get(letter)  # a draft to check while the co-signature is pending
    assert draft.status_code == 200 and b'id="letter-draft"' in draft.content
    detail = client.get(reverse("provisions:application_detail", args=[application.uuid]))
    assert "Wacht op een tweede consulent" in detail.content.decode()

    client = client_as(second_consultant)
    client.post(reverse("provisions:decision_cosign", args=[application.uuid]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    final = client.get(letter)
    assert final.status_code == 200 and b'id="letter-draft"' not in final.content


def test_claim_from_the_queue(client_as, consultant, make_application):
    application = make_application()
    response = client_as(consultant).post(
        reverse("provisions:application_claim", args=[application.uuid]),
        {"version": application.version},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.assigned_to == consultant


def test_household_section_lists_applications_and_referrals(
    client_as, generalist, make_application, django_assert_max_num_queries
):
    application = make_application()
    household = application.household
    svc.referral_create(household=household, provision=GeneralProvisionFactory(), by=generalist)
    client = client_as(generalist)
    # incl. break-the-glass grants for the log row; +2 providers' open 315 requests
    with django_assert_max_num_queries(15):
        response = client.get(
            reverse("provisions:household_provisions", args=[household.uuid]),
            headers={"HX-Request": "true"},
        )
    content = response.content.decode()
    assert application.product.name in content
    assert "Heeft het geholpen?" in content


def test_mandate_grant_form_and_team_lead_overview(
    client_as, generalist, team_lead, mandate, make_household, product
):
    household = make_household()
    client = client_as(generalist)
    url = reverse("provisions:mandate_spend", args=[household.uuid])
    response = client.post(
        url,
        {"amount": "2000.00", "stream": product.budget_stream.pk, "reason": "Huurachterstand"},
        headers={"HX-Request": "true"},
    )
    assert "limiet per huishouden" in response.content.decode()
    response = client.post(
        url, {"amount": "900.00", "stream": product.budget_stream.pk, "reason": "Huurachterstand"}
    )
    assert response.status_code == 302
    assert MandateSpending.objects.get().amount == Decimal("900.00")

    content = client_as(team_lead).get(reverse("provisions:mandate_overview")).content.decode()
    assert "Huurachterstand" in content and "4.100,00" in content
    assert client_as(generalist).get(reverse("provisions:mandate_overview")).status_code == 403


def test_budget_page_committed_vs_budget_per_stream_and_district(
    client_as, consultant, make_application, provider, area, user_with_role
):
    application = make_application()
    StreamBudgetFactory(stream=application.product.budget_stream, amount=Decimal("10000.00"))
    StreamBudgetFactory(
        stream=application.product.budget_stream,
        district=area["district"],
        amount=Decimal("2500.00"),
    )
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.GRANT,
            volume=1,
            unit=Unit.HOUR,
            frequency=Frequency.TOTAL,
            start_date=TODAY,
            delivery=Delivery.IN_KIND,
            provider=provider,
        ),
    )
    content = (
        client_as(user_with_role(Role.POLICY_OFFICER))
        .get(reverse("provisions:budget_overview"))
        .content.decode()
    )
    assert "€ 10.000,00" in content and "€ 60,00" in content and "€ 9.940,00" in content
    assert "€ 2.500,00" in content and "€ 2.440,00" in content
    assert client_as(user_with_role(Role.GP)).get(
        reverse("provisions:budget_overview")
    ).status_code == (403)


def test_start_page_lists_notifications(client_as, consultant, make_application):
    application = make_application(assigned_to=consultant)
    Notification.objects.create(
        user=consultant,
        application=application,
        kind=NotificationKind.DEADLINE_SOON,
        message="Besluit over begeleiding vóór vrijdag.",
    )
    client = client_as(consultant)
    assert "Besluit over begeleiding vóór vrijdag." in client.get("/").content.decode()
    notification = Notification.objects.get()
    client.post(reverse("provisions:notification_read", args=[notification.uuid]))
    assert "Besluit over begeleiding" not in client.get("/").content.decode()


def test_queue_shows_the_consultants_work_area_and_substitutions(
    client_as, consultant, second_consultant, make_application, make_household, area, other_area
):
    AreaConsultant.objects.filter(user=consultant).delete()  # Wmo only, below
    AreaConsultant.objects.create(
        district=area["district"],
        law_domain=LawDomain.WMO,
        user=consultant,
        phone="040-1234567",
        email="c@example.org",
    )
    colleague_area = AreaConsultant.objects.create(
        district=other_area["district"],
        law_domain=LawDomain.WMO,
        user=second_consultant,
        phone="040-7654321",
        email="c2@example.org",
    )
    own = make_application()
    youth_here = make_application(product=ProductFactory(youth=True))
    elsewhere = make_application(
        household=make_household(neighbourhood=other_area["neighbourhood"])
    )
    assigned_elsewhere = make_application(
        household=make_household(neighbourhood=other_area["neighbourhood"]), assigned_to=consultant
    )
    client = client_as(consultant)

    mine = client.get(reverse("provisions:application_queue")).content.decode()
    assert str(own.uuid) in mine and str(assigned_elsewhere.uuid) in mine
    assert str(youth_here.uuid) not in mine and str(elsewhere.uuid) not in mine

    # the whole municipality is everything the consultant decides: the work area and what is
    # assigned to them; a colleague's area stays closed (need-to-know)
    everything = client.get(reverse("provisions:application_queue"), {"scope": "all"})
    assert str(assigned_elsewhere.uuid) in everything.content.decode()
    assert str(elsewhere.uuid) not in everything.content.decode()

    ConsultantAbsence.objects.create(
        consultant=colleague_area,
        start_date=TODAY,
        end_date=TODAY,
        substitute=consultant,
        substitute_phone="040-1234567",
        substitute_email="c@example.org",
    )
    covering = client.get(reverse("provisions:application_queue")).content.decode()
    assert str(elsewhere.uuid) in covering


def test_application_form_starts_from_the_conversations_low_scores(
    client_as, generalist, make_household
):
    household = make_household()
    conversation = ConversationFactory(household=household, held_on=datetime.date(2026, 11, 2))
    for domain, score, note in [
        (LifeDomain.FINANCES, 1, "huurachterstand"),
        (LifeDomain.SOCIAL_NETWORK, 2, ""),
        (LifeDomain.HOUSING, 4, ""),
    ]:
        LifeDomainScore.objects.create(
            conversation=conversation, domain=domain, score=score, note=note
        )
    content = (
        client_as(generalist)
        .get(reverse("provisions:application_create", args=[household.uuid]))
        .content.decode()
    )
    assert "keukentafelgesprek van 2 november 2026" in content
    assert "Financiën: 1 – acute problematiek (huurachterstand)" in content
    assert "Sociaal netwerk: 2 – niet zelfredzaam" in content
    assert "Huisvesting" not in content.split("Motivering")[1].split("</textarea>")[0]
