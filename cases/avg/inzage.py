"""Inzage (right of access, art. 15 AVG): a resident's complete file as one document.

`inzage_build(resident=...)` returns plain JSON-able data (structure `wijkwerk-inzage/1`,
documented in docs/privacy.md) in a constant number of queries, however many plans,
applications or log entries the file has. `inzage_pdf(data)` turns the same data into a
readable Dutch PDF for the resident (fpdf2, pure Python).

What is in it: the person; every household they are or were a member of, with that household's
file (meldingen, signals, kitchen-table conversations with their scores, informal network,
support plans with goals, actions, participants, versions, evaluations and aftercare,
referrals, applications with their decision, allocations and progress reports, objections
against decisions, team-mandate spending); their consents and correction requests; and every
access-log entry about them or those households (who, when, what, in which context)."""

import datetime
import textwrap
import unicodedata
import uuid
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.agenda.models import Appointment
from cases.avg.models import CorrectionRequest
from cases.consent.models import Consent, DataCategory
from cases.documents.models import HouseholdDocument
from cases.documents.storage import document_storage
from cases.households.models import Handover, HouseholdAddress, HouseholdMembership, Resident
from cases.intake.models import (
    BasicNeed,
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
    Melding,
    Signal,
)
from cases.journal.models import JournalEntry
from cases.network.models import NetworkActionReport, NetworkLink
from cases.objections.models import Objection
from cases.partners.models import ProgressReport
from cases.plans.models import (
    Evaluation,
    PlanAction,
    PlanAgreement,
    PlanDecline,
    PlanParticipant,
    SupportPlan,
    SupportPlanVersion,
)
from cases.privacy.models import AccessLogEntry
from cases.provisions.models import (
    Allocation,
    GeneralProvisionReferral,
    MandateSpending,
    ProvisionApplication,
)
from cases.volunteers.models import Volunteer
from teams.roles import Role

FORMAT = "wijkwerk-inzage/1"


def _value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    return value


def _fields(obj, *names: str, choices: tuple[str, ...] = ()) -> dict:
    """The named fields as JSON values; for each name in `choices` also `<name>_display`."""
    data = {name: _value(getattr(obj, name)) for name in names}
    for name in choices:
        data[f"{name}_display"] = str(getattr(obj, f"get_{name}_display")())
    return data


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _scores(scores) -> list[dict]:
    return [_fields(s, "domain", "score", "note", choices=("domain",)) for s in scores]


def _plans_queryset():
    return SupportPlan.objects.select_related(
        "household__coordinator", "created_by"
    ).prefetch_related(
        "goals",
        Prefetch(
            "actions",
            PlanAction.objects.select_related(
                "owner_resident", "owner_network_member", "owner_user", "owner_organisation"
            ),
        ),
        Prefetch("participants", PlanParticipant.objects.select_related("user")),
        Prefetch("versions", SupportPlanVersion.objects.select_related("created_by")),
        Prefetch("agreements", PlanAgreement.objects.select_related("resident", "recorded_by")),
        Prefetch("declines", PlanDecline.objects.select_related("resident", "recorded_by")),
        Prefetch(
            "network_links",
            NetworkLink.objects.select_related("member").prefetch_related(
                Prefetch("reports", NetworkActionReport.objects.select_related("action"))
            ),
        ),
        Prefetch(
            "evaluations",
            Evaluation.objects.select_related("conducted_by").prefetch_related(
                Prefetch("scores", LifeDomainScore.objects.order_by("domain"))
            ),
        ),
        "check_ins",
    )


