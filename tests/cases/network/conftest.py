import datetime
import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.network import services, sms
from cases.plans import services as plan_services
from cases.plans.models import ActionOwnerKind
from tests.factories import NetworkMemberFactory, SupportPlanFactory

CODE = re.compile(r"(?<![\w-])(\d{6})(?![\w-])")


@dataclass
class NetworkPlan:
    plan: object
    household: object
    coordinator: object
    anna: object  # a neighbour with two actions
    bert: object  # an aunt with one action
    anna_actions: list
    bert_action: object
    resident_action: object


@pytest.fixture
def network_plan(generalist, make_household):
    return make_network_plan(generalist, make_household(residents=1))


def make_network_plan(generalist, household) -> NetworkPlan:
    """An active plan of `household` (coordinator `generalist`) with actions of two network
    members (Anna two, Bert one) and one of the resident."""
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist)
    anna = NetworkMemberFactory(
        household=household, name="Anna Buurvrouw", contact="anna@example.org"
    )
    bert = NetworkMemberFactory(household=household, name="Bert Oom", contact="0612345678")
    resident = household.memberships.get().resident

    def add(description, **owner):
        return plan_services.action_add(
            plan=plan,
            by=generalist,
            description=description,
            due_on=timezone.localdate() + datetime.timedelta(days=7),
            **owner,
        )

    anna_actions = [
        add(
            "Boodschappen op dinsdag", owner_kind=ActionOwnerKind.NETWORK, owner_network_member=anna
        ),
        add("Mee naar de huisarts", owner_kind=ActionOwnerKind.NETWORK, owner_network_member=anna),
    ]
    bert_action = add(
        "Post doorlopen", owner_kind=ActionOwnerKind.NETWORK, owner_network_member=bert
    )
    resident_action = add(
        "Schuldhulp bellen", owner_kind=ActionOwnerKind.RESIDENT, owner_resident=resident
    )
    plan = plan_services.plan_activate(
        plan=plan, by=generalist, no_agreement_reason="Akkoord volgt na het gesprek."
    )
    return NetworkPlan(
        plan=plan,
        household=household,
        coordinator=generalist,
        anna=anna,
        bert=bert,
        anna_actions=anna_actions,
        bert_action=bert_action,
        resident_action=resident_action,
    )


def url_for(token: str) -> str:
    return "http://testserver" + reverse("network:member_page", args=[token])


@pytest.fixture
def make_link(network_plan, django_capture_on_commit_callbacks):
    """make_link(member=anna, email=..., phone=...) -> (link, path, code or "")."""
    mail.outbox.clear()
    sms.outbox.clear()

    def make(member=None, email="", phone=""):
        member = member or network_plan.anna
        with django_capture_on_commit_callbacks(execute=True):
            link, url = services.network_link_create(
                plan=network_plan.plan,
                member=member,
                email=email,
                phone=phone,
                by=network_plan.coordinator,
                url_for=url_for,
            )
        code = ""
        if link.has_code:
            texts = [text for _to, text in sms.outbox] + [m.body for m in mail.outbox]
            code = next(
                match.group(1)
                for text in texts
                if "/netwerk/" not in text
                for match in [CODE.search(text)]
                if match
            )
        return link, url.removeprefix("http://testserver"), code

    return make
