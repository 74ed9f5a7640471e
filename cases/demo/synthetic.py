"""A synthetic municipality at scale, for load tests and the benchmark (`generate_municipality`).

Reference data (areas, teams, users, organisations, the catalogue) goes through the ORM; the
bulk (households, residents, memberships, meldingen, conversations with their 13 life-domain
scores, plans with goals, actions and versions, evaluations, aftercare, applications,
decisions, allocations, budget commitments and access-log rows) is streamed into PostgreSQL
with COPY, with explicit primary keys so that rows can refer to each other without a round
trip. The sequences are reset at the end.

Everything derives from one `random.Random(seed)` and a reference date, so the same seed and
date give the same municipality. Dates are picked freely, but every deadline stored (a melding's
Wmo terms, an application's decision deadline) and the agreed dates of plans (evaluation,
aftercare check-ins) come from their one function, which asks the legal terms engine: once per
distinct date (and law), kept in a dict, so the engine is not called per row. Only PostgreSQL
is supported (COPY); the SQLite quick start uses `seed_demo`.

Scale per 500,000 households (about 1.2 million residents): 20 districts with a wijkteam of
25 generalists each, 200 neighbourhoods, 25,000 postcodes; about 3% of households have a
coordinator and a support plan, about 8% a melding, about 5% an application.
"""

import contextlib
import datetime
import json
import math
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from cases.consent.models import Consent, ConsentPurpose, DataCategory
from cases.demo.fakes import FIRST_NAMES, NAME_PREFIXES, STREETS
from cases.demo.provisions import PRODUCTS, STREAMS
from cases.households.models import Household, HouseholdMembership, Resident
from cases.intake.models import KitchenTableConversation, LifeDomain, LifeDomainScore, Melding
from cases.intake.selectors import melding_investigation_deadline, melding_personal_plan_deadline
from cases.plans.models import (
    AftercareCheckIn,
    Evaluation,
    PlanAction,
    PlanAgreement,
    PlanGoal,
    SupportPlan,
    SupportPlanVersion,
)
from cases.plans.selectors import aftercare_check_in_dates_default, plan_evaluation_date_default
from cases.privacy.models import AccessLogEntry
from cases.provisions.models import (
    DECISION_WEEKS,
    Allocation,
    BudgetCommitment,
    DecisionLetter,
    ProvisionApplication,
    ProvisionDecision,
)
from cases.provisions.selectors import (
    application_decision_deadline,
    decision_objection_deadline,
)
from networks.models import (
    BudgetStream,
    GeneralProvision,
    Organisation,
    OrganisationType,
    Product,
    StreamBudget,
)
from teams.models import (
    AreaConsultant,
    District,
    LawDomain,
    MemberProfile,
    Municipality,
    Neighbourhood,
    Postcode,
    Team,
    TeamMandate,
    TeamMember,
)
from teams.roles import Role

PASSWORD = "wijkwerk-demo"  # noqa: S105 - the documented demo-only password

HOUSEHOLDS_PER_DISTRICT = 25_000
HOUSEHOLDS_PER_NEIGHBOURHOOD = 2_500
HOUSEHOLDS_PER_POSTCODE = 20
POSTCODES_PER_PC4 = 50
HOUSEHOLDS_PER_GENERALIST = 1_000  # team size: one generalist per 1,000 households
CASELOAD_PER_GENERALIST = 30  # households each generalist coordinates
EXTRA_MELDING_SHARE = 0.05  # households with a melding but no coordinator
EXTRA_APPLICATION_SHARE = 0.02  # households with an application but no plan
ACCESS_LOG_ROWS_PER_HOUSEHOLD = 2
# the provider of an allocation receives the client's name, birth date and address with the
# client's consent or on a recorded legal basis; for the rest the partner API withholds them
ALLOCATION_CONSENT_SHARE = 0.7
ALLOCATION_LEGAL_BASIS_SHARE = 0.15
ALLOCATION_LEGAL_BASIS = "Art. 5.3.3 Wmo 2015 / art. 7.4.4 Jeugdwet: uitvoering van de beschikking"
CHUNK = 25_000  # households per COPY batch

# letters a postcode may end with (stdnum rejects SA, SD and SS)
_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
LETTER_PAIRS = [a + b for a in _LETTERS for b in _LETTERS if a + b not in {"SA", "SD", "SS"}]

# Dutch-looking surnames: a stem and an ending give a few thousand distinct names, drawn
# with a Zipf-like weight so that some are common (as Jansen is) and most are rare.
_STEMS = (
    "Ber", "Bos", "Brou", "Dijk", "Hoek", "Jan", "Kuip", "Mol", "Smit", "Vis", "Vos", "Wil",
    "Meul", "Hen", "Kok", "Pie", "Ger", "Lam", "Roo", "Sta", "Ter", "Vlie", "Wou", "Zwa",
    "Ach", "Bak", "Dek", "Eek", "Gro", "Haa", "Kam", "Lin", "Maa", "Nie", "Oos", "Pos",
    "Reij", "Schou", "Tim", "Veen", "Wes", "Zee", "Blo", "Dui", "Fran", "Hui", "Klaa", "Lui",
)  # fmt: skip
_ENDINGS = (
    "sen", "stra", "man", "ink", "huis", "ma", "er", "s", "kamp", "berg", "veld", "ing",
    "hof", "dijk", "broek", "link", "ers", "ema", "ens", "mans", "heuvel", "bosch", "laar",
    "weg", "horst", "meijer", "kes", "beek", "wijk", "sma", "haar", "zen", "ert", "elink",
    "steeg", "donk", "rade", "gaard", "land", "ling",
)  # fmt: skip
WORLD_NAMES = (
    "Yilmaz", "El Amrani", "Şahin", "Kaya", "Pinas", "Sedney", "Nguyen", "Kowalski", "Bouzid",
    "Demir", "Öztürk", "Ramdin", "Tahiri", "Nowak", "Haddou", "Çelik", "Baldew", "Mohan",
)  # fmt: skip
EXTRA_FIRST_NAMES = (
    "Adam", "Liam", "Olivia", "Yara", "Luuk", "Noor", "Siem", "Saar", "Mees", "Lieke", "Gijs",
    "Femke", "Hamza", "Amira", "Rayan", "Ilyas", "Elif", "Hiba", "Omar", "Joep", "Roos",
    "Dirk", "Truus", "Jannie", "Piet", "Riek", "Cor", "Toos", "Hans", "Annie", "Wendy",
)  # fmt: skip
ALL_FIRST_NAMES = FIRST_NAMES + EXTRA_FIRST_NAMES
CITY_STREET_SUFFIXES = ("straat", "laan", "weg", "plein", "hof", "singel", "kade", "pad")