def _plan(plan) -> dict:
    return {
        **_fields(
            plan,
            "uuid",
            "status",
            "evaluation_date",
            "aftercare_in_place",
            "aftercare_agreed_with",
            "no_agreement_reason",
            "activated_at",
            "closed_at",
            "created_at",
            choices=("status",),
        ),
        "coordinator": _person(plan.coordinator),
        "aftercare_check_in_dates": [day.isoformat() for day in plan.aftercare_check_in_dates],
        "goals": [
            _fields(g, "uuid", "domain", "basic_need", "description", choices=("domain",))
            for g in plan.goals.all()
        ],
        "actions": [
            {
                **_fields(a, "uuid", "description", "owner_kind", "due_on", "done_on"),
                "goal": str(a.goal.uuid) if a.goal_id else "",
                "owner": a.owner_name,
            }
            for a in plan.actions.all()
        ],
        "participants": [
            {**_fields(p, "role", "status", "invited_at", "responded_at"), "name": _person(p.user)}
            for p in plan.participants.all()
        ],
        "agreements": [
            {
                **_fields(
                    a,
                    "version",
                    "method",
                    "representative_capacity",
                    "agreed_on",
                    "signature_method",
                    "signature_name",
                    choices=("method",),
                ),
                "agreed_by": a.who,
                "signature_image": a.signature_data_url,
                "recorded_by": _person(a.recorded_by),
            }
            for a in plan.agreements.all()
        ],
        "declines": [
            {
                **_fields(d, "version", "reason", "recorded_at"),
                "resident": d.resident.full_name if d.resident_id else "",
                "recorded_by": _person(d.recorded_by),
            }
            for d in plan.declines.all()
        ],
        # the links network members had to their own actions, and what they reported
        "network_links": [
            {
                **_fields(link, "uuid", "created_at", "expires_on", "revoked_at"),
                "member": link.member.name,
                "reports": [
                    {
                        **_fields(r, "status", "note", "at", choices=("status",)),
                        "action": str(r.action.uuid),
                    }
                    for r in sorted(link.reports.all(), key=lambda r: (r.at, r.pk))
                ],
            }
            for link in sorted(plan.network_links.all(), key=lambda link: link.pk)
        ],
        "versions": [
            {
                **_fields(v, "number", "reason", "reason_note", "created_at", "snapshot"),
                "reason_display": v.reason_display,
                "created_by": _person(v.created_by),
            }
            for v in sorted(plan.versions.all(), key=lambda v: v.number)
        ],
        "evaluations": [
            {
                **_fields(e, "uuid", "evaluated_on", "notes"),
                "conducted_by": _person(e.conducted_by),
                "scores": _scores(e.scores.all()),
            }
            for e in plan.evaluations.all()
        ],
        "aftercare_check_ins": [
            _fields(c, "due_on", "status", "done_on", "note", choices=("status",))
            for c in plan.check_ins.all()
        ],
    }


def _application(application) -> dict:
    data = {
        **_fields(
            application,
            "uuid",
            "law",
            "motivation",
            "applied_on",
            "decision_deadline",
            "status",
            choices=("law", "status"),
        ),
        "product": application.product.name,
        "for_whom": application.resident.full_name if application.resident_id else "",
        "applied_by": _person(application.applied_by),
        "consultant": _person(application.assigned_to),
        "decision": None,
        "allocations": [],
    }
    decision = getattr(application, "decision", None)
    if decision is not None:
        data["decision"] = {
            **_fields(
                decision,
                "uuid",
                "outcome",
                "volume",
                "unit",
                "frequency",
                "start_date",
                "end_date",
                "delivery",
                "amount",
                "reasons",
                "is_deviation",
                "deviation_justification",
                "decided_at",
                "cosigned_at",
                choices=("outcome",),
            ),
            "product": decision.product.name if decision.product_id else "",
            "provider": decision.provider.name if decision.provider_id else "",
            "general_provision": (
                decision.general_provision.name if decision.general_provision_id else ""
            ),
            "decided_by": _person(decision.decided_by),
            "cosigned_by": _person(decision.cosigned_by),
        }
        data["allocations"] = [
            {
                **_fields(
                    al,
                    "uuid",
                    "number",
                    "volume",
                    "unit",
                    "frequency",
                    "start_date",
                    "end_date",
                    "status",
                    "care_started_on",
                    "care_stopped_on",
                    "end_reason",
                    choices=("status",),
                ),
                "provider": al.provider.name,
                "product": al.product.name,
                "client": al.client.full_name if al.client_id else "",
                "progress_reports": [
                    {
                        **_fields(r, "period_start", "period_end", "text", "goal_attainment"),
                        "organisation": r.organisation.name,
                        "received_at": _value(r.created_at),
                    }
                    for r in al.progress_reports.all()
                ],
            }
            for al in decision.allocations.all()
        ]
    return data


