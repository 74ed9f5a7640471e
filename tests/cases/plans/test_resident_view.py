"""The resident's own view of the plan (issue #20, item 1): plain language in the resident's
language, who may open it (the plan's rule) and that every request is in the access log; the
agreement on the device with a typed or drawn signature bound to the version shown (refused
when the plan changed since), and "not agreed" with a reason, shown to the coordinator."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.households.selectors import current_residents
from cases.intake.models import LifeDomain
from cases.plans import selectors as plan_selectors
from cases.plans import services as plan_services
from cases.plans.models import (
    SIGNATURE_MAX_BYTES,
    AgreementMethod,
    PlanAgreement,
    PlanDecline,
    PlanParticipant,
    PlanStatus,
    SignatureMethod,
    SupportPlan,
)
from cases.privacy.models import AccessLogEntry, AccessResult
from teams.roles import Role
from tests.cases.plans.resident_world import png, realistic_plan
from tests.factories import SupportPlanFactory, TeamMemberFactory, UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def resident(household):
    return current_residents(household=household).first()


@pytest.fixture
def plan(household, generalist):
    return realistic_plan(household=household, generalist=generalist)


def seen(plan) -> dict:
    return {
        "version_seen": plan_selectors.plan_current_version(plan=plan),
        "content_seen": plan_services.plan_content_digest(plan=plan),
    }


def sign(plan, by, resident, **fields):
    return plan_services.plan_agreement_record(
        plan=plan,
        by=by,
        agreed_on=TODAY,
        resident=resident,
        **{"method": AgreementMethod.DEVICE, **seen(plan), **fields},
    )


# --- services ---------------------------------------------------------------------------------


def test_a_typed_signature_is_an_agreement_on_the_device_bound_to_the_version(
    plan, generalist, resident
):
    agreement = sign(
        plan, generalist, resident, signature_method="typed", signature_name="  A. Jansen "
    )
    assert agreement.method == AgreementMethod.DEVICE
    assert agreement.signature_method == SignatureMethod.TYPED
    assert agreement.signature_name == "A. Jansen"
    assert agreement.signature_image is None
    assert agreement.version == plan_selectors.plan_current_version(plan=plan)
    assert plan_selectors.plan_agreement_state(plan=plan).agreed
    assert AccessLogEntry.objects.filter(
        object_type="agreement", object_id=str(agreement.uuid)
    ).exists()


def test_a_drawn_signature_is_kept_as_a_checked_png(plan, generalist, resident):
    picture = png()
    agreement = sign(plan, generalist, resident, signature_method="drawn", signature_image=picture)
    agreement.refresh_from_db()
    assert bytes(agreement.signature_image) == picture
    assert agreement.signature_name == ""
    assert agreement.signature_data_url.startswith("data:image/png;base64,iVBORw0KGgo")


@pytest.mark.parametrize(
    "picture",
    [
        b"",
        b"GIF89a" + b"\x00" * 40,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # the signature, but no IHDR chunk
        png()[:SIGNATURE_MAX_BYTES] + b"\x00" * (SIGNATURE_MAX_BYTES + 1),
        png(width=0),
    ],
    ids=["empty", "gif", "no-header-chunk", "too-large", "no-width"],
)
def test_a_drawn_signature_that_is_no_png_is_refused(plan, generalist, resident, picture):
    with pytest.raises(ValidationError) as refused:
        sign(plan, generalist, resident, signature_method="drawn", signature_image=picture)
    assert "signature_image" in refused.value.message_dict
    assert not PlanAgreement.objects.filter(plan=plan).exists()


def test_a_signature_goes_only_with_an_agreement_on_the_device(plan, generalist, resident):
    with pytest.raises(ValidationError):
        sign(
            plan,
            generalist,
            resident,
            method=AgreementMethod.PAPER,
            signature_method="typed",
            signature_name="A. Jansen",
        )
    with pytest.raises(ValidationError) as refused:
        sign(plan, generalist, resident, signature_method="typed", signature_name=" ")
    assert "signature_name" in refused.value.message_dict


def test_the_database_keeps_a_signature_typed_or_drawn(plan, resident):
    fields = {
        "plan": plan,
        "version": 1,
        "resident": resident,
        "agreed_by_name": resident.full_name,
        "agreed_on": TODAY,
    }
    for wrong in [
        {"method": "paper", "signature_method": "typed", "signature_name": "A"},
        {"method": "device", "signature_method": "typed", "signature_name": ""},
        {"method": "device", "signature_method": "drawn", "signature_name": "A"},
        {"method": "device", "signature_method": "drawn", "signature_image": None},
        {"method": "device", "signature_method": "", "signature_image": b"x"},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            PlanAgreement.objects.create(**fields, **wrong)


def test_an_agreement_for_a_plan_that_changed_since_the_page_is_refused(plan, generalist, resident):
    shown = seen(plan)
    plan_services.goal_add(
        plan=plan, by=generalist, domain=LifeDomain.HOUSING, description="Een nieuwe woning"
    )
    with pytest.raises(ValidationError) as refused:
        plan_services.plan_agreement_record(
            plan=plan,
            by=generalist,
            method=AgreementMethod.DEVICE,
            agreed_on=TODAY,
            resident=resident,
            signature_method="typed",
            signature_name="A. Jansen",
            **shown,
        )
    assert refused.value.error_list[0].code == "plan_changed"
    assert not PlanAgreement.objects.filter(plan=plan).exists()


def test_a_changed_draft_without_versions_is_caught_by_its_content(household, generalist, resident):
    """A draft nobody agreed to keeps no versions: the version number alone would not see
    a goal added after the page was opened; the content fingerprint does."""
    draft = SupportPlanFactory(household=household, ready=True, agreed=False)
    shown = seen(draft)
    assert shown["version_seen"] == 0
    plan_services.goal_add(
        plan=draft, by=generalist, domain=LifeDomain.HOUSING, description="Een nieuwe woning"
    )
    assert plan_selectors.plan_current_version(plan=draft) == 0
    with pytest.raises(ValidationError):
        plan_services.plan_decline_record(
            plan=draft, by=generalist, reason="Klopt niet", resident=resident, **shown
        )
    assert not PlanDecline.objects.exists()


def test_a_decline_needs_a_reason_and_is_logged(plan, generalist, resident):
    with pytest.raises(ValidationError):
        plan_services.plan_decline_record(
            plan=plan, by=generalist, reason="   ", resident=resident, **seen(plan)
        )
    decline = plan_services.plan_decline_record(
        plan=plan,
        by=generalist,
        reason="Ik wil eerst met mijn zoon praten.",
        resident=resident,
        **seen(plan),
    )
    assert decline.version == plan_selectors.plan_current_version(plan=plan)
    assert decline.recorded_by == generalist
    assert AccessLogEntry.objects.filter(
        object_type="plan_decline", object_id=str(decline.uuid)
    ).exists()
    view = plan_selectors.resident_plan_view(plan=plan)
    assert view.decline == decline and view.agreement is None
    # agreeing afterwards: the view shows the agreement, not the decline
    sign(plan, generalist, resident, signature_method="typed", signature_name="A. Jansen")
    view = plan_selectors.resident_plan_view(plan=plan)
    assert view.agreement is not None and view.decline is None


def test_who_may_not_work_on_the_plan_cannot_answer_for_the_resident(plan, resident):
    reader = UserFactory(roles=[Role.CONSULTANT])
    with pytest.raises(Exception) as refused:
        sign(plan, reader, resident, signature_method="typed", signature_name="A. Jansen")
    assert refused.type.__name__ == "PermissionDenied"


# --- views ------------------------------------------------------------------------------------


def url(plan, name="plan_resident_view"):
    return reverse(f"cases:{name}", args=[plan.uuid])


def test_the_resident_view_in_plain_dutch(client, plan, generalist):
    client.force_login(generalist)
    response = client.get(url(plan))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in [
        "Wat willen we bereiken?",
        "Wie doet wat, en wanneer?",
        "Uw contactpersoon",
        "Wanneer kijken we samen terug?",
    ]:
        assert heading in page
    assert "We blijven in ons huis wonen" in page
    assert "Schuldhulpverlening Eindhoven" in page
    assert generalist.get_full_name() in page
    assert '<html lang="nl">' in page
    assert "data-signature-form" in page


def test_the_resident_view_speaks_the_residents_language(client, plan, generalist, household):
    for membership in household.memberships.all():
        membership.resident.preferred_language = "en"
        membership.resident.save(update_fields=["preferred_language"])
    client.force_login(generalist)
    page = client.get(url(plan)).content.decode()
    assert "What do we want to achieve?" in page and '<html lang="en">' in page
    assert "Wat willen we bereiken?" not in page
    # picked on the page: Dutch after all
    page = client.get(url(plan) + "?taal=nl").content.decode()
    assert "Wat willen we bereiken?" in page


def test_whoever_may_open_the_plan_may_open_the_view_and_every_request_is_logged(
    client, plan, generalist, other_area
):
    stranger = TeamMemberFactory(team=other_area["team"]).user
    outsider = UserFactory(roles=[Role.POLICY_OFFICER])
    for user, status, result in [
        (generalist, 200, AccessResult.ALLOWED),
        (stranger, 404, AccessResult.NOT_FOUND),
        (outsider, 403, AccessResult.DENIED),
    ]:
        client.force_login(user)
        before = AccessLogEntry.objects.count()
        assert client.get(url(plan)).status_code == status
        rows = list(AccessLogEntry.objects.order_by("pk")[before:])
        assert [(row.object_type, row.result) for row in rows] == [
            ("plan_resident_view", result)
        ], user
        assert rows[0].object_id == str(plan.uuid)


def test_answering_needs_the_right_to_work_on_the_plan(client, plan, generalist, other_area):
    stranger = TeamMemberFactory(team=other_area["team"]).user
    invitee = UserFactory(roles=[Role.CONSULTANT])  # reads the plan, may not change it yet
    PlanParticipant.objects.create(plan=plan, user=invitee, role="Wmo", invited_by=generalist)
    for user, status in [(stranger, 404), (invitee, 403)]:
        client.force_login(user)
        for name in ("plan_resident_agree", "plan_resident_decline"):
            before = AccessLogEntry.objects.count()
            assert client.post(url(plan, name), {}).status_code == status
            assert AccessLogEntry.objects.count() == before + 1
    assert not PlanAgreement.objects.exists() and not PlanDecline.objects.exists()
    # a closed plan takes no answers, and its view offers none
    SupportPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    client.force_login(generalist)
    assert client.post(url(plan, "plan_resident_agree"), {}).status_code == 403
    assert "data-signature-form" not in client.get(url(plan)).content.decode()


def agree_post(plan, resident, **fields):
    return {
        "agree-version": plan_selectors.plan_current_version(plan=plan),
        "agree-content": plan_services.plan_content_digest(plan=plan),
        "agree-resident": str(resident.uuid),
        "agree-signature_method": "typed",
        "agree-signature_name": "A. Jansen",
        **fields,
    }


def test_agreeing_on_the_device_with_a_typed_name(client, plan, generalist, resident):
    client.force_login(generalist)
    response = client.post(url(plan, "plan_resident_agree"), agree_post(plan, resident))
    assert response.status_code == 302
    agreement = PlanAgreement.objects.get(plan=plan)
    assert agreement.signature_name == "A. Jansen" and agreement.resident == resident
    page = client.get(response["Location"]).content.decode()
    assert "Dank u wel" in page
    assert "A. Jansen" in page


def test_agreeing_with_a_drawn_signature_from_the_pad(client, plan, generalist, resident):
    import base64

    client.force_login(generalist)
    data = "data:image/png;base64," + base64.b64encode(png()).decode()
    response = client.post(
        url(plan, "plan_resident_agree"),
        agree_post(
            plan,
            resident,
            **{
                "agree-signature_method": "drawn",
                "agree-signature_name": "",
                "agree-signature_image": data,
            },
        ),
    )
    assert response.status_code == 302
    agreement = PlanAgreement.objects.get(plan=plan)
    assert bytes(agreement.signature_image) == png()
    page = client.get(url(plan)).content.decode()
    assert 'class="signature-image" src="data:image/png;base64,' in page


@pytest.mark.parametrize(
    "image", ["data:image/gif;base64,R0lGODlh", "data:image/png;base64,!!!", "not a picture"]
)
def test_a_drawn_signature_that_is_no_png_is_a_form_error(
    client, plan, generalist, resident, image
):
    client.force_login(generalist)
    response = client.post(
        url(plan, "plan_resident_agree"),
        agree_post(
            plan,
            resident,
            **{
                "agree-signature_method": "drawn",
                "agree-signature_image": image,
            },
        ),
    )
    assert response.status_code == 400
    assert "geen afbeelding die we kunnen bewaren" in response.content.decode()
    assert not PlanAgreement.objects.exists()


def test_agreeing_to_a_plan_that_changed_since_the_page_opened_says_so(
    client, plan, generalist, resident
):
    client.force_login(generalist)
    data = agree_post(plan, resident)
    plan_services.action_add(
        plan=plan,
        by=generalist,
        description="Nieuwe afspraak",
        owner_kind="other",
        owner_text="Buurtwerker",
    )
    response = client.post(url(plan, "plan_resident_agree"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Het plan is veranderd sinds deze pagina werd geopend" in page
    assert "Nieuwe afspraak" in page  # the page shows the plan as it is now
    assert not PlanAgreement.objects.exists()


def test_declining_with_a_reason_shows_on_the_plan_page(client, plan, generalist, resident):
    client.force_login(generalist)
    response = client.post(
        url(plan, "plan_resident_decline"),
        {
            "decline-version": plan_selectors.plan_current_version(plan=plan),
            "decline-content": plan_services.plan_content_digest(plan=plan),
            "decline-resident": str(resident.uuid),
            "decline-reason": "De buurvrouw kan op dinsdag niet.",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("cases:plan_detail", args=[plan.uuid])).content.decode()
    assert "De buurvrouw kan op dinsdag niet." in page
    assert 'id="declines"' in page
    empty = client.post(url(plan, "plan_resident_decline"), {"decline-reason": ""})
    assert empty.status_code == 400


def test_the_resident_view_has_a_query_budget(
    client, plan, generalist, django_assert_max_num_queries
):
    client.force_login(generalist)
    client.get(url(plan))  # warm the session and the caches
    with django_assert_max_num_queries(30):
        assert client.get(url(plan)).status_code == 200
    # twice the actions: no more queries (no N+1)
    goal = plan.goals.first()
    for number in range(8):
        plan_services.action_add(
            plan=plan,
            by=generalist,
            goal=goal,
            description=f"Extra stap {number}",
            owner_kind="other",
            owner_text="Buurtwerker",
        )
    with django_assert_max_num_queries(30):
        assert client.get(url(plan)).status_code == 200


def test_the_signature_and_the_not_agreed_answer_are_in_the_residents_inzage(
    plan, generalist, resident
):
    from cases.avg.inzage import inzage_build

    plan_services.plan_decline_record(
        plan=plan, by=generalist, reason="Eerst overleggen.", resident=resident, **seen(plan)
    )
    sign(plan, generalist, resident, signature_method="drawn", signature_image=png())
    data = inzage_build(resident=resident)
    [exported] = [p for h in data["households"] for p in h["plans"] if p["uuid"] == str(plan.uuid)]
    [agreement] = exported["agreements"]
    assert agreement["signature_method"] == "drawn"
    assert agreement["signature_image"].startswith("data:image/png;base64,")
    [decline] = exported["declines"]
    assert decline["reason"] == "Eerst overleggen." and decline["resident"] == resident.full_name
