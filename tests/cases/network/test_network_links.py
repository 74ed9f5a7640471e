"""Network links (cases/network, docs/network-links.md): a network member ticks off their own
plan actions through a link, without an account. Services, the member's pages, the
coordinator's screens, authorisation (the link reaches nothing else), rate limits and the
access log."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client as client_class
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.network import services, sms
from cases.network.models import NetworkActionReport, NetworkLink, ReportStatus
from cases.network.selectors import token_hash
from cases.network.views import COOKIE_NAME
from cases.plans.models import PlanStatus, SupportPlan
from cases.privacy.models import AccessAction, AccessContext, AccessLogEntry, AccessResult
from tests.cases.network.conftest import CODE, url_for
from tests.test_url_access import PUBLIC as PUBLIC_NAMES
from tests.test_url_access import ROUTES as ALL_ROUTES
from tests.test_url_access import _concrete

pytestmark = pytest.mark.django_db


def _link_rows(link):
    return AccessLogEntry.objects.filter(network_link_uuid=link.uuid)


def _enter_code(client, path, code):
    return client.post(path, {"code": code})


# --- services --------------------------------------------------------------------------------


def test_a_link_with_contact_details_gets_a_code_and_the_agreed_term(make_link, settings):
    link, path, code = make_link(email="anna@example.org")
    assert link.expires_on == timezone.localdate() + datetime.timedelta(
        days=settings.NETWORK_LINK_DAYS
    )
    # stored only as hashes: neither the secret nor the code is in the row
    token = path.split("/")[2]
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    assert link.code_hash and code not in link.code_hash
    # the link and the code each in a message of their own
    assert len(mail.outbox) == 2
    assert path in mail.outbox[0].body and code not in mail.outbox[0].body
    assert code in mail.outbox[1].body and path not in mail.outbox[1].body
    assert mail.outbox[0].to == ["anna@example.org"]


def test_with_a_phone_number_the_code_goes_by_sms(make_link, network_plan):
    _link, path, code = make_link(member=network_plan.bert, phone="0612345678")
    assert [to for to, _text in sms.outbox] == ["0612345678", "0612345678"]
    assert path in sms.outbox[0][1] and code in sms.outbox[1][1]
    assert mail.outbox == []


def test_a_link_without_contact_details_has_no_code_and_a_short_life(make_link, settings):
    link, _path, code = make_link()
    assert not link.has_code and code == ""
    assert link.expires_on == timezone.localdate() + datetime.timedelta(
        days=settings.NETWORK_LINK_DAYS_WITHOUT_CODE
    )
    assert mail.outbox == [] and sms.outbox == []


def test_only_the_coordinator_gives_links_and_only_to_members_with_actions(
    network_plan, user_with_role, area
):
    from tests.factories import NetworkMemberFactory, TeamMemberFactory

    colleague = TeamMemberFactory(team=area["team"], user__username="colleague").user
    with pytest.raises(PermissionDenied):
        services.network_link_create(
            plan=network_plan.plan, member=network_plan.anna, by=colleague, url_for=url_for
        )
    idle = NetworkMemberFactory(household=network_plan.household, name="Carla Nicht")
    with pytest.raises(ValidationError):
        services.network_link_create(
            plan=network_plan.plan, member=idle, by=network_plan.coordinator, url_for=url_for
        )
    elsewhere = NetworkMemberFactory(name="Dirk Elders")
    with pytest.raises(ValidationError):
        services.network_link_create(
            plan=network_plan.plan, member=elsewhere, by=network_plan.coordinator, url_for=url_for
        )
    assert not NetworkLink.objects.exists()
    assert not AccessLogEntry.objects.filter(object_type="network_link").exists()


def test_a_closed_plan_gets_no_links(network_plan):
    SupportPlan.objects.filter(pk=network_plan.plan.pk).update(status=PlanStatus.CLOSED)
    network_plan.plan.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.network_link_create(
            plan=network_plan.plan,
            member=network_plan.anna,
            by=network_plan.coordinator,
            url_for=url_for,
        )


def test_five_wrong_codes_lock_the_link(make_link, client, settings):
    link, path, code = make_link(email="anna@example.org")
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, settings.NETWORK_LINK_CODE_ATTEMPTS):
        response = _enter_code(client, path, wrong)
        assert response.status_code == 400
        assert NetworkLink.objects.get(pk=link.pk).code_attempts == attempt
    response = _enter_code(client, path, wrong)
    assert response.status_code == 429
    assert "te veel" in response.content.decode().lower()
    # locked: even the right code no longer opens it
    response = _enter_code(client, path, code)
    assert response.status_code == 429
    assert COOKIE_NAME not in response.cookies
    assert NetworkLink.objects.get(pk=link.pk).is_locked


def test_a_new_code_goes_to_the_links_own_contact_within_the_days_limit(
    make_link, client, settings, django_capture_on_commit_callbacks
):
    settings.NETWORK_LINK_CODE_RESENDS = 2
    link, path, code = make_link(email="anna@example.org")
    assert _enter_code(client, path, code).status_code == 302
    other = client_class()  # another device: the code is used up
    assert _enter_code(other, path, code).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = other.post(path, {"resend": "1", "email": "mallory@example.org"})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["anna@example.org"]]
    new_code = CODE.search(mail.outbox[0].body).group(1)
    assert _enter_code(other, path, new_code).status_code == 302
    assert "Boodschappen op dinsdag" in other.get(path).content.decode()
    third = client_class()  # a third device, without the cookie
    with django_capture_on_commit_callbacks(execute=True):
        third.post(path, {"resend": "1"})
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        third.post(path, {"resend": "1"})  # the third today: refused
    assert len(mail.outbox) == 2
    link.refresh_from_db()
    assert link.code_resends == 2 and link.code_attempts == 0  # a used code is no guess
    assert _link_rows(link).filter(reason="Nieuwe code verstuurd").count() == 2


def test_no_new_code_for_a_link_without_contact_or_a_locked_one(
    make_link, client, django_capture_on_commit_callbacks
):
    _link, path, _code = make_link()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"resend": "1"})
    assert mail.outbox == [] and sms.outbox == []
    link, path, _code = make_link(email="anna@example.org")
    NetworkLink.objects.filter(pk=link.pk).update(code_locked_at=timezone.now())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path, {"resend": "1"}).status_code == 429
    assert mail.outbox == []


def test_a_report_only_on_the_members_own_action(make_link, network_plan):
    link, _path, _code = make_link()
    context = services.RequestContext(network_link_uuid=link.uuid)
    report = services.network_action_report(
        link=link,
        action=network_plan.anna_actions[0],
        status=ReportStatus.DONE,
        note="Gedaan",
        context=context,
    )
    assert report.link == link
    for other in (network_plan.bert_action, network_plan.resident_action):
        with pytest.raises(PermissionDenied):
            services.network_action_report(
                link=link, action=other, status=ReportStatus.DONE, note="", context=context
            )
    with pytest.raises(ValidationError):
        services.network_action_report(
            link=link,
            action=network_plan.anna_actions[1],
            status=ReportStatus.DONE,
            note="x" * 501,
            context=context,
        )
    assert NetworkActionReport.objects.count() == 1
    row = AccessLogEntry.objects.get(object_type="network_report")
    assert row.network_link_uuid == link.uuid and row.context == AccessContext.NETWORK_LINK
    assert row.user is None and row.action == AccessAction.CHANGE


def test_revoke(make_link, network_plan):
    link, _path, _code = make_link()
    services.network_link_revoke(link=link, by=network_plan.coordinator)
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == network_plan.coordinator
    with pytest.raises(PermissionDenied):
        services.network_action_report(
            link=link,
            action=network_plan.anna_actions[0],
            status=ReportStatus.DONE,
            note="",
            context=services.RequestContext(network_link_uuid=link.uuid),
        )


# --- the member's pages ----------------------------------------------------------------------


def test_the_member_sees_only_their_own_actions_and_nothing_of_the_household(
    make_link, network_plan, client
):
    _link, path, code = make_link(email="anna@example.org")
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Boodschappen op dinsdag" not in page  # the code first
    response = _enter_code(client, path, code)
    assert response.status_code == 302
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["path"] == path
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    page = client.get(path).content.decode()
    assert "Boodschappen op dinsdag" in page and "Mee naar de huisarts" in page
    assert "Post doorlopen" not in page and "Schuldhulp bellen" not in page
    assert "Bert Oom" not in page
    resident = network_plan.household.memberships.get().resident
    for personal in (
        resident.bsn,
        resident.last_name,
        network_plan.household.street,
        network_plan.household.postcode,
    ):
        assert personal and personal not in page


def test_marking_done_and_needs_help_shows_on_the_plan(make_link, network_plan, client):
    _link, path, code = make_link(email="anna@example.org")
    _enter_code(client, path, code)
    first, second = network_plan.anna_actions
    prefix = str(first.uuid)
    response = client.post(
        reverse("network:action_report", args=[path.split("/")[2], first.uuid]),
        {f"{prefix}-status": "done", f"{prefix}-note": ""},
    )
    assert response.status_code == 302
    prefix = str(second.uuid)
    client.post(
        reverse("network:action_report", args=[path.split("/")[2], second.uuid]),
        {f"{prefix}-status": "needs_help", f"{prefix}-note": "Ik heb geen auto"},
    )
    client.cookies.clear()
    client.force_login(network_plan.coordinator)
    page = client.get(reverse("cases:plan_detail", args=[network_plan.plan.uuid])).content.decode()
    assert "Ik heb geen auto" in page
    assert "Hulp nodig" in page and "Gedaan" in page


def test_bad_report_input_is_a_400_with_the_reason(make_link, network_plan, client):
    _link, path, _code = make_link()
    action = network_plan.anna_actions[0]
    prefix = str(action.uuid)
    token = path.split("/")[2]
    response = client.post(
        reverse("network:action_report", args=[token, action.uuid]),
        {f"{prefix}-status": "exploded", f"{prefix}-note": "x" * 600},
    )
    assert response.status_code == 400
    assert not NetworkActionReport.objects.exists()


def test_expired_revoked_and_unknown_links_show_no_data(make_link, network_plan, client):
    link, path, _code = make_link()
    assert client.get(path).status_code == 200
    NetworkLink.objects.filter(pk=link.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.get(path)
    assert response.status_code == 410
    assert "Boodschappen" not in response.content.decode()
    NetworkLink.objects.filter(pk=link.pk).update(expires_on=timezone.localdate())
    assert client.get(path).status_code == 200  # the last day still works
    services.network_link_revoke(link=link, by=network_plan.coordinator)
    response = client.get(path)
    assert response.status_code == 410 and "Boodschappen" not in response.content.decode()
    action = network_plan.anna_actions[0]
    response = client.post(
        reverse("network:action_report", args=[path.split("/")[2], action.uuid]),
        {f"{action.uuid}-status": "done"},
    )
    assert response.status_code == 410
    assert client.get("/netwerk/not-a-real-secret/").status_code == 404
    assert not NetworkActionReport.objects.exists()


def test_every_use_is_in_the_access_log_with_the_links_id(make_link, network_plan, client):
    link, path, code = make_link(email="anna@example.org")
    token = path.split("/")[2]
    client.get(path)  # code form
    _enter_code(client, path, "999999" if code != "999999" else "888888")  # wrong
    _enter_code(client, path, code)  # right
    client.get(path)  # the actions
    action = network_plan.anna_actions[0]
    client.post(
        reverse("network:action_report", args=[token, action.uuid]),
        {f"{action.uuid}-status": "done"},
    )
    client.post(  # another action of the plan: refused
        reverse("network:action_report", args=[token, network_plan.bert_action.uuid]),
        {f"{network_plan.bert_action.uuid}-status": "done"},
    )
    rows = list(_link_rows(link).order_by("at", "pk"))
    assert len(rows) == 6
    assert all(row.context == AccessContext.NETWORK_LINK and row.user is None for row in rows)
    assert all(row.household_uuid == network_plan.household.uuid for row in rows)
    assert [row.result for row in rows] == [
        AccessResult.DENIED,  # no code yet
        AccessResult.ALLOWED,  # wrong code (a change: the attempt counted)
        AccessResult.ALLOWED,  # right code
        AccessResult.ALLOWED,  # page shown
        AccessResult.ALLOWED,  # report
        AccessResult.DENIED,  # not one of the link's actions
    ]
    NetworkLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    client.get(path)
    assert _link_rows(link).filter(result=AccessResult.DENIED).count() == 3


def test_requests_per_address_are_limited(make_link, client, settings):
    settings.NETWORK_LINK_REQUESTS_PER_MINUTE = 3
    _link, path, _code = make_link()
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(path)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "wacht" in response.content.decode().lower()
    # another address is not held back
    assert client.get(path, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_member_page_has_a_query_budget(
    make_link, network_plan, client, django_assert_max_num_queries
):
    _link, path, _code = make_link()
    for action in network_plan.anna_actions:
        services.network_action_report(
            link=_link,
            action=action,
            status=ReportStatus.DONE,
            note="",
            context=services.RequestContext(network_link_uuid=_link.uuid),
        )
    with django_assert_max_num_queries(6):
        assert client.get(path).status_code == 200


# --- authorisation: a link reaches nothing else ----------------------------------------------


def test_a_links_cookie_opens_no_other_url(make_link, network_plan, client):
    """With the member's cookie in the browser (the test client sends it everywhere, whatever
    its path), every other URL is as closed as for an anonymous visitor."""
    _link, path, code = make_link(email="anna@example.org")
    _enter_code(client, path, code)
    assert COOKIE_NAME in client.cookies
    checked = 0
    for name, route in ALL_ROUTES:
        if name.startswith("network:") or name in PUBLIC_NAMES:
            continue
        target = _concrete(route.replace("<uuid:household_uuid>", str(network_plan.household.uuid)))
        target = target.replace("00000000-0000-0000-0000-000000000000", str(network_plan.plan.uuid))
        response = client.get(target)
        if response.status_code in (301, 302):
            assert "/accounts/login/" in response["Location"], (name, response["Location"])
        else:
            assert response.status_code in (401, 403, 405), (name, response.status_code)
        checked += 1
    assert checked > 100
    # the plan page itself, with the plan's real id
    response = client.get(reverse("cases:plan_detail", args=[network_plan.plan.uuid]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_links_cookie_does_not_open_another_link(make_link, network_plan, client):
    _link, path, code = make_link(email="anna@example.org")
    _other, other_path, _other_code = make_link(member=network_plan.bert, email="bert@example.org")
    _enter_code(client, path, code)
    # the cookie is sent to the other link's path too (the test client ignores paths)
    client.cookies[COOKIE_NAME]["path"] = "/"
    response = client.get(other_path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Post doorlopen" not in page and 'name="code"' in page
    response = client.post(
        reverse(
            "network:action_report", args=[other_path.split("/")[2], network_plan.bert_action.uuid]
        ),
        {f"{network_plan.bert_action.uuid}-status": "done"},
    )
    assert response.status_code == 302 and response["Location"] == other_path
    # nor an action of another member through one's own link
    response = client.post(
        reverse("network:action_report", args=[path.split("/")[2], network_plan.bert_action.uuid]),
        {f"{network_plan.bert_action.uuid}-status": "done"},
    )
    assert response.status_code == 404
    assert not NetworkActionReport.objects.exists()


def test_a_forged_cookie_is_refused(make_link, client):
    link, path, _code = make_link(email="anna@example.org")
    client.cookies[COOKIE_NAME] = str(link.uuid)  # not signed
    response = client.get(path)
    assert "Boodschappen op dinsdag" not in response.content.decode()


# --- the coordinator's screens ---------------------------------------------------------------


def test_the_coordinator_creates_and_revokes_on_the_plan_page(network_plan, client):
    client.force_login(network_plan.coordinator)
    create = reverse("cases:network_link_create", args=[network_plan.plan.uuid])
    form = client.get(create + f"?lid={network_plan.anna.uuid}")
    assert form.status_code == 200 and "anna@example.org" in form.content.decode()
    response = client.post(create, {"member": network_plan.anna.uuid, "email": "", "phone": ""})
    assert response.status_code == 200
    link = NetworkLink.objects.get()
    assert "/netwerk/" in response.content.decode()
    response = client.post(create, {"member": network_plan.anna.uuid, "phone": "bel me"})
    assert response.status_code == 400 and NetworkLink.objects.count() == 1
    plan_page = client.get(reverse("cases:plan_detail", args=[network_plan.plan.uuid]))
    assert "Anna Buurvrouw" in plan_page.content.decode()
    response = client.post(
        reverse("cases:network_link_revoke", args=[network_plan.plan.uuid, link.uuid])
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.is_revoked


def test_someone_else_on_the_team_cannot_give_or_revoke_links(
    make_link, network_plan, client, area
):
    from tests.factories import TeamMemberFactory

    link, _path, _code = make_link()
    colleague = TeamMemberFactory(team=area["team"], user__username="colleague").user
    client.force_login(colleague)
    create = reverse("cases:network_link_create", args=[network_plan.plan.uuid])
    assert client.get(create).status_code == 403
    revoke = reverse("cases:network_link_revoke", args=[network_plan.plan.uuid, link.uuid])
    assert client.post(revoke).status_code == 403
    link.refresh_from_db()
    assert not link.is_revoked


def test_the_plan_pages_network_section_does_not_grow_with_links(make_link, network_plan, client):
    def count():
        client.force_login(network_plan.coordinator)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("cases:plan_detail", args=[network_plan.plan.uuid]))
        assert response.status_code == 200
        return len(queries)

    link, _path, _code = make_link()
    count()  # the first request of a session also reads the user's access facts
    one = count()
    for member in (network_plan.anna, network_plan.bert, network_plan.bert):
        link, _path, _code = make_link(member=member)
        for action in link.plan.actions.filter(owner_network_member=member):
            services.network_action_report(
                link=link,
                action=action,
                status=ReportStatus.NEEDS_HELP,
                note="Graag hulp",
                context=services.RequestContext(network_link_uuid=link.uuid),
            )
    assert count() == one


def test_links_and_reports_are_in_the_residents_inzage_export(make_link, network_plan):
    """The resident's right of access (AVG art. 15) covers what network members reported on
    the plan: the JSON and the PDF of the inzage export."""
    import io

    from pypdf import PdfReader

    from cases.avg.inzage import inzage_build, inzage_pdf

    link, _path, _code = make_link()
    services.network_action_report(
        link=link,
        action=network_plan.anna_actions[1],
        status=ReportStatus.NEEDS_HELP,
        note="Auto kapot",
        context=services.RequestContext(network_link_uuid=link.uuid),
    )
    resident = network_plan.household.memberships.get().resident
    data = inzage_build(resident=resident)
    (plan,) = data["households"][0]["plans"]
    (exported,) = plan["network_links"]
    assert exported["uuid"] == str(link.uuid) and exported["member"] == "Anna Buurvrouw"
    (report,) = exported["reports"]
    assert (report["action"], report["status"], report["note"]) == (
        str(network_plan.anna_actions[1].uuid),
        "needs_help",
        "Auto kapot",
    )
    pages = PdfReader(io.BytesIO(inzage_pdf(data))).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Gemeld door Anna Buurvrouw" in text and "Mee naar de huisarts" in text
    assert "Auto kapot" in text