def _household(membership, files: dict) -> dict:
    household = membership.household
    hid = household.pk
    return {
        "uuid": str(household.uuid),
        "address": str(household),
        "membership": _fields(membership, "role", "start_date", "end_date", choices=("role",)),
        "coordinator": _person(household.coordinator),
        "former_addresses": [
            {
                **_fields(a, "valid_from", "valid_until"),
                "address": f"{a.street} {a.house_number}{a.house_number_addition}, "
                f"{a.postcode} {a.city}",
            }
            for a in files["former_addresses"].get(hid, [])
        ],
        "handovers": [
            {
                **_fields(h, "created_at", "reason", "status", "accepted_at", choices=("status",)),
                "from_district": h.from_district.name,
                "to_district": h.to_district.name,
            }
            for h in files["handovers"].get(hid, [])
        ],
        "meldingen": [
            {
                **_fields(
                    m,
                    "uuid",
                    "received_on",
                    "channel",
                    "question",
                    "investigation_deadline",
                    "personal_plan_deadline",
                    "status",
                    "withdrawn_on",
                    "withdrawn_reason",
                    choices=("channel", "status"),
                ),
                "registered_by": _person(m.registered_by),
            }
            for m in files["meldingen"].get(hid, [])
        ],
        "signals": [
            _fields(
                s,
                "uuid",
                "received_on",
                "source_type",
                "observation",
                "status",
                "close_reason",
                choices=("source_type", "status"),
            )
            for s in files["signals"].get(hid, [])
        ],
        "journal": [
            {
                **_fields(
                    j,
                    "uuid",
                    "occurred_on",
                    "kind",
                    "text",
                    "visibility",
                    "edited_at",
                    choices=("kind", "visibility"),
                ),
                "author": _person(j.author),
            }
            for j in files["journal"].get(hid, [])
        ],
        "appointments": [
            _fields(
                a,
                "starts_at",
                "duration_minutes",
                "kind",
                "place",
                "with_whom",
                "cancelled_at",
                choices=("kind",),
            )
            for a in files["appointments"].get(hid, [])
        ],
        "conversations": [
            {
                **_fields(c, "uuid", *KitchenTableConversation.NARRATIVE_FIELDS),
                "participants": [r.full_name for r in c.participants.all()],
                "network_participants": [m.name for m in c.network_participants.all()],
                "conducted_by": _person(c.conducted_by),
                "basic_needs": [
                    {
                        "need": str(row["need"]),
                        "crisis": row["crisis"],
                        "answer": str(row["answer"]),
                        "note": row["note"],
                    }
                    for row in c.basic_needs()
                ],
                "scores": _scores(c.scores.all()),
                "domains_not_discussed": list(c.domains_not_discussed or []),
            }
            for c in files["conversations"].get(hid, [])
        ],
        "network": [
            _fields(n, "kind", "name", "contact", "contribution", choices=("kind",))
            for n in files["network"].get(hid, [])
        ],
        "plans": [_plan(p) for p in files["plans"].get(hid, [])],
        "referrals": [
            {
                **_fields(
                    r,
                    "referred_on",
                    "reason",
                    "follow_up_on",
                    "outcome",
                    "outcome_note",
                    "followed_up_on",
                    choices=("outcome",),
                ),
                "provision": r.provision.name,
            }
            for r in files["referrals"].get(hid, [])
        ],
        "applications": [_application(a) for a in files["applications"].get(hid, [])],
        "objections": [
            {
                **_fields(
                    o,
                    "uuid",
                    "received_on",
                    "objector_kind",
                    "objector_name",
                    "grounds",
                    "objection_term_end",
                    "late",
                    "late_excusable",
                    "advisory_committee",
                    "deferred_on",
                    "consent_deferral_weeks",
                    "decision_due",
                    "hearing_on",
                    "outcome",
                    "outcome_reasons",
                    "decided_on",
                    choices=("objector_kind", "outcome"),
                ),
                "decision": str(o.decision.uuid),
                "product": o.decision.application.product.name,
                "new_application": str(o.new_application.uuid) if o.new_application else None,
            }
            for o in files["objections"].get(hid, [])
        ],
        "mandate_spending": [
            _fields(s, "amount", "reason", "spent_on") for s in files["mandate"].get(hid, [])
        ],
        "documents": [
            {
                **_fields(
                    d,
                    "uuid",
                    "category",
                    "document_date",
                    "description",
                    "original_filename",
                    "content_type",
                    "size",
                    "sha256",
                    "scan_status",
                    "created_at",
                    choices=("category", "scan_status"),
                ),
                "uploaded_by": _person(d.uploaded_by),
                # where the ZIP export holds the file itself ("" when it is not downloadable)
                "file_in_export": _document_path(household, d) if d.downloadable else "",
            }
            for d in files["documents"].get(hid, [])
        ],
    }


def _document_path(household, document) -> str:
    return f"documenten/{household.uuid}/{document.uuid}-{document.original_filename}"


