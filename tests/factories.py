"""factory_boy factories with Dutch fakes and synthetic valid BSNs."""

import datetime
import random
import re

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.demo.fakes import synthetic_bsn
from cases.households.models import Household, HouseholdMembership, MembershipRole, Resident
from cases.intake.models import (
    InformalNetworkKind,
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    Melding,
    MeldingChannel,
)
from cases.intake.selectors import melding_investigation_deadline, melding_personal_plan_deadline
from cases.plans.models import AgreementMethod, PlanAgreement, PlanGoal, SupportPlan
from networks.models import Organisation, OrganisationType
from teams.models import (
    AreaConsultant,
    AreaStatistics,
    ConsultantAbsence,
    District,
    LawDomain,
    MemberSpecialism,
    Municipality,
    Neighbourhood,
    Postcode,
    Team,
    TeamMember,
)
from teams.roles import Role
from teams.services import user_role_assign

_rng = random.Random(7513)


class PlainFaker(factory.Faker):
    """Dutch fake text without characters that HTML escapes ('t Loo, Jansen & Zn): tests
    compare names with rendered pages; escaping itself is tested in test_hostile_input."""

    def evaluate(self, instance, step, extra):
        value = super().evaluate(instance, step, extra)
        return re.sub(r"[\'\"&<>]", "", value).strip() if isinstance(value, str) else value


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    code = "GM0999"
    name = "Dommelstede"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"WK{999000 + n:06d}")
    name = PlainFaker("city", locale="nl_NL")


class NeighbourhoodFactory(DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"BU{99900000 + n:08d}")
    name = PlainFaker("street_name", locale="nl_NL")


class PostcodeFactory(DjangoModelFactory):
    class Meta:
        model = Postcode

    postcode = factory.Sequence(
        lambda n: f"{5000 + n // 20}{'ABCDEFGHJK'[n % 10]}{'ABCD'[n // 10 % 2]}"
    )
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    district = factory.SubFactory(DistrictFactory)
    name = factory.LazyAttribute(lambda team: f"Wijkteam {team.district.name}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = PlainFaker("first_name", locale="nl_NL")
    last_name = PlainFaker("last_name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", "wijkwerk-test")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        for role in extracted or ():
            user_role_assign(user=self, role=role)


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.GENERALIST])


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    bsn = factory.LazyFunction(lambda: synthetic_bsn(_rng))
    first_name = PlainFaker("first_name", locale="nl_NL")
    last_name = PlainFaker("last_name", locale="nl_NL")
    birth_date = factory.Faker("date_of_birth", locale="nl_NL", minimum_age=18, maximum_age=90)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    street = PlainFaker("street_name", locale="nl_NL")
    house_number = factory.Sequence(lambda n: n % 300 + 1)
    postcode = factory.LazyAttribute(
        lambda household: (
            household.neighbourhood.postcodes.values_list("postcode", flat=True).first()
            if household.neighbourhood
            else "9999ZZ"
        )
    )
    city = "Dommelstede"
    neighbourhood = None


class HouseholdMembershipFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdMembership

    household = factory.SubFactory(HouseholdFactory)
    resident = factory.SubFactory(ResidentFactory)
    role = MembershipRole.PARENT


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"org-{n}")
    name = PlainFaker("company", locale="nl_NL")
    type = OrganisationType.CARE_PROVIDER


class MemberSpecialismFactory(DjangoModelFactory):
    class Meta:
        model = MemberSpecialism

    member = factory.SubFactory(TeamMemberFactory)
    specialism = "ggz"


class AreaStatisticsFactory(DjangoModelFactory):
    class Meta:
        model = AreaStatistics

    district = factory.SubFactory(DistrictFactory)
    year = 2025
    residents = 12000
    households = 5400
    share_single_parent = 6
    share_low_income = 8
    share_65_plus = 18
    share_under_18 = 17


class AreaConsultantFactory(DjangoModelFactory):
    class Meta:
        model = AreaConsultant

    district = factory.SubFactory(DistrictFactory)
    law_domain = LawDomain.WMO
    user = factory.SubFactory(UserFactory, roles=[Role.CONSULTANT])
    phone = factory.Sequence(lambda n: f"040-23{n:05d}")
    email = factory.Sequence(lambda n: f"consulent{n}@gemeente.example")
    reachable_hours = "ma-do 9:00-12:00"


class ConsultantAbsenceFactory(DjangoModelFactory):
    class Meta:
        model = ConsultantAbsence

    consultant = factory.SubFactory(AreaConsultantFactory)
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda a: a.start_date + datetime.timedelta(days=7))
    substitute = factory.SubFactory(UserFactory, roles=[Role.CONSULTANT])
    substitute_phone = "040-2389999"
    substitute_email = "vervanger@gemeente.example"


class MeldingFactory(DjangoModelFactory):
    class Meta:
        model = Melding

    household = factory.SubFactory(HouseholdFactory)
    channel = MeldingChannel.PHONE
    question = factory.Faker("sentence", locale="nl_NL")
    received_on = factory.LazyFunction(timezone.localdate)
    # what `melding_register` stores: the one function for each deadline
    investigation_deadline = factory.LazyAttribute(
        lambda o: melding_investigation_deadline(received_on=o.received_on)
    )
    personal_plan_deadline = factory.LazyAttribute(
        lambda o: melding_personal_plan_deadline(received_on=o.received_on)
    )


class ConversationFactory(DjangoModelFactory):
    class Meta:
        model = KitchenTableConversation

    household = factory.SubFactory(HouseholdFactory)
    place = "thuis"
    resident_story = factory.Faker("paragraph", locale="nl_NL")


class NetworkMemberFactory(DjangoModelFactory):
    class Meta:
        model = InformalNetworkMember

    household = factory.SubFactory(HouseholdFactory)
    kind = InformalNetworkKind.NEIGHBOUR
    name = PlainFaker("name", locale="nl_NL")


class SupportPlanFactory(DjangoModelFactory):
    """A draft plan; `SupportPlanFactory(ready=True)` has a coordinator, aftercare and a goal,
    so it can be activated."""

    class Meta:
        model = SupportPlan
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)

    class Params:
        ready = factory.Trait(
            aftercare_in_place="Waakvlam: maandelijks contact met de buurtwerker.",
            aftercare_agreed_with="Buurtwerker Sanne",
        )

    @factory.post_generation
    def coordinator(self, create, extracted, **kwargs):
        """The plan's coordinator is the household's (one field): `coordinator=` sets the
        household's; a ready plan of a household without one gets a generalist."""
        if not create:
            return
        if extracted is None and self.aftercare_in_place and self.household.coordinator is None:
            extracted = UserFactory(roles=[Role.GENERALIST])
        if extracted is not None:
            Household.objects.filter(pk=self.household_id).update(coordinator=extracted)
            self.household.coordinator = extracted

    @factory.post_generation
    def goals(self, create, extracted, **kwargs):
        if create and (extracted or self.aftercare_in_place):
            for text in extracted or ["Rust in de financiën"]:
                PlanGoal.objects.create(plan=self, domain=LifeDomain.FINANCES, description=text)

    @factory.post_generation
    def agreed(self, create, extracted, **kwargs):
        """A ready plan is agreed (by a representative, so the household needs no resident)
        as it is: `agreed=False` leaves it without an agreement."""
        if create and self.aftercare_in_place and extracted is not False:
            PlanAgreement.objects.create(
                plan=self,
                version=0,
                method=AgreementMethod.REPRESENTATIVE,
                agreed_by_name="J. de Vries",
                representative_capacity="mentor",
                agreed_on=datetime.date.today(),
            )
