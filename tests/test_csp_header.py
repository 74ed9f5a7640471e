"""The content security policy's header, made once per process from the settings
(`socialdomain.middleware.ContentSecurityPolicyMiddleware`): the same header as django-csp
builds, on pages, APIs and bare `/livez`, and django-csp's own behaviour wherever a response or
request changes the policy."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from socialdomain.middleware import ContentSecurityPolicyMiddleware

POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def through_middleware(view, path="/ergens/", nonce=False):
    """The middleware around `view` for one GET request; `nonce`: the view asks for one."""

    def get_response(request):
        if nonce:
            request.nonce_seen = str(request.csp_nonce)
        return view(request)

    request = RequestFactory().get(path)
    response = ContentSecurityPolicyMiddleware(get_response)(request)
    return request, response


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["livez", "login", "api-schema"])
def test_every_kind_of_response_carries_django_csps_own_policy(client, name):
    header = client.get(reverse(name))[HEADER]
    assert directives(header) == directives(build_policy())
    assert directives(header)["frame-ancestors"] == "'none'"


def test_the_header_follows_a_change_of_the_settings():
    before = through_middleware(lambda request: HttpResponse())[1][HEADER]
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        changed = through_middleware(lambda request: HttpResponse())[1][HEADER]
    after = through_middleware(lambda request: HttpResponse())[1][HEADER]
    assert directives(changed) == {"default-src": "'self'", "script-src": "'self'"}
    assert before == after != changed


def test_a_view_that_changes_the_policy_gets_its_own_header():
    view = csp_update({"img-src": ["https://kaart.example.nl"]})(lambda request: HttpResponse())
    header = through_middleware(view)[1][HEADER]
    assert directives(header)["img-src"] == "'self' data: https://kaart.example.nl"
    plain = through_middleware(lambda request: HttpResponse())[1][HEADER]
    assert "kaart.example.nl" not in plain


def test_an_exempt_view_or_an_excluded_path_has_no_header():
    exempt = csp_exempt()(lambda request: HttpResponse())
    assert HEADER not in through_middleware(exempt)[1]
    with override_settings(CONTENT_SECURITY_POLICY={**POLICY, "EXCLUDE_URL_PREFIXES": ["/uit"]}):
        assert HEADER not in through_middleware(lambda request: HttpResponse(), "/uit/x")[1]
        assert HEADER in through_middleware(lambda request: HttpResponse(), "/in/x")[1]


def test_a_header_set_by_the_view_is_kept():
    def view(request):
        response = HttpResponse()
        response[HEADER] = "default-src 'none'"
        return response

    assert through_middleware(view)[1][HEADER] == "default-src 'none'"


def test_a_nonce_asked_for_is_in_that_responses_header_only():
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        first, first_response = through_middleware(lambda request: HttpResponse(), nonce=True)
        second, second_response = through_middleware(lambda request: HttpResponse(), nonce=True)
        plain = through_middleware(lambda request: HttpResponse())[1][HEADER]
    assert f"'nonce-{first.nonce_seen}'" in first_response[HEADER]
    assert f"'nonce-{second.nonce_seen}'" in second_response[HEADER]
    assert first.nonce_seen != second.nonce_seen
    assert "nonce-" not in plain


def test_a_nonce_asked_for_after_the_header_is_refused():
    request, _response = through_middleware(lambda request: HttpResponse())
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_the_report_only_policy_gets_its_header_too():
    report_only = {"DIRECTIVES": {"default-src": [SELF], "report-uri": "/csp-rapport/"}}
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        response = through_middleware(lambda request: HttpResponse())[1]
    assert directives(response[HEADER_REPORT_ONLY]) == {
        "default-src": "'self'",
        "report-uri": "/csp-rapport/",
    }
    assert HEADER_REPORT_ONLY not in through_middleware(lambda request: HttpResponse())[1]


def test_the_settings_policy_is_built_once_not_per_response(monkeypatch):
    import csp.middleware

    from socialdomain import middleware

    built = []

    def counted(*args, **kwargs):
        built.append(kwargs)
        return build_policy(*args, **kwargs)

    monkeypatch.setattr(middleware, "build_policy", counted)
    monkeypatch.setattr(csp.middleware, "build_policy", counted)
    middleware._forget_policy()
    for _ in range(5):
        assert through_middleware(lambda request: HttpResponse())[1][HEADER]
    assert built == [{"report_only": False}, {"report_only": True}]