def _by_household(queryset, attr: str = "household_id") -> dict[int, list]:
    grouped: dict[int, list] = {}
    for obj in queryset:
        grouped.setdefault(getattr(obj, attr), []).append(obj)
    return grouped


def inzage_build(*, resident: Resident) -> dict:
    """The resident's complete file as JSON-able data (see the module docstring)."""
    memberships = list(
        HouseholdMembership.objects.filter(resident=resident)
        .select_related("household__coordinator")
        .order_by("start_date", "pk")
    )
    household_ids = {m.household_id for m in memberships}
    households = {"household_id__in": household_ids}
    files = {
        "meldingen": _by_household(
            Melding.objects.filter(**households).select_related("registered_by")
        ),
        "signals": _by_household(Signal.objects.filter(**households)),
        "former_addresses": _by_household(
            HouseholdAddress.objects.filter(**households).order_by("valid_from")
        ),
        "handovers": _by_household(
            Handover.objects.filter(**households)
            .select_related("from_district", "to_district")
            .order_by("created_at")
        ),
        "appointments": _by_household(Appointment.objects.filter(**households)),
        "journal": _by_household(
            JournalEntry.objects.filter(**households)
            .select_related("author")
            .order_by("occurred_on", "created_at")
        ),
        "conversations": _by_household(
            KitchenTableConversation.objects.filter(**households)
            .select_related("conducted_by")
            .prefetch_related(
                "participants",
                "network_participants",
                Prefetch("scores", LifeDomainScore.objects.order_by("domain")),
            )
        ),
        "network": _by_household(InformalNetworkMember.objects.filter(**households)),
        "plans": _by_household(_plans_queryset().filter(**households)),
        "referrals": _by_household(
            GeneralProvisionReferral.objects.filter(**households).select_related("provision")
        ),
        "objections": _by_household(
            Objection.objects.filter(**households)
            .select_related("decision__application__product", "new_application")
            .order_by("received_on", "pk")
        ),
        "applications": _by_household(
            ProvisionApplication.objects.filter(**households)
            .select_related(
                "product",
                "resident",
                "applied_by",
                "assigned_to",
                "decision__product",
                "decision__provider",
                "decision__general_provision",
                "decision__decided_by",
                "decision__cosigned_by",
            )
            .prefetch_related(
                Prefetch(
                    "decision__allocations",
                    Allocation.objects.select_related("provider", "product", "client"),
                ),
                Prefetch(
                    "decision__allocations__progress_reports",
                    ProgressReport.objects.select_related("organisation"),
                ),
            )
            .order_by("applied_on", "pk")
        ),
        "mandate": _by_household(MandateSpending.objects.filter(**households)),
        "documents": _by_household(
            HouseholdDocument.objects.filter(**households)
            .select_related("uploaded_by")
            .order_by("document_date", "pk")
        ),
    }
    household_uuids = [m.household.uuid for m in memberships]
    about = (
        Q(household_uuid__in=household_uuids)
        | Q(object_type="resident", object_id=str(resident.uuid))
        | Q(object_type="inzage", object_id=str(resident.uuid))
    )
    if connection.vendor == "postgresql":  # JSON containment (GIN-indexable)
        about |= Q(resident_uuids__contains=[str(resident.uuid)])
    else:  # SQLite has no JSON `contains`: the quoted UUID in the list's JSON text is as exact
        about |= Q(resident_uuids__icontains=f'"{resident.uuid}"')
    access_log = AccessLogEntry.objects.filter(about).order_by("at", "pk")
    category_labels = dict(DataCategory.choices)
    role_labels = dict(Role.choices)
    return {
        "format": FORMAT,
        "generated_at": _value(timezone.now()),
        "resident": _fields(
            resident,
            "uuid",
            "bsn",
            "first_name",
            "name_prefix",
            "last_name",
            "birth_date",
            "phone",
            "email",
            "created_at",
            "updated_at",
        ),
        "households": [_household(m, files) for m in memberships],
        "consents": [
            {
                **_fields(
                    c,
                    "uuid",
                    "categories",
                    "purpose",
                    "purpose_note",
                    "given_by",
                    "given_on",
                    "expires_on",
                    "withdrawn_on",
                    "legal_basis",
                    "legal_basis_text",
                ),
                "categories_display": [str(category_labels.get(x, x)) for x in c.categories],
                "purpose_display": str(c.get_purpose_display()),
                "organisation": c.organisation.name,
            }
            for c in Consent.objects.filter(resident=resident).select_related("organisation")
        ],
        "volunteer": _volunteer(resident),
        "correction_requests": [
            _fields(
                c,
                "uuid",
                "received_on",
                "deadline",
                "what_is_wrong",
                "should_be",
                "status",
                "outcome",
                "handled_on",
                "extension_reason",
                "extension_told_on",
                choices=("status",),
            )
            for c in CorrectionRequest.objects.filter(resident=resident).order_by(
                "received_on", "pk"
            )
        ],
        "access_log": [
            {
                **_fields(
                    e,
                    "at",
                    "username",
                    "action",
                    "object_type",
                    "result",
                    "context",
                    "reason",
                    choices=("action", "result", "context"),
                ),
                "roles": [role for role in e.role_names.split(",") if role],
                "roles_display": [
                    str(role_labels.get(role, role)) for role in e.role_names.split(",") if role
                ],
                "household": str(e.household_uuid) if e.household_uuid else "",
            }
            for e in access_log
        ],
    }


