"""The demo database (SQLite, used when DATABASE_URL is unset) answers every partner API
endpoint of `docs/api.md` like PostgreSQL does: never a 500 (a PostgreSQL-only lookup such as
JSON `contains` once broke the progress reports there).

Runs the demo in subprocesses: `migrate`, `seed_demo`, `create_api_token`, then a Django test
client against the SQLite file (`manage.py shell -c`)."""

import json

from tests.sqlite_demo import demo_env, manage

# Run inside the demo (manage.py shell): every endpoint of docs/api.md, in an order that reaches
# the deep paths (start before a progress report, a webhook before its deliveries).
SWEEP = r"""
import datetime, json, os
from django.test import Client
from cases.partners.api import examples
from cases.consent.models import Consent
from cases.provisions.models import Allocation

c = Client(HTTP_AUTHORIZATION="Bearer " + os.environ["PARTNER_TOKEN"], HTTP_HOST="localhost")
seen = []

def call(method, url, body=None):
    kwargs = {}
    if body is not None:
        kwargs = {"content_type": "application/json", "data": json.dumps(body)}
    response = getattr(c, method)(url, **kwargs)
    seen.append([method.upper(), url, response.status_code])
    return response

api = "/api/v1"
call("get", f"{api}/me/")
call("get", f"{api}/allocations/?status=not_started&updated_since=2020-01-01T00:00:00Z")
allocation = Allocation.objects.filter(provider__code="zorggroep-de-linde").order_by("pk").first()
# the client consents to progress reports, so the consent check itself runs
Consent.objects.create(resident=allocation.client, organisation=allocation.provider,
    categories=["progress"], purpose="progress_reports", given_by="Cliënt",
    given_on=datetime.date(2000, 1, 1))
a = f"{api}/allocations/{allocation.uuid}"
call("get", f"{a}/")
call("post", f"{a}/start/", {"date": allocation.start_date.isoformat()})
call("post", f"{a}/delivered-by/", {"delivered_by": "zorggroep-de-linde"})
call("get", f"{a}/progress-reports/")
call("post", f"{a}/progress-reports/", {"period_start": allocation.start_date.isoformat(),
     "period_end": allocation.start_date.isoformat(), "text": "Gaat goed.", "goal_attainment": 3})
call("post", f"{api}/allocation-requests/", examples.REQUEST_NEW)
change = {**examples.REQUEST_CHANGE, "allocation": str(allocation.uuid)}
call("post", f"{api}/allocation-requests/", change)
listed = call("get", f"{api}/allocation-requests/?status=received").json()
for row in listed.get("results", [])[:1]:
    call("get", f"{api}/allocation-requests/{row['id']}/")
call("post", f"{a}/stop/", {"date": allocation.start_date.isoformat(), "reason": "02"})
call("post", f"{api}/signals/", {"bsn": examples.BSN, "birth_date": "1951-06-14",
     "postcode": "5611 AA", "observation": "Zorgen.", "reporter_name": "Wijkverpleging"})
call("get", f"{api}/area-contacts/?postcode=5611AA")
call("get", f"{api}/general-provisions/")
created = call("post", f"{api}/webhooks/", {"url": "https://example.org/hook"})
call("get", f"{api}/webhooks/")
if created.status_code == 201:
    w = f"{api}/webhooks/{created.json()['id']}"
    call("get", f"{w}/")
    call("patch", f"{w}/", {"active": False})
    call("get", f"{w}/deliveries/")
    call("delete", f"{w}/")
call("get", f"{api}/events/?since=2020-01-01T00:00:00Z")
call("get", f"{api}/schema/")
print("SWEEP " + json.dumps(seen))
"""


def test_every_partner_endpoint_answers_without_500_on_the_sqlite_demo(tmp_path):
    env = demo_env(tmp_path, keep={"REDIS_URL"}, WEBHOOK_ALLOWED_HOSTS="example.org")
    for step in (("migrate", "--noinput"), ("seed_demo", "--households", "12")):
        result = manage(*step, env=env, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
    token = manage("create_api_token", "zorggroep-de-linde", env=env, timeout=120)
    assert token.returncode == 0, token.stderr[-3000:]
    env["PARTNER_TOKEN"] = token.stdout.strip().splitlines()[-1]

    result = manage("shell", "-c", SWEEP, env=env, timeout=120)

    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("SWEEP "))
    seen = json.loads(line.removeprefix("SWEEP "))
    paths = {(method, url.split("?")[0]) for method, url, _ in seen}
    assert len(paths) >= 19, seen  # every endpoint was reached
    assert [row for row in seen if row[2] >= 500] == []
    by_path = {(m, u.split("/")[-2]): s for m, u, s in seen}
    assert by_path[("POST", "progress-reports")] == 201, seen  # the consent check ran
    assert by_path[("POST", "start")] in {200, 409}, seen  # started now, or already
