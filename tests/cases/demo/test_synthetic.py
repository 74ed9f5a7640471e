"""The synthetic municipality (`generate_municipality`): counts, consistency and that the
generated users can work with what was generated."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from stdnum.nl import bsn as stdnum_bsn

from cases.consent.models import Consent, ConsentPurpose
from cases.consent.selectors import consent_annotate
from cases.demo.synthetic import LETTER_PAIRS, MunicipalityGenerator, Scale, bsn_from_eight_digits
from cases.households import selectors as household_selectors
from cases.households.models import Household, HouseholdMembership, Resident
from cases.intake.models import KitchenTableConversation, LifeDomain, Melding
from cases.legal_terms import agreed_term_end, term_end
from cases.plans.models import SupportPlan
from cases.privacy.models import AccessLogEntry
from cases.provisions.models import (
    DECISION_WEEKS,
    Allocation,
    BudgetCommitment,
    ProvisionApplication,
    ProvisionDecision,
)
from teams.models import District, Postcode, TeamMember

TODAY = datetime.date(2026, 3, 2)
HOUSEHOLDS = 200


@pytest.fixture
def municipality(db):
    out = io.StringIO()
    call_command(
        "generate_municipality",
        households=HOUSEHOLDS,
        seed=7,
        today=TODAY,
        no_progress=True,
        stdout=out,
    )
    return out.getvalue()


def test_counts_and_households_with_members(municipality):
    assert "Grootstede ready" in municipality
    assert Household.objects.count() == HOUSEHOLDS
    residents = Resident.objects.count()
    assert 2.1 * HOUSEHOLDS <= residents <= 2.7 * HOUSEHOLDS
    # every household has current members; every resident lives in exactly one household
    assert not Household.objects.annotate(
        n=Count("memberships", filter=Q(memberships__end_date__isnull=True))
    ).filter(n=0)
    assert HouseholdMembership.objects.current(TODAY).count() == residents
    # every household's postcode is a known postcode of its own neighbourhood
    postcodes = dict(Postcode.objects.values_list("postcode", "neighbourhood_id"))
    for postcode, neighbourhood_id in Household.objects.values_list("postcode", "neighbourhood_id"):
        assert postcodes[postcode] == neighbourhood_id
    # addresses are unique
    assert (
        Household.objects.values("postcode", "house_number", "house_number_addition")
        .distinct()
        .count()
        == HOUSEHOLDS
    )


def test_bsns_are_valid_and_unique(municipality):
    bsns = list(Resident.objects.values_list("bsn", flat=True))
    assert all(stdnum_bsn.is_valid(bsn) for bsn in bsns)
    assert len(set(bsns)) == len(bsns)


def test_bsn_from_eight_digits_passes_the_elfproef():
    made = [bsn_from_eight_digits(n) for n in range(12_345_670, 12_345_700)]
    assert all(stdnum_bsn.is_valid(bsn) for bsn in made if bsn)
    assert made.count(None) < len(made)


def test_postcodes_are_valid_dutch_postcodes():
    from stdnum.nl import postcode

    assert all(postcode.is_valid(f"1011{pair}") for pair in LETTER_PAIRS)


def test_cases_are_consistent(municipality):
    assert Melding.objects.exists()
    # the stored Wmo deadlines are the engine's (Algemene termijnenwet), as the service stores
    for received, investigation, personal_plan in Melding.objects.values_list(
        "received_on", "investigation_deadline", "personal_plan_deadline"
    ):
        assert investigation == term_end(received, weeks=6)
        assert personal_plan == term_end(received, days=7)
    # received on a weekend day, say: the naive count would have ended on a Saturday or Sunday
    assert any(
        investigation != received + datetime.timedelta(weeks=6)
        for received, investigation in Melding.objects.values_list(
            "received_on", "investigation_deadline"
        )
    )
    # a withdrawn melding (if the seed made one) says when and why
    withdrawn = Melding.objects.filter(status="withdrawn")
    assert not withdrawn.filter(Q(withdrawn_reason="") | Q(withdrawn_on__isnull=True)).exists()
    # every conversation has the 13 life-domain scores
    conversations = KitchenTableConversation.objects.annotate(n=Count("scores"))
    assert conversations.exists()
    assert set(conversations.values_list("n", flat=True)) == {len(LifeDomain.values)}
    # ... none "not discussed"; basic needs answered yes / no, food sometimes not asked
    assert all(not codes for codes in conversations.values_list("domains_not_discussed", flat=True))
    assert set(conversations.values_list("debts_crisis", flat=True)) == {False}
    assert set(conversations.values_list("food_crisis", flat=True)) == {False, None}
    # plans belong to coordinated households and have the coordinator of the household
    plans = SupportPlan.objects.select_related("household")
    assert plans.filter(status="active").exists()
    assert all(plan.coordinator_id == plan.household.coordinator_id for plan in plans)
    assert all(plan.goals.exists() for plan in plans)
    assert all(plan.versions.exists() for plan in plans.exclude(status="draft"))
    # agreed terms: the evaluation 3 months after the conversation, check-ins 6 and 13 weeks
    # after closure (no correction)
    for plan in plans.filter(status="closed").select_related("conversation"):
        assert plan.evaluation_date == agreed_term_end(plan.conversation.held_on, months=3)
        closed_on = timezone.localdate(plan.closed_at)
        assert plan.aftercare_check_in_dates == [
            agreed_term_end(closed_on, weeks=6),
            agreed_term_end(closed_on, weeks=13),
        ]
    # applications: the legal term follows the law; some are over it and still open
    applications = ProvisionApplication.objects.all()
    assert applications.exists()
    for application in applications:
        weeks = DECISION_WEEKS[application.law]
        assert application.decision_deadline == term_end(application.applied_on, weeks=weeks)
    decided = applications.filter(status__in=["granted", "rejected", "referred_back"])
    assert ProvisionDecision.objects.count() == decided.count()
    # each decision's letter: made known, the objection term from the engine (Awb 6:7/6:8)
    for decision in ProvisionDecision.objects.prefetch_related("letters"):
        assert decision.made_known_on == timezone.localdate(decision.decided_at)
        assert decision.objection_deadline == term_end(decision.made_known_on, weeks=6)
        [letter] = decision.letters.all()
        assert (letter.version, letter.objection_deadline) == (1, decision.objection_deadline)
    # every allocation is a grant in kind to the provider named in the decision
    for allocation in Allocation.objects.select_related("decision"):
        assert allocation.decision.outcome == "grant"
        assert allocation.decision.delivery == "in_kind"
        assert allocation.provider_id == allocation.decision.provider_id
    grants = ProvisionDecision.objects.filter(outcome="grant")
    assert BudgetCommitment.objects.filter(decision__in=grants).count() == grants.count()
    assert AccessLogEntry.objects.count() == 2 * HOUSEHOLDS


def test_most_allocations_share_the_client_with_the_provider_by_consent_or_legal_basis(
    municipality,
):
    consents = list(Consent.objects.all())
    allocations = Allocation.objects.all()
    ends = {}
    for client, provider, end in allocations.values_list("client_id", "provider_id", "end_date"):
        ends.setdefault((client, provider), set()).add(end)
    for consent in consents:
        # for the provider of one of the client's allocations, from the decision on, until the
        # allocation ends (a legal basis has no end)
        assert consent.purpose == ConsentPurpose.PROVIDER_ALLOCATION
        assert consent.categories == ["contact", "progress"]
        assert consent.withdrawn_on is None
        if consent.legal_basis:
            assert consent.legal_basis_text and consent.expires_on is None
        else:
            assert consent.expires_on in ends[consent.resident_id, consent.organisation_id]
        assert (consent.resident_id, consent.organisation_id) in ends
        consent.full_clean()
    assert {c.legal_basis for c in consents} == {True, False}
    # the partner API's gate: most clients are shared with their provider, some withheld
    shared = consent_annotate(
        allocations,
        resident_field="client",
        organisation=OuterRef("provider"),
        purpose=ConsentPurpose.PROVIDER_ALLOCATION,
        name="shared",
        on=TODAY,
    ).values_list("shared", flat=True)
    counts = Counter(shared)
    assert counts[True] > counts[False] > 0


def test_generalist_sees_their_caseload(municipality, client):
    generalist = get_user_model().objects.get(username="generalist")
    assert TeamMember.objects.filter(user=generalist, active=True).exists()
    mine = Household.objects.filter(coordinator=generalist)
    assert mine.exists()
    caseload = list(household_selectors.caseload(user=generalist))
    assert {h.pk for h in caseload} == set(mine.values_list("pk", flat=True))
    client.force_login(generalist)
    response = client.get(reverse("cases:caseload"))
    assert response.status_code == 200
    assert mine.first().street in response.content.decode()


def test_consultant_queue_and_gp_lookup_work(municipality, client):
    User = get_user_model()
    client.force_login(User.objects.get(username="consultant"))
    response = client.get(reverse("provisions:application_queue"))
    assert response.status_code == 200
    client.force_login(User.objects.get(username="huisarts"))
    postcode = Household.objects.values_list("postcode", flat=True).first()
    response = client.post(reverse("teams:area_contacts"), {"postcode": postcode})
    assert response.status_code == 200
    assert District.objects.get(neighbourhoods__postcodes__postcode=postcode).name in (
        response.content.decode()
    )


def _fingerprint():
    return (
        list(Resident.objects.order_by("pk").values_list("bsn", "first_name", "last_name")),
        list(Household.objects.order_by("pk").values_list("postcode", "house_number")),
        list(ProvisionApplication.objects.order_by("pk").values_list("status", "applied_on")),
    )


@pytest.mark.django_db
def test_same_seed_same_municipality():
    def generate():
        MunicipalityGenerator(households=60, seed=3, today=TODAY, progress=False).run()
        return _fingerprint()

    with transaction.atomic():
        first = generate()
        transaction.set_rollback(True)
    second = generate()
    assert first == second
    assert first[0]


@pytest.mark.django_db(transaction=True)
def test_the_generated_municipality_is_vacuumed_as_autovacuum_would_after_a_bulk_load():
    """Outside a transaction the generator ends with VACUUM (ANALYZE): the pages are marked
    all-visible (index-only scans) and the trigram indexes' pending lists merged (a name
    search would otherwise read every entry COPY left there)."""
    MunicipalityGenerator(households=60, seed=3, today=TODAY, progress=False).run()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible, reltuples FROM pg_class "
            "WHERE oid = 'cases_resident'::regclass"
        )
        pages, all_visible, tuples = cursor.fetchone()
    assert tuples == Resident.objects.count()
    assert pages > 0 and all_visible == pages


def test_scale_grows_with_households():
    small, large = Scale.for_households(200), Scale.for_households(500_000)
    assert small.districts == 2
    assert large.districts == 20
    assert large.generalists_per_team == 25
    assert large.neighbourhoods_per_district == 10


def test_the_generator_refuses_a_database_holding_the_demo_before_writing(db):
    call_command("seed_demo", households=3, verbosity=0)
    counts = (Household.objects.count(), Resident.objects.count(), District.objects.count())
    out = io.StringIO()
    with pytest.raises(Exception, match="already holds households or residents") as refused:
        call_command("generate_municipality", households=10, no_progress=True, stdout=out)
    assert "\n" not in str(refused.value)  # one line
    assert (Household.objects.count(), Resident.objects.count(), District.objects.count()) == counts


def test_the_residents_neighbourhoods_are_what_the_triggers_keep(municipality):
    """The generator writes `cases_resident.neighbourhoods` with the residents (its trigger is
    off for the bulk load): the same as the database's own refresh makes, and the trigger is on
    again afterwards."""
    with connection.cursor() as cursor:
        cursor.execute('SELECT "id", "neighbourhoods" FROM "cases_resident" ORDER BY "id"')
        written = cursor.fetchall()
        cursor.execute(
            'SELECT "cases_resident_neighbourhoods_refresh"(ARRAY(SELECT "id" '
            'FROM "cases_resident"))'
        )
        cursor.execute('SELECT "id", "neighbourhoods" FROM "cases_resident" ORDER BY "id"')
        assert cursor.fetchall() == written
        trigger = "cases_membership_neighbourhoods_insert"
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = %s", [trigger])
        assert cursor.fetchone() == ("O",)
    assert all(len(neighbourhoods) == 1 for _id, neighbourhoods in written)
    # the name search finds the generalist's residents through them
    generalist = get_user_model().objects.get(username="generalist")
    resident = Resident.objects.filter(
        memberships__household__in=household_selectors.households_visible_to(generalist)
    ).first()
    search = household_selectors.household_search(user=generalist, query=resident.last_name)
    assert search.count > 0