QUESTIONS = (
    "Ik krijg de rekeningen niet meer betaald en de post stapelt zich op.",
    "Mijn moeder kan niet meer alleen douchen en ik red het niet naast mijn werk.",
    "Onze zoon gaat al weken niet naar school en er is veel ruzie thuis.",
    "Sinds mijn ontslag zit ik veel thuis en ken ik bijna niemand in de buurt.",
    "Ik ben bang dat we uit huis gezet worden door de huurachterstand.",
    "Na mijn heupoperatie lukt het huishouden niet meer.",
)
STORIES = (
    "Mevrouw vertelt dat het sinds de scheiding niet meer lukt om overzicht te houden.",
    "Meneer zegt dat hij zich schaamt om hulp te vragen, maar dat het zo niet verder kan.",
    "De ouders maken zich zorgen om hun dochter, die zich terugtrekt op haar kamer.",
    "Het gezin woont krap en de buren klagen over geluid; de spanning loopt op.",
)
GOALS = (
    "Weer overzicht over de post en de rekeningen.",
    "Zelf de boodschappen kunnen doen, met hulp van de buurvrouw.",
    "Onze zoon gaat weer elke dag naar school.",
    "Een keer per week iets buiten de deur doen met anderen.",
    "Geen huurachterstand meer, een betalingsregeling die past.",
    "Rust in huis: minder ruzie aan tafel.",
)
ACTIONS = (
    "Samen de post openen en ordenen",
    "Aanmelden bij het inloopspreekuur geldzaken",
    "Gesprek met de mentor op school plannen",
    "Buurvrouw vraagt mee naar de koffieochtend",
    "Betalingsregeling aanvragen bij de woningcorporatie",
    "Huisarts vragen om een verwijzing",
)
MOTIVATIONS = (
    "Financiën en sociaal netwerk scoren 2: structuur en begeleiding nodig.",
    "Basale ADL scoort 2 na een operatie; mantelzorger is overbelast.",
    "Huiselijke relaties scoren 1: veel ruzie, ambulante jeugdhulp nodig.",
    "Tijdsbesteding scoort 2; dagbesteding geeft structuur en ontlast de partner.",
)
WITHDRAWAL_REASON = "De inwoner heeft de hulp toch zelf geregeld met familie."
WITHDRAWN_AFTER_DAYS = 10  # a withdrawn melding was withdrawn this many days after receipt
ACCESS_ACTIONS = ("view", "view", "view", "view", "search", "change", "print")
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) wijkwerk-synthetic"


@dataclass
class Scale:
    households: int
    districts: int
    neighbourhoods_per_district: int
    generalists_per_team: int

    @classmethod
    def for_households(cls, households: int) -> "Scale":
        districts = min(99, max(2, round(households / HOUSEHOLDS_PER_DISTRICT)))
        per_district = households / districts
        return cls(
            households=households,
            districts=districts,
            neighbourhoods_per_district=max(2, round(per_district / HOUSEHOLDS_PER_NEIGHBOURHOOD)),
            generalists_per_team=max(2, round(per_district / HOUSEHOLDS_PER_GENERALIST)),
        )


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    logins: dict[str, str] = field(default_factory=dict)