def _volunteer(resident: Resident) -> dict | None:
    """The resident in the volunteer register, if they are: what the register keeps and their
    help (what and when; of a household they help no address or name: that is its file)."""
    volunteer = (
        Volunteer.objects.filter(resident=resident)
        .select_related("district")
        .prefetch_related("offers", "volunteerings")
        .first()
    )
    if volunteer is None:
        return None
    return {
        **_fields(volunteer, "uuid", "offer_note", "availability", "started_on", "ended_on"),
        "district": volunteer.district.name,
        "offers": [str(offer.get_category_display()) for offer in volunteer.offers.all()],
        "help": [
            _fields(v, "category", "what", "started_on", "ended_on", choices=("category",))
            for v in sorted(volunteer.volunteerings.all(), key=lambda v: (v.started_on, v.pk))
        ],
    }


def inzage_filename(resident: Resident, extension: str) -> str:
    return f"inzage-{resident.uuid}-{timezone.localdate().isoformat()}.{extension}"


# --- PDF for the resident ---------------------------------------------------------------------


FONTS = Path(__file__).resolve().parent / "fonts"  # DejaVu Sans: Latin, Arabic and more


def _text(value) -> str:
    return str(value if value is not None else "")


def _needs_shaping(text: str) -> bool:
    """Right-to-left or joined script (Arabic, Hebrew): shaped by HarfBuzz (uharfbuzz). Only
    those lines: shaping every line of a long access log costs seconds."""
    return any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in text)


def _date(value) -> str:
    if not value:
        return "-"
    try:
        if "T" in value:
            return timezone.localtime(datetime.datetime.fromisoformat(value)).strftime(
                "%d-%m-%Y %H:%M"
            )
        return datetime.date.fromisoformat(value).strftime("%d-%m-%Y")
    except (TypeError, ValueError):
        return str(value)


