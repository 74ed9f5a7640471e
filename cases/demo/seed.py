"""The demo municipality *Dommelstede* for `manage.py seed_demo`: areas, teams, organisations,
users, households and their cases. Idempotent: running it again changes nothing.

The command itself lives in `outcomes` (the top of the apps' stack), because the demo also
seeds the dashboards' histories and `cases` never imports `outcomes`."""

import datetime
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from cases.demo.avg import seed_avg
from cases.demo.caseload import seed_caseload
from cases.demo.fakes import FIRST_NAMES, LAST_NAMES, NAME_PREFIXES, STREETS, synthetic_bsn
from cases.demo.handoffs import seed_handoffs
from cases.demo.journal import seed_journal
from cases.demo.moves import seed_moves
from cases.demo.provisions import seed_provisions
from cases.households import services as household_services
from cases.households.models import Household, MembershipRole
from networks.models import Organisation, OrganisationType
from teams import services as team_services
from teams.models import (
    AreaConsultant,
    District,
    LawDomain,
    MemberProfile,
    Municipality,
    Neighbourhood,
    Postcode,
    Team,
    TeamMember,
)
from teams.roles import Role
from teams.services import user_role_assign

DEMO_PASSWORD = "wijkwerk-demo"  # noqa: S105 - documented demo-only password
MUNICIPALITY = ("GM0999", "Dommelstede")
# district code, name, [(neighbourhood name, [PC4 numbers])]
DISTRICTS = [
    ("WK099901", "Centrum", [("Binnenstad", [5611, 5612]), ("Stationskwartier", [5613])]),
    ("WK099902", "Noord", [("Vlinderbuurt", [5621, 5622]), ("Bloemenwijk", [5623])]),
    ("WK099903", "Oost", [("Molenhoek", [5631]), ("Het Ven", [5632, 5633])]),
    ("WK099904", "Zuid", [("Tuinstad", [5641, 5642]), ("De Akkers", [5643])]),
]
LETTER_PAIRS = ["AA", "AB", "AC", "AD", "AE", "AG", "AH", "AJ", "AK", "AL"]
DEMO_USERS = [
    # username, first name, last name, role, team district code (or None)
    ("generalist", "Fatma", "Demir", Role.GENERALIST, "WK099901"),
    ("consultant", "Pieter", "de Wit", Role.CONSULTANT, None),
    ("teamleider", "Karin", "Smulders", Role.TEAM_LEAD, "WK099901"),
    ("beleid", "Joris", "van Leeuwen", Role.POLICY_OFFICER, None),
    ("huisarts", "Esther", "Claassen", Role.GP, None),
    ("beheer", "Ron", "Verbeek", Role.FUNCTIONAL_ADMIN, None),
    ("privacy", "Samira", "El Amrani", Role.PRIVACY_OFFICER, None),
]
ORGANISATIONS = [
    ("zorggroep-de-linde", "Zorggroep De Linde", OrganisationType.CARE_PROVIDER, "12345678"),
    ("thuiszorg-dommel", "Thuiszorg Dommelstede", OrganisationType.CARE_PROVIDER, "87654321"),
    ("jeugdhulp-kompas", "Jeugdhulp Kompas", OrganisationType.CARE_PROVIDER, "11223344"),
    ("welzijn-dommel", "Welzijn Dommelstede", OrganisationType.WELFARE, ""),
    ("huisartsen-centrum", "Huisartsenpraktijk Centrum", OrganisationType.GP_PRACTICE, "01012345"),
    ("woonstede", "Woonstede", OrganisationType.HOUSING_CORPORATION, ""),
    ("basisschool-de-regenboog", "Basisschool De Regenboog", OrganisationType.SCHOOL, ""),
    ("schuldhulp-dommel", "Schuldhulp Dommelstede", OrganisationType.DEBT_COUNSELLING, ""),
    ("maatjes-dommel", "Maatjesproject Dommelstede", OrganisationType.VOLUNTEER_ORGANISATION, ""),
    ("gemeente-dommelstede", "Gemeente Dommelstede", OrganisationType.MUNICIPALITY, ""),
]
GP_PRACTICE_POSTCODE = ("huisartsen-centrum", "5611AB")
STATISTICS_FILE = Path(team_services.__file__).parent / "fixtures" / "area-statistics-sample.csv"
HOUSEHOLD_COUNT = 200


