"""Refusals and errors answer with a Dutch page in the site's layout, not Django's English one."""

import uuid

from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from teams.roles import Role


def test_not_found_is_dutch(client, generalist):
    client.force_login(generalist)
    response = client.get(reverse("cases:household_detail", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert "Niet gevonden" in response.content.decode()


def test_no_access_is_dutch(client, user_with_role):
    client.force_login(user_with_role(Role.POLICY_OFFICER))
    response = client.get(reverse("cases:household_search"))
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_an_oversized_post_is_refused_with_a_dutch_page(client, generalist):
    client.force_login(generalist)
    response = client.post(reverse("cases:household_search"), {"q": "x" * 2 * 1024 * 1024})
    assert response.status_code == 400
    assert "Verzoek geweigerd" in response.content.decode()


def test_a_failed_csrf_check_is_dutch(generalist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(generalist)
    response = client.post(reverse("cases:household_search"), {"q": "5611"})
    assert response.status_code == 403
    assert "Formulier verlopen" in response.content.decode()


def test_the_server_error_page_needs_nothing_but_static():
    content = render_to_string("500.html")
    assert "Er ging iets mis" in content
    assert "<script" not in content