def inzage_pdf(data: dict) -> bytes:
    """A readable document of `inzage_build`'s data for the resident, in the active language:
    everything the JSON export holds, in a font that prints every name (DejaVu Sans, vendored
    in `cases/avg/fonts/`; Arabic script shaped right to left), with the document's language,
    title and a bookmark per section for screen readers (fpdf2 cannot tag the text itself:
    docs/privacy.md)."""
    from fpdf import FPDF

    class Document(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.cell(0, 8, _("Page %(page)s") % {"page": self.page_no()}, align="C")

    pdf = Document(format="A4")
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(_("Your file at the municipality"))
    pdf.set_lang(translation.get_language() or "nl")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def shaped(text: str) -> None:
        pdf.set_text_shaping(_needs_shaping(text))

    def heading(text, size=13):
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", size)
        if size > 11:
            pdf.start_section(_text(text), level=0 if size > 13 else 1)
        shaped(_text(text))
        pdf.multi_cell(width, 7, _text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=10)

    def text_lines(text: str, size: float, height: float, chars: int) -> None:
        """Wrap `text` ourselves and draw each line as one cell: fpdf2's own line breaking
        measures the line again for every character, milliseconds per line. A line that is
        still too wide (many wide letters) falls back to multi_cell."""
        pdf.set_font("DejaVu", size=size)
        for paragraph in _text(text).splitlines() or [""]:
            indent = paragraph[: len(paragraph) - len(paragraph.lstrip())]
            wrapped = textwrap.wrap(
                paragraph.strip(), chars, initial_indent=indent, subsequent_indent=indent
            )
            for chunk in wrapped or [""]:
                shaped(chunk)
                if pdf.get_string_width(chunk) <= width:
                    pdf.cell(width, height, chunk, new_x="LMARGIN", new_y="NEXT")
                else:
                    pdf.multi_cell(width, height, chunk, new_x="LMARGIN", new_y="NEXT")

    def line(label, value=None):
        text_lines(f"{label}: {value}" if value is not None else str(label), 10, 5, 90)

    def empty():
        line(_("None."))

    def field_label(model, name: str) -> str:
        return str(model._meta.get_field(name).verbose_name).capitalize()

    label = {
        "story": _("Your story"),
        "agreements": _("Agreements"),
        "goal": _("Goal"),
        "due": _("due date"),
        "action": _("Action"),
        "network_report": _("Reported by"),
        "versions": _("Versions"),
        "evaluation": _("Evaluation"),
        "applied_on": _("applied on"),
        "decision": _("Decision"),
        "reasons": _("Reasons"),
        "allocation": _("Allocation"),
        "progress_report": _("Progress report"),
        "withdrawn": _("withdrawn on"),
        "extended": _("term extended by 2 months, told on"),
        "conducted_by": _("conducted by"),
        "participants": _("present"),
        "basic_need": _("Basic need"),
        "crisis": _("acute problem"),
        "no_crisis": _("no acute problem"),
        "not_asked": _("not asked"),
        "not_discussed": _("not discussed"),
        "participant": _("Taking part"),
        "evaluation_date": _("evaluation date"),
        "aftercare": _("aftercare agreed with"),
        "check_in": _("Check-in"),
    }
    person = data["resident"]
    heading(_("Your file at the municipality"), 16)
    line(
        _(
            "This is an overview of all data the neighbourhood team and the municipality keep "
            "about you (inzage, article 15 AVG), and of who looked at it."
        )
    )
    line(_("Made on"), _date(data["generated_at"]))

    heading(_("Your personal data"))
    name = " ".join(
        p for p in (person["first_name"], person["name_prefix"], person["last_name"]) if p
    )
    line(_("Name"), name)
    line(_("Date of birth"), _date(person["birth_date"]))
    line(_("BSN"), person["bsn"] or "-")
    line(_("Phone"), person["phone"] or "-")
    line(_("E-mail"), person["email"] or "-")

    for household in data["households"]:
        membership = household["membership"]
        heading(_("Household: %(address)s") % {"address": household["address"]})
        line(
            _("You lived here as %(role)s from %(start)s until %(end)s")
            % {
                "role": membership["role_display"].lower(),
                "start": _date(membership["start_date"]),
                "end": _date(membership["end_date"])
                if membership["end_date"]
                else _("now").lower(),
            }
        )
        line(_("Coordinator"), household["coordinator"] or "-")
        for a in household["former_addresses"]:
            line(
                _("Former address"),
                f"{a['address']} ({_date(a['valid_from'])} – {_date(a['valid_until'])})",
            )
        for h in household["handovers"]:
            line(
                _("Handover"),
                f"{_date(h['created_at'][:10])}: {h['from_district']} → {h['to_district']} "
                f"({h['status_display']})",
            )

        heading(_("Requests for help"), 11)
        for m in household["meldingen"] or []:
            line(f"{_date(m['received_on'])} ({m['channel_display']}, {m['status_display']})")
            line(f"  {m['question']}")
            if m["withdrawn_on"]:
                line(f"  {label['withdrawn']} {_date(m['withdrawn_on'])}: {m['withdrawn_reason']}")
        if not household["meldingen"]:
            empty()
        if household["signals"]:
            heading(_("Signals from others"), 11)
            for s in household["signals"]:
                line(f"{_date(s['received_on'])} ({s['source_type_display']}): {s['observation']}")

        if household["journal"]:
            heading(_("Journal"), 11)
            for j in household["journal"]:
                line(f"{_date(j['occurred_on'])} ({j['kind_display']}, {j['author']}): {j['text']}")

        if household["appointments"]:
            heading(_("Appointments"), 11)
            for a in household["appointments"]:
                line(f"{a['starts_at'][:16].replace('T', ' ')} {a['kind_display']} {a['place']}")

        heading(_("Kitchen-table conversations"), 11)
        conversation_texts = (
            "place",
            "other_participants",
            "resident_story",
            "own_strength",
            "network_strength",
            "general_provisions",
            "agreements",
            "resident_remarks",
        )
        for c in household["conversations"]:
            line(_("Conversation of %(date)s") % {"date": _date(c["held_on"])})
            if c["conducted_by"]:
                line(f"  {label['conducted_by']}: {c['conducted_by']}")
            if c["participants"]:
                line(f"  {label['participants']}: {', '.join(c['participants'])}")
            for name in conversation_texts:
                if c.get(name):
                    line(f"  {field_label(KitchenTableConversation, name)}: {c[name]}")
            for need in c["basic_needs"]:
                state = {True: label["crisis"], False: label["no_crisis"]}.get(
                    need["crisis"], label["not_asked"]
                )
                note = f" ({need['note']})" if need["note"] else ""
                need_label = BasicNeed(need["need"]).label
                line(f"  {label['basic_need']} {need_label}: {state}{note}")
            for score in c["scores"]:
                note = f" ({score['note']})" if score.get("note") else ""
                line(f"  {score['domain_display']}: {score['score']}{note}")
            for domain in c.get("domains_not_discussed") or []:
                line(f"  {LifeDomain(domain).label}: {label['not_discussed']}")
        if not household["conversations"]:
            empty()

        heading(_("Your network"), 11)
        for member in household["network"]:
            contribution = f": {member['contribution']}" if member["contribution"] else ""
            contact = f", {member['contact']}" if member["contact"] else ""
            line(f"{member['name']} ({member['kind_display']}{contact}){contribution}")
        if not household["network"]:
            empty()

        heading(_("Support plans"), 11)
        for plan in household["plans"]:
            line(
                _("Plan (%(status)s), made %(date)s")
                % {"status": plan["status_display"].lower(), "date": _date(plan["created_at"])}
            )
            for goal in plan["goals"]:
                line(f"  {label['goal']} ({goal['domain_display']}): {goal['description']}")
            for action in plan["actions"]:
                due = f" ({label['due']} {_date(action['due_on'])})" if action["due_on"] else ""
                line(f"  {label['action']}: {action['description']} - {action['owner']}{due}")
            actions = {action["uuid"]: action["description"] for action in plan["actions"]}
            for link in plan["network_links"]:
                for report in link["reports"]:
                    note = f": {report['note']}" if report["note"] else ""
                    line(
                        f"  {label['network_report']} {link['member']} ({_date(report['at'])}), "
                        f"{actions.get(report['action'], '')}: {report['status_display']}{note}"
                    )
            for participant in plan["participants"]:
                line(
                    f"  {label['participant']}: {participant['name']} ({participant['role']}, "
                    f"{participant['status']})"
                )
            if plan["versions"]:
                line(f"  {label['versions']}: {len(plan['versions'])}")
            if plan["evaluation_date"]:
                line(f"  {label['evaluation_date']}: {_date(plan['evaluation_date'])}")
            for evaluation in plan["evaluations"]:
                line(f"  {label['evaluation']} {_date(evaluation['evaluated_on'])}")
                if evaluation["notes"]:
                    line(f"    {evaluation['notes']}")
                for score in evaluation["scores"]:
                    line(f"    {score['domain_display']}: {score['score']}")
            if plan["aftercare_agreed_with"]:
                line(f"  {label['aftercare']}: {plan['aftercare_agreed_with']}")
            for check_in in plan["aftercare_check_ins"]:
                done = f", {_date(check_in['done_on'])}" if check_in["done_on"] else ""
                line(
                    f"  {label['check_in']} {_date(check_in['due_on'])}: "
                    f"{check_in['status_display']}{done}"
                )
        if not household["plans"]:
            empty()

        if household["referrals"]:
            heading(_("Referrals to general provisions"), 11)
            for referral in household["referrals"]:
                outcome = referral.get("outcome_display") or "-"
                line(
                    f"{_date(referral['referred_on'])}: {referral['provision']} "
                    f"({referral['reason']}), {outcome}"
                )

        heading(_("Applications and decisions"), 11)
        for application in household["applications"]:
            line(
                f"{application['product']} ({application['law_display']}), "
                f"{label['applied_on']} {_date(application['applied_on'])}: "
                f"{application['status_display']}"
            )
            decision = application["decision"]
            if decision:
                line(f"  {label['decision']}: {decision['outcome_display']}")
                if decision["reasons"]:
                    line(f"  {label['reasons']}: {decision['reasons']}")
            for allocation in application["allocations"]:
                line(
                    f"  {label['allocation']} {allocation['number']}: {allocation['provider']}, "
                    f"{_date(allocation['start_date'])} - {_date(allocation['end_date'])}"
                )
                for report in allocation["progress_reports"]:
                    line(
                        f"    {label['progress_report']} {_date(report['period_start'])} - "
                        f"{_date(report['period_end'])}: {report['text']}"
                    )
        if not household["applications"]:
            empty()
        if household["objections"]:
            heading(_("Objections"), 11)
            for objection in household["objections"]:
                line(
                    f"{_date(objection['received_on'])}, {objection['product']}: "
                    f"{objection['outcome_display'] or _('open')}"
                )
                line(f"  {objection['grounds']}")
        if household["mandate_spending"]:
            heading(_("Team mandate"), 11)
            for spending in household["mandate_spending"]:
                line(
                    f"{_date(spending['spent_on'])}: EUR {spending['amount']}, {spending['reason']}"
                )
        if household.get("documents"):
            heading(_("Documents"), 11)
            for document in household["documents"]:
                line(
                    f"{_date(document['document_date'])} ({document['category_display']}): "
                    f"{document['original_filename']}"
                    + (f", {document['description']}" if document["description"] else "")
                )
                if not document["file_in_export"]:
                    line(f"  {document['scan_status_display']}")

    heading(_("Consents"))
    for consent in data["consents"]:
        basis = consent["legal_basis_text"] if consent["legal_basis"] else _("your consent")
        withdrawn = consent["withdrawn_on"]
        line(
            f"{consent['organisation']}: {', '.join(consent['categories_display'])}, "
            f"{consent['purpose_display']} ({basis}), {_date(consent['given_on'])}"
            + (f", {label['withdrawn']} {_date(withdrawn)}" if withdrawn else "")
        )
    if not data["consents"]:
        empty()

    if data.get("volunteer"):
        volunteer = data["volunteer"]
        heading(_("Volunteer"))
        line(
            f"{volunteer['district']}: {', '.join(volunteer['offers'])}, "
            f"{_date(volunteer['started_on'])}"
            + (f" - {_date(volunteer['ended_on'])}" if volunteer["ended_on"] else "")
        )
        for help_row in volunteer["help"]:
            line(
                f"  {help_row['category_display']}: {help_row['what']}, "
                f"{_date(help_row['started_on'])}"
                + (f" - {_date(help_row['ended_on'])}" if help_row["ended_on"] else "")
            )

    heading(_("Correction requests"))
    for correction in data["correction_requests"]:
        line(
            f"{_date(correction['received_on'])}: {correction['what_is_wrong']} "
            f"({correction['status_display']})"
        )
        if correction["extension_told_on"]:
            line(
                f"  {label['extended']} {_date(correction['extension_told_on'])}: "
                f"{correction['extension_reason']}"
            )
        if correction["outcome"]:
            line(f"  {correction['outcome']}")
    if not data["correction_requests"]:
        empty()

    heading(_("Who looked at your file"))
    line(
        _(
            "Every time someone opened, changed, printed or exported your file it was "
            "recorded. This is that list."
        )
    )
    for entry in data["access_log"]:
        roles = ", ".join(entry["roles_display"])
        text_lines(
            f"{_date(entry['at'])}  {entry['username'] or '-'} ({roles or '-'}): "
            f"{entry['action_display']} {entry['object_type']}, {entry['result_display']}, "
            f"{entry['context_display']}",
            8,
            4,
            125,
        )
    if not data["access_log"]:
        empty()
    return bytes(pdf.output())


def inzage_zip(data: dict, pdf: bytes) -> bytes:
    """The export with the documents themselves: the PDF, the JSON and every document that is
    downloadable (found clean by the virus scanner), at the path its entry's `file_in_export`
    names. A document in quarantine is listed, not included."""
    import json
    import zipfile
    from io import BytesIO

    storage = document_storage()
    paths = {
        document["uuid"]: document["file_in_export"]
        for household in data["households"]
        for document in household.get("documents", [])
        if document["file_in_export"]
    }
    names = dict(
        HouseholdDocument.objects.filter(uuid__in=list(paths)).values_list("uuid", "storage_name")
    )
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inzage.pdf", pdf)
        archive.writestr("inzage.json", json.dumps(data, ensure_ascii=False, indent=2))
        for document_uuid, path in paths.items():
            stored = names.get(uuid.UUID(document_uuid))
            if not stored:
                continue
            with storage.open(stored, "rb") as source, archive.open(path, "w") as target:
                while chunk := source.read(64 * 1024):
                    target.write(chunk)
    return buffer.getvalue()