class Progress:
    """A plain progress line on stderr (no extra dependency): stage, done/total, rate."""

    def __init__(self, stage: str, total: int, stream=None, enabled: bool = True):
        self.stage, self.total, self.done = stage, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()

    def update(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0
        width = 30
        filled = int(width * min(self.done, self.total) / self.total)
        self.stream.write(
            f"\r{self.stage:<14} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:>9,}/{self.total:,} {rate:>9,.0f}/s {elapsed:6.1f}s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def bsn_from_eight_digits(number: int) -> str | None:
    """The 9-digit BSN whose first eight digits are `number` (10,000,000-99,999,999), or None
    when no check digit makes it pass the elfproef."""
    digits = str(number)
    total = sum(weight * int(digit) for weight, digit in zip(range(9, 1, -1), digits, strict=True))
    check = total % 11
    return None if check == 10 else digits + str(check)


def _surnames(rng: random.Random) -> tuple[list[str], list[float]]:
    names = [stem + ending for stem in _STEMS for ending in _ENDINGS]
    rng.shuffle(names)
    names = list(WORLD_NAMES) + names
    weights = [1 / (rank + 10) for rank in range(len(names))]
    return names, weights


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


# the trigger that keeps `cases_resident.neighbourhoods` when memberships are inserted
MEMBERSHIP_NEIGHBOURHOODS_TRIGGER = "cases_membership_neighbourhoods_insert"


@contextlib.contextmanager
def _trigger_off(table: str, trigger: str):
    """A trigger off for a bulk load, in the generator's transaction (the ALTER is rolled back
    with it on failure). The foreign keys (deferred) are checked before it is on again: a table
    with pending trigger events cannot be altered."""
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Copier:
    """COPY rows into one table, with explicit ids taken from a running counter."""

    def __init__(self, model, columns: list[str]):
        self.table = model._meta.db_table
        self.columns = columns
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.table}"')  # noqa: S608
            self.next_id = cursor.fetchone()[0] + 1
        self.rows: list[tuple] = []
        self.written = 0

    def take_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        columns = ", ".join(f'"{name}"' for name in self.columns)
        sql = f'COPY "{self.table}" ({columns}) FROM STDIN'
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in self.rows:
                copy.write_row(row)
        self.written += len(self.rows)
        self.rows = []


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment on a day, in the current time zone."""
    naive = datetime.datetime.combine(day, datetime.time(8 + rng.randrange(9), rng.randrange(60)))
    return timezone.make_aware(naive)


@dataclass
class _Area:
    districts: list[District]
    teams: list[Team]
    postcodes: list[tuple[str, int, int]]  # postcode, neighbourhood id, district index
    generalists: list[list[int]]  # per district index: user ids
    consultants: dict[tuple[int, str], int]  # (district index, law) -> user id
    all_consultants: list[int]
    providers: list[int]
    products: list[Product]
    general_provisions: list[int]
    streams: dict[int, BudgetStream]
    users: dict[str, int]  # username -> id for the access log
    user_roles: dict[int, tuple[str, str]]  # id -> (username, role names)


class MunicipalityGenerator:
    def __init__(
        self,
        *,
        households: int,
        seed: int = 2015,
        code: str = "GM0998",
        name: str = "Grootstede",
        today: datetime.date | None = None,
        progress: bool = True,
        log: Callable[[str], None] = lambda message: None,
    ):
        if connection.vendor != "postgresql":
            raise RuntimeError("generate_municipality needs PostgreSQL (it loads with COPY).")
        self.scale = Scale.for_households(households)
        self.seed = seed
        self.rng = random.Random(seed)
        self.code, self.name = code, name
        self.today = today or timezone.localdate()
        # "now" for timestamps: the reference date at 06:00, so a seed and date give one result
        self.now = timezone.make_aware(datetime.datetime.combine(self.today, datetime.time(6)))
        self.progress = progress
        self.log = log
        self.result = Result()
        self.surnames, weights = _surnames(self.rng)
        self.surname_cum = _cumulative(weights)
        self.password_hash = make_password(PASSWORD, salt="synthetic" + str(seed))
        # the legal terms engine's answers, per distinct date (and law): see `_melding_deadlines`
        self._melding_terms: dict[datetime.date, tuple[datetime.date, datetime.date]] = {}
        self._decision_terms: dict[tuple[str, datetime.date], datetime.date] = {}
        self._objection_terms: dict[datetime.date, datetime.date] = {}

    # --- deadlines from the legal terms engine, once per distinct date ---------------------------

    def _melding_deadlines(self, received: datetime.date) -> tuple[datetime.date, datetime.date]:
        """(investigation deadline, personal-plan deadline) of a melding received on
        `received`, as `melding_register` stores them."""
        terms = self._melding_terms.get(received)
        if terms is None:
            terms = self._melding_terms[received] = (
                melding_investigation_deadline(received_on=received),
                melding_personal_plan_deadline(received_on=received),
            )
        return terms

    def _decision_deadline(self, law: str, applied_on: datetime.date) -> datetime.date:
        """The decision deadline `application_submit` stores."""
        key = (law, applied_on)
        deadline = self._decision_terms.get(key)
        if deadline is None:
            deadline = self._decision_terms[key] = application_decision_deadline(
                law=law, applied_on=applied_on
            )
        return deadline

    def _letter(self, letters: "Copier", decision_id: int, decided_on, decided_at, by) -> tuple:
        """A final decision's letter as the provisions service issues it: made known the day
        it was decided, the objection term from the engine, version 1 with its
        `DecisionLetter` row; returns the decision's letter columns."""
        deadline = self._objection_terms.get(decided_on)
        if deadline is None:
            deadline = self._objection_terms[decided_on] = decision_objection_deadline(
                made_known_on=decided_on
            )
        letters.add(
            (letters.take_id(), decision_id, 1, "issued", decided_on, deadline, by, decided_at)
        )
        return (decided_on, deadline, 1, decided_at)

    # --- entry point -------------------------------------------------------------------------

    def run(self) -> Result:
        started = time.monotonic()
        if Household.objects.exists() or Resident.objects.exists():
            raise ValueError(
                "This database already holds households or residents (the demo?): "
                "generate_municipality needs an empty one, e.g. a new DATABASE_URL."
            )
        if Municipality.objects.filter(code=self.code).exists():
            raise ValueError(
                f"Municipality {self.code} exists already; use another --code or a fresh database."
            )
        with transaction.atomic():
            area = self._reference()
            with _trigger_off("cases_householdmembership", MEMBERSHIP_NEIGHBOURHOODS_TRIGGER):
                households = self._households(area)
            care = self._care(area, households)
            self._provisions(area, households, care)
            self._access_log(area, households)
            self._reset_sequences()
        with connection.cursor() as cursor:
            # VACUUM as autovacuum would soon after a bulk load: it merges the entries COPY
            # left in the trigram (GIN) indexes' pending lists, which every name search would
            # otherwise read one by one, and marks the pages all-visible for index-only
            # scans. VACUUM cannot run inside a transaction: a caller holding one open (a
            # test) gets ANALYZE only.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self.result.seconds = time.monotonic() - started
        return self.result

    def _count(self, name: str, copier: Copier) -> None:
        self.result.counts[name] = self.result.counts.get(name, 0) + copier.written

    # --- reference data through the ORM ---------------------------------------------------------

    def _reference(self) -> _Area:
        scale = self.scale
        self.log(
            f"{self.name} ({self.code}): {scale.households:,} households, {scale.districts} "
            f"districts, {scale.districts * scale.neighbourhoods_per_district} neighbourhoods."
        )
        municipality = Municipality.objects.create(code=self.code, name=self.name)
        digits = self.code[2:]
        district_names = _district_names(scale.districts)
        districts = District.objects.bulk_create(
            District(municipality=municipality, code=f"WK{digits}{i + 1:02d}", name=n)
            for i, n in enumerate(district_names)
        )
        neighbourhoods = Neighbourhood.objects.bulk_create(
            Neighbourhood(
                district=district,
                code=f"BU{digits}{d + 1:02d}{n + 1:02d}",
                name=f"{district.name} {_buurt_name(n)}",
            )
            for d, district in enumerate(districts)
            for n in range(scale.neighbourhoods_per_district)
        )
        postcodes_needed = math.ceil(scale.households / HOUSEHOLDS_PER_POSTCODE)
        per_neighbourhood = math.ceil(postcodes_needed / len(neighbourhoods))
        postcodes, rows = [], []
        pc4 = 1011
        index = 0
        for neighbourhood_index, neighbourhood in enumerate(neighbourhoods):
            district_index = neighbourhood_index // scale.neighbourhoods_per_district
            for _ in range(per_neighbourhood):
                if index and index % POSTCODES_PER_PC4 == 0:
                    pc4 += 1
                code = f"{pc4}{LETTER_PAIRS[index % POSTCODES_PER_PC4]}"
                index += 1
                postcodes.append((code, neighbourhood.pk, district_index))
                rows.append(Postcode(postcode=code, neighbourhood=neighbourhood))
            # a neighbourhood starts on a fresh four-digit area
            pc4 += 1
            index = 0
        Postcode.objects.bulk_create(rows, batch_size=5000)
        teams = Team.objects.bulk_create(
            Team(
                district=district,
                name=f"Wijkteam {district.name}",
                phone=f"020-5{d + 1:02d}0000",
                email=f"wijkteam{d + 1:02d}@{self.name.lower()}.example",
            )
            for d, district in enumerate(districts)
        )
        users, user_roles = self._users(districts, teams)
        generalists = [
            [users[f"gen{d + 1:02d}-{g + 1:02d}"] for g in range(scale.generalists_per_team)]
            for d in range(len(districts))
        ]
        generalists[0][0] = users["generalist"]  # the demo login coordinates a caseload too
        consultants = {}
        area_rows = []
        for d, district in enumerate(districts):
            for law in LawDomain.values:
                user_id = users["consultant"] if d == 0 else users[f"con{d + 1:02d}-{law}"]
                consultants[(d, law)] = user_id
                area_rows.append(
                    AreaConsultant(
                        district=district,
                        law_domain=law,
                        user_id=user_id,
                        phone=f"020-6{d + 1:02d}{LawDomain.values.index(law)}000",
                        email=f"consulent.{law}.{d + 1:02d}@{self.name.lower()}.example",
                        reachable_hours="ma-do 9:00-12:00",
                    )
                )
        AreaConsultant.objects.bulk_create(area_rows)
        providers, general_provisions = self._organisations()
        streams, products = self._catalogue(districts, teams)
        general = [
            GeneralProvision.objects.create(
                name=name,
                organisation_id=general_provisions[i % len(general_provisions)],
                offer=offer,
                access="Zonder afspraak in het wijkcentrum.",
            ).pk
            for i, (name, offer) in enumerate(
                [
                    ("Inloopspreekuur geldzaken", "Hulp bij post, formulieren en schulden."),
                    ("Maatjesproject", "Een vrijwilliger die wekelijks langskomt."),
                    ("Ontmoetingscentrum", "Open dagbesteding en koffie-ochtenden."),
                    ("Klussendienst", "Vrijwilligers helpen met kleine klussen."),
                ]
            )
        ]
        self.result.counts.update(
            districts=len(districts),
            neighbourhoods=len(neighbourhoods),
            postcodes=len(postcodes),
            teams=len(teams),
            users=len(users),
            providers=len(providers),
        )
        return _Area(
            districts=districts,
            teams=teams,
            postcodes=postcodes,
            generalists=generalists,
            consultants=consultants,
            all_consultants=sorted(set(consultants.values())),
            providers=providers,
            products=products,
            general_provisions=general,
            streams=streams,
            users=users,
            user_roles=user_roles,
        )

    def _users(self, districts, teams) -> tuple[dict[str, int], dict[int, tuple[str, str]]]:
        User = get_user_model()
        scale = self.scale
        wanted: list[tuple[str, str, str, str, int | None]] = [
            # username, first, last, role, team index
            ("generalist", "Fatma", "Demir", Role.GENERALIST, 0),
            ("consultant", "Pieter", "de Wit", Role.CONSULTANT, None),
            ("teamleider", "Karin", "Smulders", Role.TEAM_LEAD, 0),
            ("beleid", "Joris", "van Leeuwen", Role.POLICY_OFFICER, None),
            ("huisarts", "Esther", "Claassen", Role.GP, None),
            ("beheer", "Ron", "Verbeek", Role.FUNCTIONAL_ADMIN, None),
            ("privacy", "Samira", "El Amrani", Role.PRIVACY_OFFICER, None),
        ]
        for d in range(len(districts)):
            for g in range(scale.generalists_per_team):
                first = ALL_FIRST_NAMES[(d * 7 + g) % len(ALL_FIRST_NAMES)]
                wanted.append((f"gen{d + 1:02d}-{g + 1:02d}", first, "Generalist", "generalist", d))
            if d:
                wanted.append((f"lead{d + 1:02d}", "Team", f"Lead {d + 1}", Role.TEAM_LEAD, d))
                for law in LawDomain.values:
                    wanted.append(
                        (f"con{d + 1:02d}-{law}", "Consulent", law.title(), Role.CONSULTANT, None)
                    )
        for g in range(max(2, scale.districts)):
            wanted.append((f"huisarts{g + 1:02d}", "Huisarts", f"Praktijk {g + 1}", Role.GP, None))
        existing = dict(
            User.objects.filter(username__in=[row[0] for row in wanted]).values_list(
                "username", "pk"
            )
        )
        User.objects.bulk_create(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{self.name.lower()}.example",
                password=self.password_hash,
                is_staff=role == Role.FUNCTIONAL_ADMIN,
            )
            for username, first, last, role, _team in wanted
            if username not in existing
        )
        users = dict(
            User.objects.filter(username__in=[row[0] for row in wanted]).values_list(
                "username", "pk"
            )
        )
        groups = {group.name: group.pk for group in Group.objects.all()}
        for role in Role.values:
            if role not in groups:
                groups[role] = Group.objects.create(name=role).pk
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=users[u], group_id=groups[role]) for u, _f, _l, role, _t in wanted],
            ignore_conflicts=True,
        )
        TeamMember.objects.bulk_create(
            [
                TeamMember(
                    team=teams[team],
                    user_id=users[u],
                    profile=MemberProfile.TEAM_LEAD
                    if role == Role.TEAM_LEAD
                    else MemberProfile.CARE_WORKER,
                    contract_hours=Decimal(self.rng.choice([24, 28, 32, 36])),
                )
                for u, _f, _l, role, team in wanted
                if team is not None
            ],
            ignore_conflicts=True,
        )
        roles = {users[u]: (u, role) for u, _f, _l, role, _t in wanted}
        self.result.logins = {
            "generalist": "generalist",
            "consultant": "consultant",
            "team_lead": "teamleider",
            "policy_officer": "beleid",
            "gp": "huisarts",
            "privacy_officer": "privacy",
        }
        return users, roles

    def _organisations(self) -> tuple[list[int], list[int]]:
        count = max(4, round(self.scale.households / 10_000))
        rows = [
            # the demo providers keep their AGB codes, so the README's token command works
            ("zorggroep-de-linde", "Zorggroep De Linde", "12345678"),
            ("thuiszorg-dommel", "Thuiszorg Dommelstede", "87654321"),
        ]
        for index in range(count - len(rows)):
            rows.append(
                (
                    f"zorg-{self.code.lower()}-{index + 1:03d}",
                    f"Zorgaanbieder {_buurt_name(index)} {index + 1}",
                    f"{30_000_000 + index * 7919:08d}",
                )
            )
        providers = []
        for code, name, agb in rows:
            organisation = Organisation.objects.filter(agb_code=agb).first()
            if organisation is None:
                organisation = Organisation.objects.create(
                    code=code, name=name, type=OrganisationType.CARE_PROVIDER, agb_code=agb
                )
            providers.append(organisation.pk)
        welfare = Organisation.objects.create(
            code=f"welzijn-{self.code.lower()}",
            name=f"Welzijn {self.name}",
            type=OrganisationType.WELFARE,
        )
        gp_practice = f"huisartsen-{self.code.lower()}"
        Organisation.objects.create(
            code=gp_practice,
            name=f"Huisartsenpraktijk {self.name}",
            type=OrganisationType.GP_PRACTICE,
            agb_code=f"{1_000_000 + self.rng.randrange(900_000):08d}",
            postcode="1011AA",
        )
        return providers, [welfare.pk]

    def _catalogue(self, districts, teams) -> tuple[dict[int, BudgetStream], list[Product]]:
        year = self.today.year
        factor = Decimal(self.scale.households) / Decimal(50_000)
        streams = {}
        by_code = {}
        for code, name, budget in STREAMS:
            stream, _created = BudgetStream.objects.get_or_create(
                code=code, defaults={"name": name}
            )
            by_code[code] = stream
            streams[stream.pk] = stream
            whole = (Decimal(budget) * factor).quantize(Decimal("1"))
            StreamBudget.objects.get_or_create(
                stream=stream, year=year, district=None, defaults={"amount": whole}
            )
            StreamBudget.objects.bulk_create(
                [
                    StreamBudget(
                        stream=stream,
                        year=year,
                        district=district,
                        amount=(whole / len(districts)).quantize(Decimal("1")),
                    )
                    for district in districts
                ],
                ignore_conflicts=True,
            )
        products = []
        for name, law, category, code, unit, tariff, stream_code in PRODUCTS:
            product, _created = Product.objects.get_or_create(
                name=name,
                law=law,
                defaults={
                    "category": category,
                    "code": code,
                    "unit": unit,
                    "tariff": Decimal(tariff),
                    "budget_stream": by_code[stream_code],
                },
            )
            products.append(product)
        TeamMandate.objects.bulk_create(
            TeamMandate(
                team=team, year=year, budget=Decimal("40000.00"), per_case_limit=Decimal("2500")
            )
            for team in teams
        )
        return streams, products

    # --- households, residents, memberships ---------------------------------------------------

    def _surname(self) -> str:
        rng = self.rng
        cum = self.surname_cum
        target = rng.random() * cum[-1]
        low, high = 0, len(cum) - 1
        while low < high:
            mid = (low + high) // 2
            if cum[mid] < target:
                low = mid + 1
            else:
                high = mid
        return self.surnames[low]

    def _households(self, area: _Area) -> "_Households":
        rng, today, scale = self.rng, self.today, self.scale
        households = Copier(
            Household,
            [
                "id", "uuid", "street", "house_number", "house_number_addition", "postcode",
                "city", "neighbourhood_id", "coordinator_id", "version", "created_at",
                "updated_at",
            ],
        )  # fmt: skip
        # "neighbourhoods" (migration cases/0043, kept by triggers on memberships) written with
        # the resident: each has one membership here, of a household in `neighbourhood_id`. The
        # trigger on memberships is off for this load: per COPY of 60,000 memberships, on tables
        # without statistics yet, its update planned as a nested loop over all residents
        residents = Copier(
            Resident,
            [
                "id", "uuid", "bsn", "first_name", "name_prefix", "last_name", "birth_date",
                "phone", "email", "preferred_language", "created_at", "updated_at",
                "neighbourhoods",
            ],
        )  # fmt: skip
        memberships = Copier(
            HouseholdMembership,
            ["id", "household_id", "resident_id", "role", "start_date", "end_date"],
        )
        info = _Households()
        bsns: set[str] = set()
        # the generalists' caseloads: per district, which households get a coordinator
        per_district_total = [0] * len(area.districts)
        for _code, _nb, district_index in area.postcodes:
            per_district_total[district_index] += HOUSEHOLDS_PER_POSTCODE
        progress = Progress("households", scale.households, enabled=self.progress)
        postcodes = area.postcodes
        streets = list(STREETS) + [
            f"{stem}{suffix}" for stem in _STEMS[:24] for suffix in CITY_STREET_SUFFIXES[:3]
        ]
        created = timezone.make_aware(datetime.datetime.combine(today, datetime.time(6)))
        coordinated_share = [
            min(0.9, len(area.generalists[d]) * CASELOAD_PER_GENERALIST / max(1, total))
            for d, total in enumerate(per_district_total)
        ]
        caseload_count: dict[int, int] = {}
        pair_index = {pair: i for i, pair in enumerate(LETTER_PAIRS)}
        for index in range(scale.households):
            postcode, neighbourhood_id, district_index = postcodes[
                index // HOUSEHOLDS_PER_POSTCODE % len(postcodes)
            ]
            position = index % HOUSEHOLDS_PER_POSTCODE
            household_id = households.take_id()
            household_uuid = _uuid(rng)
            coordinator = None
            if rng.random() < coordinated_share[district_index]:
                team = area.generalists[district_index]
                coordinator = team[rng.randrange(len(team))]
                caseload_count[coordinator] = caseload_count.get(coordinator, 0) + 1
            street = streets[int(postcode[:4]) % len(streets)]
            households.add(
                (
                    household_id,
                    household_uuid,
                    street,
                    pair_index[postcode[4:]] * HOUSEHOLDS_PER_POSTCODE * 2 + position * 2 + 1,
                    "" if rng.random() < 0.9 else rng.choice(("A", "B", "1", "2")),
                    postcode,
                    self.name,
                    neighbourhood_id,
                    coordinator,
                    1,
                    created,
                    created,
                )
            )
            last_name = self._surname()
            prefix = NAME_PREFIXES[rng.randrange(len(NAME_PREFIXES))]
            kind = rng.random()
            # about 2.4 residents per household: singles, couples, families
            if kind < 0.34:
                adults, children = 1, 0
            elif kind < 0.61:
                adults, children = 2, 0
            elif kind < 0.67:
                adults, children = 1, rng.randint(1, 3)
            else:
                adults, children = 2, rng.choice((1, 1, 2, 2, 3, 3))
            moved_in = today - datetime.timedelta(days=rng.randrange(30, 365 * 30))
            member_ids = []
            for person in range(adults + children):
                adult = person < adults
                bsn = None
                while bsn is None or bsn in bsns:
                    bsn = bsn_from_eight_digits(rng.randrange(10_000_000, 100_000_000))
                bsns.add(bsn)
                if adult:
                    age_days = rng.randrange(19 * 365, 92 * 365)
                    surname = last_name if person == 0 else self._surname()
                    role = "parent" if children else ("partner" if adults == 2 else "other")
                else:
                    age_days = rng.randrange(30, 18 * 365)
                    surname = last_name
                    role = "child"
                resident_id = residents.take_id()
                residents.add(
                    (
                        resident_id,
                        _uuid(rng),
                        bsn,
                        ALL_FIRST_NAMES[rng.randrange(len(ALL_FIRST_NAMES))],
                        prefix if (person == 0 or not adult) else "",
                        surname,
                        today - datetime.timedelta(days=age_days),
                        f"06-{rng.randrange(10_000_000, 100_000_000)}" if adult else "",
                        "",
                        "nl",
                        created,
                        created,
                        [neighbourhood_id],
                    )
                )
                start = moved_in if adult else max(moved_in, today - datetime.timedelta(age_days))
                memberships.add(
                    (memberships.take_id(), household_id, resident_id, role, start, None)
                )
                member_ids.append(resident_id)
            info.add(household_id, household_uuid, district_index, coordinator, member_ids)
            if len(households.rows) >= CHUNK:
                for copier in (households, residents, memberships):
                    copier.flush()
                progress.update(CHUNK)
        for copier in (households, residents, memberships):
            copier.flush()
        progress.update(scale.households - progress.done)
        progress.close()
        self._count("households", households)
        self._count("residents", residents)
        self._count("memberships", memberships)
        info.caseload_count = caseload_count
        return info

    # --- meldingen, conversations, plans --------------------------------------------------------

    def _care(self, area: _Area, info: "_Households") -> dict[int, tuple[int | None, int]]:
        """Meldingen for coordinated households and a share of the others; for coordinated
        ones also a conversation (13 scores), a plan with goals, actions and versions, and for
        closed plans an evaluation and aftercare. Returns household id -> (plan id, coordinator)
        for the households with a plan."""
        rng, today = self.rng, self.today
        c = {
            "melding": Copier(
                Melding,
                [
                    "id",
                    "uuid",
                    "household_id",
                    "received_on",
                    "channel",
                    "question",
                    "investigation_deadline",
                    "personal_plan_deadline",
                    "status",
                    "registered_by_id",
                    "withdrawn_on",
                    "withdrawn_reason",
                    "withdrawn_by_id",
                    "created_at",
                ],
            ),
            "conversation": Copier(
                KitchenTableConversation,
                [
                    "id",
                    "uuid",
                    "household_id",
                    "melding_id",
                    "held_on",
                    "place",
                    "other_participants",
                    "resident_story",
                    "own_strength",
                    "network_strength",
                    "general_provisions",
                    "agreements",
                    "resident_remarks",
                    "income_crisis",
                    "income_note",
                    "debts_crisis",
                    "debts_note",
                    "housing_crisis",
                    "housing_note",
                    "food_crisis",
                    "food_note",
                    "domains_not_discussed",
                    "conducted_by_id",
                    "created_at",
                    "updated_at",
                ],
            ),
            "participant": Copier(
                KitchenTableConversation.participants.through,
                ["id", "kitchentableconversation_id", "resident_id"],
            ),
            "score": Copier(
                LifeDomainScore,
                ["id", "conversation_id", "evaluation_id", "domain", "score", "note"],
            ),
            "plan": Copier(
                SupportPlan,
                [
                    "id",
                    "uuid",
                    "household_id",
                    "conversation_id",
                    "status",
                    "evaluation_date",
                    "aftercare_in_place",
                    "aftercare_agreed_with",
                    "aftercare_check_in_dates",
                    "no_agreement_reason",
                    "activated_at",
                    "closed_at",
                    "created_by_id",
                    "created_at",
                    "updated_at",
                ],
            ),
            "goal": Copier(
                PlanGoal,
                ["id", "uuid", "plan_id", "domain", "basic_need", "description", "position"],
            ),
            "action": Copier(
                PlanAction,
                [
                    "id",
                    "uuid",
                    "plan_id",
                    "goal_id",
                    "description",
                    "owner_kind",
                    "owner_resident_id",
                    "owner_network_member_id",
                    "owner_user_id",
                    "owner_organisation_id",
                    "owner_text",
                    "due_on",
                    "done_on",
                    "created_at",
                ],
            ),
            "version": Copier(
                SupportPlanVersion,
                [
                    "id",
                    "plan_id",
                    "number",
                    "snapshot",
                    "reason",
                    "reason_note",
                    "content_changed",
                    "created_by_id",
                    "created_at",
                ],
            ),
            "agreement": Copier(
                PlanAgreement,
                [
                    "id",
                    "uuid",
                    "plan_id",
                    "version",
                    "method",
                    "resident_id",
                    "agreed_by_name",
                    "representative_capacity",
                    "agreed_on",
                    "recorded_by_id",
                    "recorded_at",
                ],
            ),
            "evaluation": Copier(
                Evaluation,
                ["id", "uuid", "plan_id", "evaluated_on", "notes", "conducted_by_id", "created_at"],
            ),
            "check_in": Copier(
                AftercareCheckIn, ["id", "uuid", "plan_id", "due_on", "status", "done_on", "note"]
            ),
        }
        domains = LifeDomain.values
        plans: dict[int, tuple[int | None, int]] = {}
        progress = Progress("care", len(info.ids), enabled=self.progress)
        pending = 0
        for index, household_id in enumerate(info.ids):
            coordinator = info.coordinators[index]
            if coordinator is None and rng.random() >= EXTRA_MELDING_SHARE:
                continue
            members = info.members[index]
            received = today - datetime.timedelta(days=rng.randrange(1, 720))
            if coordinator is None:
                status = rng.choice(("completed", "completed", "withdrawn", "open"))
                registered_by = area.generalists[info.districts[index]][0]
            else:
                status = "open" if received > today - datetime.timedelta(days=50) else "completed"
                registered_by = coordinator
            if status == "open" and rng.random() < 0.5:
                received = today - datetime.timedelta(days=rng.randrange(1, 60))  # some overdue
            melding_id = c["melding"].take_id()
            investigation_deadline, personal_plan_deadline = self._melding_deadlines(received)
            withdrawn = status == "withdrawn"
            c["melding"].add(
                (
                    melding_id,
                    _uuid(rng),
                    household_id,
                    received,
                    rng.choice(("phone", "counter", "email", "website", "home_visit")),
                    QUESTIONS[rng.randrange(len(QUESTIONS))],
                    investigation_deadline,
                    personal_plan_deadline,
                    status,
                    registered_by,
                    min(today, received + datetime.timedelta(days=WITHDRAWN_AFTER_DAYS))
                    if withdrawn
                    else None,
                    WITHDRAWAL_REASON if withdrawn else "",
                    registered_by if withdrawn else None,
                    _moment(received, rng),
                )
            )
            pending += 1
            if coordinator is None:
                continue
            held = min(today, received + datetime.timedelta(days=rng.randrange(3, 35)))
            conversation_id = c["conversation"].take_id()
            crisis = rng.random() < 0.15
            # basic needs: income yes/no, debts and housing no, food mostly not asked (None);
            # all 13 life domains scored, none "not discussed"
            # (derived from the id, not drawn: the random stream stays as it was)
            food_asked = False if conversation_id % 3 == 0 else None
            held_at = _moment(held, rng)
            c["conversation"].add(
                (
                    conversation_id, _uuid(rng), household_id, melding_id, held, "thuis", "",
                    STORIES[rng.randrange(len(STORIES))], "Kan zelf koken en boodschappen doen.",
                    "Zus komt wekelijks langs.", "Inloopspreekuur geldzaken besproken.",
                    "Over twee weken een vervolggesprek.", "", crisis,
                    "Geen inkomen sinds vorige maand." if crisis else "", False, "", False, "",
                    food_asked, "", "[]", coordinator, held_at, held_at,
                )
            )  # fmt: skip
            for resident_id in members[:2]:
                c["participant"].add((c["participant"].take_id(), conversation_id, resident_id))
            scores = [min(5, max(1, round(rng.gauss(3.4, 1.0)))) for _ in domains]
            for domain, score in zip(domains, scores, strict=True):
                c["score"].add((c["score"].take_id(), conversation_id, None, domain, score, ""))
            # the plan
            roll = rng.random()
            status = "active" if roll < 0.6 else ("draft" if roll < 0.75 else "closed")
            plan_id = c["plan"].take_id()
            plan_uuid = _uuid(rng)
            activated = held_at + datetime.timedelta(days=rng.randrange(2, 20))
            activated = min(activated, self.now)
            closed = None
            if status == "closed":
                closed = min(self.now, activated + datetime.timedelta(days=rng.randrange(60, 400)))
            check_in_dates = (
                [
                    day.isoformat()
                    for day in aftercare_check_in_dates_default(closed_on=closed.date())
                ]
                if closed
                else []
            )
            evaluation_date = plan_evaluation_date_default(start=held)
            c["plan"].add(
                (
                    plan_id, plan_uuid, household_id, conversation_id, status,
                    evaluation_date,
                    "" if status == "draft" else "Vangnet: zus en het inloopspreekuur.",
                    "" if status == "draft" else "Mevrouw en haar zus",
                    json.dumps(check_in_dates),
                    "",
                    None if status == "draft" else activated, closed, coordinator,
                    held_at, closed or activated,
                )
            )  # fmt: skip
            plans[household_id] = (plan_id, coordinator)
            low = sorted(range(len(domains)), key=lambda i: scores[i])[: rng.randint(2, 3)]
            goal_rows = []
            for position, domain_index in enumerate(low):
                goal_id = c["goal"].take_id()
                goal_uuid = _uuid(rng)
                description = GOALS[rng.randrange(len(GOALS))]
                c["goal"].add(
                    (goal_id, goal_uuid, plan_id, domains[domain_index], "", description, position)
                )
                goal_rows.append((goal_id, goal_uuid, domains[domain_index], description))
            action_rows = []
            for goal_id, goal_uuid, _domain, _description in goal_rows:
                for _ in range(rng.randint(1, 2)):
                    due = held + datetime.timedelta(days=rng.randrange(7, 120))
                    done = (
                        min(today, due - datetime.timedelta(days=rng.randrange(0, 7)))
                        if status == "closed" or (due < today and rng.random() < 0.7)
                        else None
                    )
                    kind = rng.choice(("resident", "professional", "other"))
                    action_uuid = _uuid(rng)
                    description = ACTIONS[rng.randrange(len(ACTIONS))]
                    c["action"].add(
                        (
                            c["action"].take_id(), action_uuid, plan_id, goal_id, description,
                            kind, members[0] if kind == "resident" else None, None,
                            coordinator if kind == "professional" else None, None,
                            "Buurvrouw" if kind == "other" else "", due, done, held_at,
                        )
                    )  # fmt: skip
                    action_rows.append((action_uuid, goal_uuid, description, kind, due, done))
            if status != "draft":
                for number in range(1, rng.randint(1, 3) + 1):
                    snapshot = {
                        "coordinator": info.coordinator_name(coordinator),
                        "evaluation_date": evaluation_date.isoformat(),
                        "goals": [
                            {"id": str(g[1]), "domain": g[2], "description": g[3]}
                            for g in goal_rows
                        ],
                        "actions": [
                            {
                                "id": str(a[0]),
                                "goal": str(a[1]),
                                "description": a[2],
                                "owner_kind": a[3],
                                "owner": "",
                                "due_on": a[4].isoformat(),
                                "done_on": a[5].isoformat() if a[5] else "",
                            }
                            for a in action_rows
                        ],
                        "participants": [],
                        "aftercare_in_place": "Vangnet: zus en het inloopspreekuur.",
                    }
                    c["version"].add(
                        (
                            c["version"].take_id(),
                            plan_id,
                            number,
                            json.dumps(snapshot),
                            "activated" if number == 1 else "action_changed",
                            "",
                            False,  # activation and actions done: not a change of content
                            coordinator,
                            activated + datetime.timedelta(days=number - 1),
                        )
                    )
                if members:  # the resident signed the plan as activated (version 1)
                    c["agreement"].add(
                        (
                            c["agreement"].take_id(), _uuid(rng), plan_id, 1, "paper",
                            members[0], "Inwoner", "", activated.date(), coordinator, activated,
                        )
                    )  # fmt: skip
            if status == "closed":
                evaluation_id = c["evaluation"].take_id()
                c["evaluation"].add(
                    (
                        evaluation_id,
                        _uuid(rng),
                        plan_id,
                        closed.date(),
                        "Doelen grotendeels gehaald.",
                        coordinator,
                        closed,
                    )
                )
                for domain, score in zip(domains, scores, strict=True):
                    c["score"].add(
                        (
                            c["score"].take_id(),
                            None,
                            evaluation_id,
                            domain,
                            min(5, score + rng.choice((0, 1, 1, 2))),
                            "",
                        )
                    )
                for day in check_in_dates:
                    due_on = datetime.date.fromisoformat(day)
                    state = (
                        "done"
                        if due_on < today - datetime.timedelta(days=14)
                        else ("due" if due_on <= today else "planned")
                    )
                    c["check_in"].add(
                        (
                            c["check_in"].take_id(), _uuid(rng), plan_id, due_on, state,
                            due_on if state == "done" else None,
                            "Het gaat goed." if state == "done" else "",
                        )
                    )  # fmt: skip
            if pending >= CHUNK // 5:
                for copier in c.values():
                    copier.flush()
                progress.update(index + 1 - progress.done)
                pending = 0
        for copier in c.values():
            copier.flush()
        progress.update(len(info.ids) - progress.done)
        progress.close()
        for name, copier in c.items():
            self._count(name, copier)
        return plans

    # --- applications, decisions, allocations, commitments ------------------------------------

    def _provisions(self, area: _Area, info: "_Households", plans: dict) -> None:
        rng, today = self.rng, self.today
        applications = Copier(
            ProvisionApplication,
            [
                "id", "uuid", "household_id", "product_id", "law", "resident_id", "plan_id",
                "motivation", "applied_on", "decision_deadline", "status", "assigned_to_id",
                "applied_by_id", "version", "created_at", "updated_at", "budget_override_reason",
                "district_id",
            ],
        )  # fmt: skip
        decisions = Copier(
            ProvisionDecision,
            [
                "id", "uuid", "application_id", "outcome", "product_id", "volume", "unit",
                "frequency", "start_date", "end_date", "delivery", "provider_id", "amount",
                "reasons", "general_provision_id", "is_deviation", "deviation_justification",
                "decided_by_id", "decided_at", "cosign_required", "cosigned_by_id", "cosigned_at",
                "made_known_on", "objection_deadline", "letter_version", "letter_issued_at",
            ],
        )  # fmt: skip
        letters = Copier(
            DecisionLetter,
            [
                "id", "decision_id", "version", "reason", "made_known_on", "objection_deadline",
                "issued_by_id", "issued_at",
            ],
        )  # fmt: skip
        allocations = Copier(
            Allocation,
            [
                "id", "uuid", "number", "decision_id", "household_id", "provider_id",
                "product_id", "volume", "unit", "frequency", "start_date", "end_date", "status",
                "client_id", "care_started_on", "care_stopped_on", "end_reason", "version",
                "created_at", "updated_at",
            ],
        )  # fmt: skip
        commitments = Copier(
            BudgetCommitment,
            [
                "id", "stream_id", "year", "district_id", "team_id", "amount", "decision_id",
                "mandate_spending_id", "created_at", "over_budget_reason",
            ],
        )  # fmt: skip
        consents = Copier(
            Consent,
            [
                "id", "uuid", "resident_id", "organisation_id", "categories", "purpose",
                "purpose_note", "given_by", "given_on", "expires_on", "withdrawn_on",
                "legal_basis", "legal_basis_text", "recorded_by_id", "created_at",
            ],
        )  # fmt: skip
        # its own generator, so the rest of the municipality stays what the seed made before
        consent_rng = random.Random(f"{self.seed}-consents")
        consent_categories = json.dumps([DataCategory.CONTACT, DataCategory.PROGRESS])
        copiers = (applications, decisions, letters, allocations, commitments, consents)
        # a few providers get most of the work, as in practice
        provider_cum = _cumulative([1 / (rank + 1) for rank in range(len(area.providers))])
        progress = Progress("provisions", len(info.ids), enabled=self.progress)
        pending = 0
        for index, household_id in enumerate(info.ids):
            plan = plans.get(household_id)
            if plan is None and rng.random() >= EXTRA_APPLICATION_SHARE:
                continue
            if plan is not None and rng.random() >= 0.5:
                continue
            district_index = info.districts[index]
            members = info.members[index]
            applied_by = plan[1] if plan else area.generalists[district_index][0]
            for _ in range(1 if rng.random() < 0.8 else 2):
                product = area.products[rng.randrange(len(area.products))]
                applied_on = today - datetime.timedelta(days=rng.randrange(0, 540))
                deadline = self._decision_deadline(product.law, applied_on)
                consultant = area.consultants[(district_index, product.law)]
                roll = rng.random()
                if applied_on > today - datetime.timedelta(days=40) and roll < 0.7:
                    # still open; some over the legal term
                    status = rng.choice(("submitted", "in_review", "in_review"))
                elif roll < 0.04:
                    status = rng.choice(("submitted", "in_review"))  # long overdue
                elif roll < 0.09:
                    status = "withdrawn"
                elif roll < 0.19:
                    status = "rejected"
                elif roll < 0.24:
                    status = "referred_back"
                else:
                    status = "granted"
                application_id = applications.take_id()
                created = _moment(applied_on, rng)
                decided_on = min(
                    today,
                    applied_on
                    + datetime.timedelta(
                        days=rng.randrange(1, DECISION_WEEKS[product.law] * 7 + 21)
                    ),
                )
                decided_at = _moment(decided_on, rng)
                applications.add(
                    (
                        application_id, _uuid(rng), household_id, product.pk, product.law,
                        members[0], plan[0] if plan else None,
                        MOTIVATIONS[rng.randrange(len(MOTIVATIONS))], applied_on, deadline, status,
                        None if status == "submitted" else consultant, applied_by, 1,
                        created,
                        decided_at if status not in ("submitted", "in_review") else created, "",
                        area.districts[district_index].pk,
                    )
                )  # fmt: skip
                if status in ("submitted", "in_review", "withdrawn"):
                    continue
                decision_id = decisions.take_id()
                outcome = {"granted": "grant", "rejected": "reject", "referred_back": "refer_back"}[
                    status
                ]
                if outcome == "grant":
                    in_kind = product.law != "participatie" and rng.random() < 0.85
                    provider = (
                        area.providers[_pick(provider_cum, rng.random())] if in_kind else None
                    )
                    volume = rng.randint(1, 12)
                    amount = Decimal(rng.randrange(250, 9_500)).quantize(Decimal("0.01"))
                    start = decided_on + datetime.timedelta(days=rng.randrange(0, 14))
                    end = start + datetime.timedelta(days=365)
                    frequency = "6" if product.law == "participatie" else "2"
                    decisions.add(
                        (
                            decision_id, _uuid(rng), application_id, outcome, product.pk, volume,
                            product.unit, frequency, start, end,
                            "in_kind" if in_kind else "pgb", provider, amount, "", None, False,
                            "", consultant, decided_at, False, None, None,
                            *self._letter(letters, decision_id, decided_on, decided_at, consultant),
                        )
                    )  # fmt: skip
                    commitments.add(
                        (
                            commitments.take_id(), product.budget_stream_id, decided_on.year,
                            area.districts[district_index].pk, None, amount, decision_id, None,
                            decided_at, "",
                        )
                    )  # fmt: skip
                    if in_kind:
                        allocation_id = allocations.take_id()
                        started = start <= today and rng.random() < 0.8
                        stopped = started and end <= today
                        care_started = start + datetime.timedelta(days=rng.randrange(0, 5))
                        care_started = min(care_started, today) if started else None
                        allocations.add(
                            (
                                allocation_id, _uuid(rng), f"{allocation_id:08d}", decision_id,
                                household_id, provider, product.pk, volume, product.unit,
                                frequency, start, end,
                                "stopped" if stopped else ("started" if started else "not_started"),
                                members[0], care_started, end if stopped else None,
                                "19" if stopped and product.law == "wmo" else (
                                    "34" if stopped else ""
                                ),
                                1, decided_at, decided_at,
                            )
                        )  # fmt: skip
                        roll = consent_rng.random()
                        if roll < ALLOCATION_CONSENT_SHARE + ALLOCATION_LEGAL_BASIS_SHARE:
                            legal_basis = roll >= ALLOCATION_CONSENT_SHARE
                            consents.add(
                                (
                                    consents.take_id(), _uuid(consent_rng), members[0], provider,
                                    consent_categories, ConsentPurpose.PROVIDER_ALLOCATION, "",
                                    "de gemeente" if legal_basis else "de cliënt", decided_on,
                                    None if legal_basis else end,  # the allocation's
                                    None, legal_basis,
                                    ALLOCATION_LEGAL_BASIS if legal_basis else "", consultant,
                                    decided_at,
                                )
                            )  # fmt: skip
                elif outcome == "reject":
                    decisions.add(
                        (
                            decision_id, _uuid(rng), application_id, outcome, None, None, "", "",
                            None, None, "", None, None,
                            "Het netwerk en algemene voorzieningen bieden voldoende.", None,
                            False, "", consultant, decided_at, False, None, None,
                            *self._letter(letters, decision_id, decided_on, decided_at, consultant),
                        )
                    )  # fmt: skip
                else:
                    decisions.add(
                        (
                            decision_id, _uuid(rng), application_id, outcome, None, None, "", "",
                            None, None, "", None, None, "Eerst de algemene voorziening proberen.",
                            area.general_provisions[rng.randrange(len(area.general_provisions))],
                            False, "", consultant, decided_at, False, None, None,
                            *self._letter(letters, decision_id, decided_on, decided_at, consultant),
                        )
                    )  # fmt: skip
                pending += 1
            if pending >= CHUNK // 5:
                for copier in copiers:
                    copier.flush()
                progress.update(index + 1 - progress.done)
                pending = 0
        for copier in copiers:
            copier.flush()
        progress.update(len(info.ids) - progress.done)
        progress.close()
        self._count("applications", applications)
        self._count("decisions", decisions)
        self._count("decision_letters", letters)
        self._count("allocations", allocations)
        self._count("budget_commitments", commitments)
        self._count("consents", consents)

    # --- access log -------------------------------------------------------------------------------

    def _access_log(self, area: _Area, info: "_Households") -> None:
        """Past access-log rows: professionals opening households over the last year. Inserted
        (the append-only trigger refuses only UPDATE and DELETE)."""
        rng, today = self.rng, self.today
        log = Copier(
            AccessLogEntry,
            [
                "id", "at", "user_id", "username", "role_names", "action", "object_type",
                "object_id", "household_uuid", "resident_uuids", "search_kind", "result_count",
                "result", "context", "reason", "ip_address", "user_agent",
            ],
        )  # fmt: skip
        total = len(info.ids) * ACCESS_LOG_ROWS_PER_HOUSEHOLD
        progress = Progress("access log", total, enabled=self.progress)
        users = [user_id for team in area.generalists for user_id in team] + area.all_consultants
        start = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=365), datetime.time(8))
        )
        span = 365 * 24 * 3600
        moments = sorted(rng.randrange(span) for _ in range(total))
        for number, offset in enumerate(moments):
            index = rng.randrange(len(info.ids))
            user_id = users[rng.randrange(len(users))]
            username, role = area.user_roles[user_id]
            action = ACCESS_ACTIONS[rng.randrange(len(ACCESS_ACTIONS))]
            household_uuid = info.uuids[index]
            if action == "search":
                row = (
                    log.take_id(), start + datetime.timedelta(seconds=offset), user_id,
                    username, role, "search", "household", "", None, "[]",
                    rng.choice(("bsn", "postcode", "name")), rng.randrange(0, 20), "allowed",
                    "normal", "", "10.0.0.1", USER_AGENT,
                )  # fmt: skip
            else:
                row = (
                    log.take_id(), start + datetime.timedelta(seconds=offset), user_id,
                    username, role, action, "household", str(household_uuid), household_uuid,
                    "[]", "", None, "allowed", "normal", "", "10.0.0.1", USER_AGENT,
                )  # fmt: skip
            log.add(row)
            if len(log.rows) >= CHUNK * 2:
                log.flush()
                progress.update(number + 1 - progress.done)
        log.flush()
        if total > progress.done:
            progress.update(total - progress.done)
        progress.close()
        self._count("access_log", log)

    def _reset_sequences(self) -> None:
        models = [
            Household, Resident, HouseholdMembership, Melding, KitchenTableConversation,
            KitchenTableConversation.participants.through, LifeDomainScore, SupportPlan,
            PlanGoal, PlanAction, SupportPlanVersion, PlanAgreement, Evaluation, AftercareCheckIn,
            ProvisionApplication, ProvisionDecision, DecisionLetter, Allocation, BudgetCommitment,
            Consent, AccessLogEntry,
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


class _Households:
    """Compact per-household facts the later stages need."""

    def __init__(self):
        self.ids: list[int] = []
        self.uuids: list[uuid.UUID] = []
        self.districts: list[int] = []
        self.coordinators: list[int | None] = []
        self.members: list[tuple[int, ...]] = []
        self.caseload_count: dict[int, int] = {}
        self._names: dict[int, str] = {}

    def add(self, household_id, household_uuid, district, coordinator, members: Iterable[int]):
        self.ids.append(household_id)
        self.uuids.append(household_uuid)
        self.districts.append(district)
        self.coordinators.append(coordinator)
        self.members.append(tuple(members))

    def coordinator_name(self, user_id: int) -> str:
        if user_id not in self._names:
            user = get_user_model().objects.get(pk=user_id)
            self._names[user_id] = user.get_full_name() or user.get_username()
        return self._names[user_id]


def _pick(cumulative: list[float], fraction: float) -> int:
    target = fraction * cumulative[-1]
    for index, value in enumerate(cumulative):
        if value >= target:
            return index
    return len(cumulative) - 1


_DISTRICT_WORDS = (
    "Centrum", "Noord", "Oost", "Zuid", "West", "Havenkwartier", "Parkwijk", "De Hoven",
    "Bomenbuurt", "Molenveld", "Waterland", "Zuiderhout", "Oosterpark", "Westerkwartier",
    "Het Laar", "Boschveld", "Kanaalzone", "Vogelwijk", "Dorp", "Nieuwland",
)  # fmt: skip
_BUURT_WORDS = (
    "Kern", "Akkers", "Hof", "Veld", "Park", "Kade", "Dreef", "Erven", "Tuinen", "Weide",
    "Hoeven", "Lanen",
)  # fmt: skip


def _district_names(count: int) -> list[str]:
    return [
        _DISTRICT_WORDS[i % len(_DISTRICT_WORDS)]
        + ("" if i < len(_DISTRICT_WORDS) else f" {i // len(_DISTRICT_WORDS) + 1}")
        for i in range(count)
    ]


def _buurt_name(index: int) -> str:
    word = _BUURT_WORDS[index % len(_BUURT_WORDS)]
    return word if index < len(_BUURT_WORDS) else f"{word} {index // len(_BUURT_WORDS) + 1}"