class DemoSeeder:
    """Builds the demo; `run` returns what it made, for the command to report."""

    @transaction.atomic
    def run(self, *, households: int = HOUSEHOLD_COUNT, seed: int = 2015) -> dict:
        rng = random.Random(seed)
        postcodes = self._areas()
        self._organisations()
        users = self._users()
        self._area_consultants(users["consultant"])
        team_services.area_statistics_import(content=STATISTICS_FILE.read_text(encoding="utf-8"))
        created = self._households(rng, postcodes, households, users["generalist"])
        provisions = seed_provisions(generalist=users["generalist"])
        seed_caseload(generalist=users["generalist"])
        seed_journal(generalist=users["generalist"])
        seed_avg(privacy_officer=users.get("privacy"), generalist=users["generalist"])
        seed_moves(generalist=users["generalist"], rng=rng)
        seed_handoffs(gp=users.get("huisarts"), generalist=users["generalist"])
        return {
            "postcodes": len(postcodes),
            "households": Household.objects.count(),
            "new_households": created,
            "products": provisions["products"],
            "new_applications": provisions["applications"],
            "logins": [(username, Role(role).label) for username, *_r, role, _d in DEMO_USERS],
        }

    def _areas(self) -> list[tuple[str, Neighbourhood]]:
        municipality, _ = Municipality.objects.get_or_create(
            code=MUNICIPALITY[0], defaults={"name": MUNICIPALITY[1]}
        )
        postcodes = []
        for district_code, district_name, neighbourhoods in DISTRICTS:
            district, _ = District.objects.get_or_create(
                code=district_code, defaults={"name": district_name, "municipality": municipality}
            )
            Team.objects.get_or_create(
                district=district,
                defaults={
                    "name": f"Wijkteam {district_name}",
                    "phone": f"040-2{district_code[-2:]}0000",
                    "email": f"wijkteam.{district_name.lower()}@dommelstede.example",
                },
            )
            for index, (name, pc4s) in enumerate(neighbourhoods, start=1):
                neighbourhood, _ = Neighbourhood.objects.get_or_create(
                    code=f"BU{district_code[2:]}{index:02d}",
                    defaults={"name": name, "district": district},
                )
                for pc4 in pc4s:
                    for letters in LETTER_PAIRS:
                        code = f"{pc4}{letters}"
                        Postcode.objects.get_or_create(
                            postcode=code, defaults={"neighbourhood": neighbourhood}
                        )
                        postcodes.append((code, neighbourhood))
        return postcodes

    def _organisations(self) -> None:
        for code, name, org_type, agb in ORGANISATIONS:
            Organisation.objects.get_or_create(
                code=code, defaults={"name": name, "type": org_type, "agb_code": agb}
            )
        # the GP practice needs a postcode (its own area) for the GP lookup
        code, postcode = GP_PRACTICE_POSTCODE
        Organisation.objects.filter(code=code, postcode="").update(postcode=postcode)

    def _area_consultants(self, consultant) -> None:
        """The demo consultant covers every law domain in every district."""
        for district in District.objects.filter(code__in=[code for code, *_ in DISTRICTS]):
            for domain in LawDomain:
                AreaConsultant.objects.get_or_create(
                    district=district,
                    law_domain=domain,
                    defaults={
                        "user": consultant,
                        "phone": "040-2380000",
                        "email": f"consulent.{domain.value}@dommelstede.example",
                        "reachable_hours": "ma-do 9:00-12:00",
                    },
                )

    def _users(self) -> dict:
        User = get_user_model()
        users = {}
        for username, first, last, role, district_code in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@dommelstede.example",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user_role_assign(user=user, role=role)
            if district_code:
                TeamMember.objects.get_or_create(
                    team=Team.objects.get(district__code=district_code),
                    user=user,
                    defaults={
                        "profile": MemberProfile.TEAM_LEAD
                        if role == Role.TEAM_LEAD
                        else MemberProfile.CARE_WORKER
                    },
                )
            users[username] = user
        return users

    def _households(self, rng, postcodes, count: int, generalist) -> int:
        existing = Household.objects.count()
        for _ in range(existing, count):
            postcode, _neighbourhood = rng.choice(postcodes)
            last_name = rng.choice(LAST_NAMES)
            prefix = rng.choice(NAME_PREFIXES)
            adults = rng.choice([1, 1, 2, 2, 2])
            children = rng.choice([0, 0, 1, 2, 3])
            residents = []
            for adult in range(adults):
                residents.append(
                    household_services.NewResident(
                        bsn=synthetic_bsn(rng),
                        first_name=rng.choice(FIRST_NAMES),
                        name_prefix=prefix if adult == 0 else "",
                        last_name=last_name if adult == 0 else rng.choice(LAST_NAMES),
                        birth_date=datetime.date(rng.randint(1940, 2002), rng.randint(1, 12), 1)
                        + datetime.timedelta(days=rng.randint(0, 27)),
                        phone=f"06-{rng.randint(10000000, 99999999)}",
                        role=MembershipRole.PARENT if children else MembershipRole.PARTNER,
                    )
                )
            for _child in range(children):
                residents.append(
                    household_services.NewResident(
                        bsn=synthetic_bsn(rng),
                        first_name=rng.choice(FIRST_NAMES),
                        name_prefix=prefix,
                        last_name=last_name,
                        birth_date=datetime.date(rng.randint(2008, 2024), rng.randint(1, 12), 1),
                        role=MembershipRole.CHILD,
                    )
                )
            household_services.household_create(
                by=None,
                street=rng.choice(STREETS),
                house_number=rng.randint(1, 180),
                house_number_addition=rng.choice(["", "", "", "A", "B", "1"]),
                postcode=postcode,
                city=MUNICIPALITY[1],
                residents=residents,
                moved_in_on=datetime.date(rng.randint(1995, 2025), rng.randint(1, 12), 1),
            )
        return max(0, count - existing)
