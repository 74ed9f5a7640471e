"""Demo moves (#16): a household of district Noord that moved into Centrum and waits on the
Centrum team page as an incoming handover (with its melding's running clock and a draft plan),
and a person who left a Centrum household, found by BSN as a former member. Through the real
services; idempotent (skipped when a handover exists)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.demo.fakes import synthetic_bsn
from cases.households import services as household_services
from cases.households.models import Handover, MembershipRole
from cases.intake import services as intake_services
from cases.intake.models import MeldingChannel
from cases.plans import services as plan_services
from teams.models import MemberProfile, Team, TeamMember
from teams.roles import Role
from teams.services import user_role_assign

NOORD, CENTRUM = "WK099902", "WK099901"


def seed_moves(*, generalist, rng) -> int:
    if generalist is None or Handover.objects.exists():
        return 0
    team = Team.objects.filter(district__code=NOORD).first()
    if team is None or not Team.objects.filter(district__code=CENTRUM).exists():
        return 0
    colleague, created = get_user_model().objects.get_or_create(
        username="wijkwerker-noord",
        defaults={"first_name": "Tom", "last_name": "Hendriks"},
    )
    if created:
        colleague.set_unusable_password()  # no demo login: the handover's sending coordinator
        colleague.save()
    user_role_assign(user=colleague, role=Role.GENERALIST)
    TeamMember.objects.get_or_create(
        team=team, user=colleague, defaults={"profile": MemberProfile.CARE_WORKER}
    )
    today = timezone.localdate()
    household = household_services.household_create(
        by=colleague,
        street="Vlinderstraat",
        house_number=8,
        postcode="5621AC",
        city="Dommelstede",
        residents=[
            household_services.NewResident(
                bsn=synthetic_bsn(rng),
                first_name="Ria",
                last_name="Verhoeven",
                birth_date=datetime.date(1951, 4, 2),
                role=MembershipRole.PARENT,
            )
        ],
        moved_in_on=datetime.date(2009, 6, 1),
    )
    intake_services.melding_register(
        household=household,
        by=colleague,
        channel=MeldingChannel.PHONE,
        question="Traplopen lukt niet meer; zoekt hulp bij het huishouden.",
        received_on=today - datetime.timedelta(days=10),
    )
    plan_services.plan_create(household=household, by=colleague)
    household.refresh_from_db()
    household_services.household_update(
        household=household,
        by=colleague,
        expected_version=household.version,
        street="Stationsplein",
        house_number=21,
        house_number_addition="",
        postcode="5612AD",
        reason="Verhuisd naar een benedenwoning dicht bij haar dochter.",
    )
    # a person who left a household in Centrum: a BSN search finds them as a former member
    left = household_services.household_create(
        by=generalist,
        street="Kerkstraat",
        house_number=40,
        postcode="5611AE",
        city="Dommelstede",
        residents=[
            household_services.NewResident(
                bsn=synthetic_bsn(rng),
                first_name="Daan",
                last_name="Kuipers",
                birth_date=datetime.date(1990, 9, 14),
                role=MembershipRole.PARTNER,
            ),
            household_services.NewResident(
                bsn=synthetic_bsn(rng),
                first_name="Noor",
                last_name="Bakker",
                birth_date=datetime.date(1992, 2, 3),
                role=MembershipRole.PARTNER,
            ),
        ],
        moved_in_on=datetime.date(2019, 3, 1),
    )
    daan = left.memberships.get(resident__first_name="Daan")
    household_services.membership_end(
        membership=daan, by=generalist, end_date=today - datetime.timedelta(days=30)
    )
    return 1
