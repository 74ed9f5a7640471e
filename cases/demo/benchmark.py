"""The benchmark behind `python manage.py benchmark` (docs/performance.md).

It starts the app under gunicorn (DEBUG off, static files collected) against the configured
PostgreSQL database on a free port, signs in one user per role through the login form, creates
an API token for the provider with the most allocations, and drives a fixed set of request
types with a small closed-loop load generator (threads with `http.client`: no dependency, little
overhead of its own):

1. each request type alone, `concurrency` clients for `duration` seconds: p50, p95, requests per
   second, and the ratio of each to the bare baseline (`/livez`: the middleware stack and no
   database) measured in the same run. With `rounds` > 1 each type's seconds are taken in that
   many slices, every type in turn, so that a slow moment of a shared host weighs on all types
   (the floor page too) alike;
2. optionally all request types interleaved (`mix_duration`), with the gunicorn workers'
   resident memory sampled from /proc.

The result is a JSON document and a Markdown table. Inputs (households, BSNs, postcodes, name
fragments) are sampled from the households the generalist may see, so every request returns
data; the samples are fixed by the seed.
"""

import contextlib
import datetime
import http.client
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "wijkwerk-demo"  # noqa: S105 - the documented demo-only password
SEARCH_TARGET_MS = 50
PAGE_TARGET_MS = 100
# issue #26: the pages against the floor page (signed in, only the base template) measured in
# the same run; the GP API and the partner list in milliseconds
FLOOR_PATH = "/vloer/"  # socialdomain.urls, with BENCHMARK_FLOOR_PAGE (set for the server)
PAGE_FLOOR_RATIO = 2.5
DASHBOARD_FLOOR_RATIO = 3.0
GP_API_TARGET_MS = 30
PARTNER_TARGET_MS = 50


@dataclass
class RequestType:
    name: str
    description: str
    session: str | None  # which signed-in session to use; None: anonymous
    make: Callable[[random.Random], tuple[str, str, bytes | None, dict]]
    target_p95_ms: float | None = None
    # the target p95 as a multiple of the floor page's p95 in the same run (replaces the above)
    floor_ratio: float | None = None


@dataclass
class Options:
    duration: float = 15.0
    # the duration of each type in this many slices, the types taken in turn
    rounds: int = 5
    concurrency: int = 4
    workers: int = 3
    warmup: int = 5
    mix_duration: float = 0.0
    memory_interval: float = 5.0
    seed: int = 9
    json_path: Path = Path("benchmark-results.json")
    markdown_path: Path | None = Path("benchmark-results.md")
    only: list[str] = field(default_factory=list)
    # the server's settings; the smoke test uses the test settings (their password hasher)
    settings_module: str = "socialdomain.settings"
    log: Callable[[str], None] = print


class BenchmarkError(RuntimeError):
    pass


# --- inputs -------------------------------------------------------------------------------------


@dataclass
class Inputs:
    households: list[str]
    bsns: list[str]
    postcodes: list[str]
    names: list[str]
    gp_postcodes: list[str]
    token: str
    # a GP practice system's bearer token (scope contacts:read) for the area-contact lookup
    gp_token: str
    provider: str
    policy_path: str
    policy_page: str
    counts: dict


def _sample(sql: str, params: list, limit: int = 200) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def gather_inputs(*, seed: int) -> Inputs:
    """Sample request inputs from the database (deterministic for the data and the seed)."""
    from cases.households.models import Household, Resident
    from cases.provisions.models import Allocation
    from networks.models import ApiScope, Organisation, OrganisationType
    from networks.services import api_client_create
    from teams.selectors import district_ids_of_user

    User = get_user_model()
    missing = [
        u
        for u in ("generalist", "consultant", "beleid", "huisarts")
        if not User.objects.filter(username=u).exists()
    ]
    if missing:
        raise BenchmarkError(
            f"Users {', '.join(missing)} are missing: run `generate_municipality` (or seed_demo)."
        )
    generalist = User.objects.get(username="generalist")
    districts = sorted(district_ids_of_user(user=generalist))
    if not districts:
        raise BenchmarkError("The generalist is in no team: run `generate_municipality`.")
    visible = (
        "FROM cases_household h JOIN teams_neighbourhood n ON n.id = h.neighbourhood_id "
        "WHERE n.district_id = ANY(%s)"
    )
    # a repeatable random sample: ordered by a hash of the id and the seed
    order = "ORDER BY md5(h.id::text || %s) LIMIT %s"
    salt = str(seed)
    households = [str(u) for u in _sample(f"SELECT h.uuid {visible} {order}", [districts, salt])]
    postcodes = _sample(
        f"SELECT DISTINCT h.postcode, md5(h.postcode || %s) {visible} ORDER BY 2 LIMIT %s",
        [salt, districts],
    )
    bsns = _sample(
        "SELECT r.bsn FROM cases_resident r JOIN cases_householdmembership m ON "
        "m.resident_id = r.id AND m.end_date IS NULL JOIN cases_household h ON "
        "h.id = m.household_id JOIN teams_neighbourhood n ON n.id = h.neighbourhood_id "
        f"WHERE n.district_id = ANY(%s) AND r.bsn IS NOT NULL {order.replace('h.id', 'r.id')}",
        [districts, salt],
    )
    last_names = _sample(
        "SELECT r.last_name FROM cases_resident r JOIN cases_householdmembership m ON "
        "m.resident_id = r.id AND m.end_date IS NULL JOIN cases_household h ON "
        "h.id = m.household_id JOIN teams_neighbourhood n ON n.id = h.neighbourhood_id "
        f"WHERE n.district_id = ANY(%s) {order.replace('h.id', 'r.id')}",
        [districts, salt],
    )
    rng = random.Random(seed)
    names = []
    for last_name in last_names:
        # a partial name as typed: four to six letters of the surname, from its start or middle
        word = last_name.split()[-1]
        length = min(len(word), rng.randint(4, 6))
        start = rng.choice([0, 0, max(0, len(word) - length)])
        names.append(word[start : start + length].lower())
    # a GP's patients live anywhere in the municipality
    gp_postcodes = _sample(
        "SELECT p.postcode FROM teams_postcode p ORDER BY md5(p.postcode || %s) LIMIT %s",
        [salt],
    )
    busiest = (
        Allocation.objects.values("provider_id")
        .annotate(n=Count("id"))
        .order_by("-n", "provider_id")
        .first()
    )
    if busiest is None:
        raise BenchmarkError("No allocations: run `generate_municipality`.")
    provider = Organisation.objects.get(pk=busiest["provider_id"])
    _client, token = api_client_create(organisation=provider, name="benchmark")
    practice = Organisation.objects.filter(type=OrganisationType.GP_PRACTICE, active=True).first()
    if practice is None:
        raise BenchmarkError("No GP practice: run `generate_municipality`.")
    _client, gp_token = api_client_create(
        organisation=practice, name="benchmark", scopes=[ApiScope.CONTACTS_READ]
    )
    try:
        path, page = reverse("outcomes:policy_dashboard"), "outcomes:policy_dashboard"
    except NoReverseMatch:
        path, page = reverse("provisions:budget_overview"), "provisions:budget_overview"
    if not (households and bsns and postcodes and names):
        raise BenchmarkError("The generalist sees no households: run `generate_municipality`.")
    counts = {
        "households": Household.objects.count(),
        "residents": Resident.objects.count(),
        "allocations_of_provider": busiest["n"],
    }
    return Inputs(
        households=households,
        bsns=bsns,
        postcodes=postcodes,
        names=names,
        gp_postcodes=gp_postcodes,
        token=token,
        gp_token=gp_token,
        provider=provider.name,
        policy_path=path,
        policy_page=page,
        counts=counts,
    )


def request_types(inputs: Inputs) -> list[RequestType]:
    htmx = {"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}

    def pick(values):
        return lambda rng: values[rng.randrange(len(values))]

    def search(values):
        choose = pick(values)

        def make(rng):
            body = urllib.parse.urlencode({"q": choose(rng)}).encode()
            return "POST", reverse("cases:household_search"), body, dict(htmx)

        return make

    household = pick(inputs.households)
    gp_postcode = pick(inputs.gp_postcodes)
    return [
        RequestType(
            "baseline",
            "GET /livez: middleware only, no database",
            None,
            lambda rng: ("GET", reverse("livez"), None, {}),
        ),
        RequestType(
            "floor",
            "floor page: signed in, only the base template",
            "generalist",
            lambda rng: ("GET", FLOOR_PATH, None, {}),
        ),
        RequestType(
            "search_bsn",
            "household search by BSN (POST, HTMX)",
            "generalist",
            search(inputs.bsns),
            SEARCH_TARGET_MS,
            floor_ratio=PAGE_FLOOR_RATIO,
        ),
        RequestType(
            "search_postcode",
            "household search by postcode (POST, HTMX)",
            "generalist",
            search(inputs.postcodes),
            SEARCH_TARGET_MS,
            floor_ratio=PAGE_FLOOR_RATIO,
        ),
        RequestType(
            "search_name",
            "household search by partial name (POST, HTMX)",
            "generalist",
            search(inputs.names),
            SEARCH_TARGET_MS,
            floor_ratio=PAGE_FLOOR_RATIO,
        ),
        RequestType(
            "household_page",
            "household page",
            "generalist",
            lambda rng: (
                "GET",
                reverse("cases:household_detail", args=[household(rng)]),
                None,
                {},
            ),
            PAGE_TARGET_MS,
            floor_ratio=PAGE_FLOOR_RATIO,
        ),
        RequestType(
            "caseload",
            "generalist's caseload (Mijn huishoudens)",
            "generalist",
            lambda rng: ("GET", reverse("cases:caseload"), None, {}),
            PAGE_TARGET_MS,
            floor_ratio=PAGE_FLOOR_RATIO,
        ),
        RequestType(
            "consultant_queue",
            "consultant's application queue",
            "consultant",
            lambda rng: ("GET", reverse("provisions:application_queue"), None, {}),
            PAGE_TARGET_MS,
            floor_ratio=PAGE_FLOOR_RATIO,
        ),
        RequestType(
            "gp_lookup_page",
            "GP lookup by postcode (POST, HTMX)",
            "gp",
            lambda rng: (
                "POST",
                reverse("teams:area_contacts"),
                urllib.parse.urlencode({"postcode": gp_postcode(rng)}).encode(),
                dict(htmx),
            ),
            SEARCH_TARGET_MS,
        ),
        RequestType(
            "gp_api",
            "GET /api/v1/area-contacts/ (GP session)",
            "gp",
            lambda rng: ("GET", f"/api/v1/area-contacts/?postcode={gp_postcode(rng)}", None, {}),
            GP_API_TARGET_MS,
        ),
        RequestType(
            "partner_allocations",
            "GET /api/v1/allocations/ (partner token, first page)",
            "partner",
            lambda rng: ("GET", "/api/v1/allocations/", None, {}),
            PARTNER_TARGET_MS,
        ),
        RequestType(
            "policy_dashboard",
            f"policy page ({inputs.policy_page})",
            "policy",
            lambda rng: ("GET", inputs.policy_path, None, {}),
            PAGE_TARGET_MS,
            floor_ratio=DASHBOARD_FLOOR_RATIO,
        ),
    ]


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses (in tests: the test database)."""
    db = connection.settings_dict
    user = urllib.parse.quote(db.get("USER") or "")
    password = urllib.parse.quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Server:
    """gunicorn with `workers` sync workers, DEBUG off, on a free port."""

    def __init__(
        self,
        *,
        workers: int,
        workdir: Path,
        log: Callable[[str], None],
        settings_module: str = "socialdomain.settings",
    ):
        self.port = free_port()
        self.workers = workers
        self.workdir = workdir
        self.log = log
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "DATABASE_URL": database_url(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(workdir / "static"),
            # the partner API's rate limit would measure the limiter, not the app
            "API_THROTTLE_RATE": "1000000/minute",
            "AXES_ENABLED": "false",
            # the floor page (signed in, only the base template): the pages' yardstick
            "BENCHMARK_FLOOR_PAGE": "true",
        }

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
        )
        self.logfile = open(self.workdir / "gunicorn.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "socialdomain.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(
                    "gunicorn stopped: " + (self.workdir / "gunicorn.log").read_text()[-2000:]
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/livez")
                if conn.getresponse().status == 200 and len(self.worker_pids()) >= self.workers:
                    conn.close()
                    return
            time.sleep(0.2)
        raise BenchmarkError("gunicorn did not answer within 60 seconds")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "logfile", None):
            self.logfile.close()


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# --- the client -----------------------------------------------------------------------------------


class Session:
    """Cookies (and a bearer token) of one signed-in user."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""

    def headers(self) -> dict:
        headers = {"User-Agent": "wijkwerk-benchmark"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _remember(self, response) -> None:
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    def login(self, username: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/accounts/login/", headers=self.headers())
        response = conn.getresponse()
        html = response.read().decode()
        self._remember(response)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise BenchmarkError("No CSRF token on the login page")
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match[1]}
        )
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={**self.headers(), "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        response.read()
        self._remember(response)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise BenchmarkError(f"Login as {username} failed ({response.status})")


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    statuses: dict = field(default_factory=dict)

    def add(self, other: "Sample") -> None:
        """Take in another sample of the same request type."""
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count


def _worker(port, types, sessions, deadline, seed, results, lock, offset):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    local = {t.name: Sample() for t in types}
    index = offset
    while time.monotonic() < deadline:
        request_type = types[index % len(types)]
        index += 1
        method, path, body, headers = request_type.make(rng)
        session = sessions.get(request_type.session)
        all_headers = {**(session.headers() if session else {}), **headers}
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status = 0
        elapsed = time.perf_counter() - started
        sample = local[request_type.name]
        sample.statuses[status] = sample.statuses.get(status, 0) + 1
        if status == 200:
            sample.latencies.append(elapsed)
        else:
            sample.errors += 1
    conn.close()
    with lock:
        for name, sample in local.items():
            results.setdefault(name, Sample()).add(sample)


def run_load(port, types, sessions, *, duration, concurrency, seed) -> tuple[dict, float]:
    results: dict[str, Sample] = {}
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + duration
    threads = [
        threading.Thread(
            target=_worker,
            args=(port, types, sessions, deadline, seed * 1000 + n, results, lock, n),
        )
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    # nearest rank: the smallest value with at least `fraction` of the values at or below it
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def summarise(sample: Sample, elapsed: float) -> dict:
    p50 = percentile(sample.latencies, 0.50)
    p95 = percentile(sample.latencies, 0.95)
    return {
        "requests": len(sample.latencies),
        "errors": sample.errors,
        "statuses": {str(k): v for k, v in sorted(sample.statuses.items())},
        "p50_ms": round(p50 * 1000, 2) if p50 is not None else None,
        "p95_ms": round(p95 * 1000, 2) if p95 is not None else None,
        "requests_per_second": round(len(sample.latencies) / elapsed, 1) if elapsed else 0.0,
    }


def _ratio(value, baseline):
    return round(value / baseline, 2) if value and baseline else None


def memory_summary(series: list[dict]) -> dict:
    """Start, end, max and the least-squares slope (KiB per minute) of the workers' summed RSS."""
    if not series:
        return {}
    xs = [point["t"] for point in series]
    ys = [point["total_kib"] for point in series]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    var = sum((x - mean_x) ** 2 for x in xs)
    slope = (
        sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var if var else 0
    )
    return {
        "samples": n,
        "start_kib": ys[0],
        "end_kib": ys[-1],
        "max_kib": max(ys),
        "per_worker_end_kib": series[-1]["workers"],
        "slope_kib_per_minute": round(slope * 60, 1),
        "seconds": round(xs[-1] - xs[0], 1),
    }


# --- the whole run --------------------------------------------------------------------------------


def run(options: Options) -> dict:
    if connection.vendor != "postgresql":
        raise BenchmarkError("The benchmark runs against PostgreSQL (set DATABASE_URL).")
    log = options.log
    inputs = gather_inputs(seed=options.seed)
    types = request_types(inputs)
    if options.only:
        unknown = set(options.only) - {t.name for t in types}
        if unknown:
            raise BenchmarkError(f"Unknown request types: {', '.join(sorted(unknown))}")
        types = [t for t in types if t.name in ("baseline", "floor") or t.name in options.only]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="wijkwerk-benchmark-") as workdir:
        server = Server(
            workers=options.workers,
            workdir=Path(workdir),
            log=log,
            settings_module=options.settings_module,
        )
        log(f"Starting gunicorn ({options.workers} workers) on port {server.port} ...")
        server.start()
        try:
            sessions = {}
            for key, username in {
                "generalist": "generalist",
                "consultant": "consultant",
                "gp": "huisarts",
                "policy": "beleid",
            }.items():
                sessions[key] = Session(server.port)
                sessions[key].login(username)
            sessions["partner"] = Session(server.port)
            sessions["partner"].token = inputs.token
            # warm up: every worker imports, connects and fills its caches
            run_load(
                server.port,
                types,
                sessions,
                duration=options.warmup,
                concurrency=options.concurrency,
                seed=options.seed,
            )
            # each type alone, in `rounds` slices taken in turn: a slow moment of a shared host
            # then falls on every type alike, the floor page included
            samples = {request_type.name: Sample() for request_type in types}
            elapsed = dict.fromkeys(samples, 0.0)
            for round_number in range(options.rounds):
                for request_type in types:
                    if round_number == 0:
                        log(f"  {request_type.name:<20} {options.duration:.0f} s ...")
                    results, took = run_load(
                        server.port,
                        [request_type],
                        sessions,
                        duration=options.duration / options.rounds,
                        concurrency=options.concurrency,
                        seed=options.seed + round_number,
                    )
                    samples[request_type.name].add(results.get(request_type.name, Sample()))
                    elapsed[request_type.name] += took
            isolated = {name: summarise(samples[name], elapsed[name]) for name in samples}
            mixed, memory = {}, {}
            if options.mix_duration > 0:
                log(f"  mixed                {options.mix_duration:.0f} s ...")
                series: list[dict] = []
                stop = threading.Event()
                t0 = time.monotonic()

                def sample_memory():
                    while not stop.is_set():
                        workers = {pid: rss_kib(pid) for pid in server.worker_pids()}
                        workers = {str(k): v for k, v in workers.items() if v}
                        series.append(
                            {
                                "t": round(time.monotonic() - t0, 1),
                                "workers": workers,
                                "total_kib": sum(workers.values()),
                            }
                        )
                        stop.wait(options.memory_interval)

                sampler = threading.Thread(target=sample_memory)
                sampler.start()
                results, elapsed = run_load(
                    server.port,
                    types,
                    sessions,
                    duration=options.mix_duration,
                    concurrency=options.concurrency,
                    seed=options.seed + 1,
                )
                stop.set()
                sampler.join()
                mixed = {name: summarise(sample, elapsed) for name, sample in results.items()}
                memory = {"summary": memory_summary(series), "series": series}
        finally:
            server.stop()
    baseline = isolated.get("baseline", {})
    floor_p95 = isolated.get("floor", {}).get("p95_ms")
    for name, row in isolated.items():
        spec = next(t for t in types if t.name == name)
        row["description"] = spec.description
        row["target_p95_ms"] = spec.target_p95_ms
        row["p95_ratio_to_floor"] = _ratio(row["p95_ms"], floor_p95)
        row["target_floor_ratio"] = spec.floor_ratio
        if spec.floor_ratio is not None and floor_p95:
            row["target_p95_ms"] = round(floor_p95 * spec.floor_ratio, 2)
        row["rps_ratio_to_baseline"] = _ratio(
            row["requests_per_second"], baseline.get("requests_per_second")
        )
        row["p50_ratio_to_baseline"] = _ratio(row["p50_ms"], baseline.get("p50_ms"))
        row["meets_target"] = (
            None
            if row["target_p95_ms"] is None or row["p95_ms"] is None
            else row["p95_ms"] <= row["target_p95_ms"] and row["errors"] == 0
        )
    gp = isolated.get("gp_lookup_page", {})
    gp_api = isolated.get("gp_api", {})
    result = {
        "meta": {
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(),
            "load_average_before": [round(v, 2) for v in load_before],
            "load_average_after": [round(v, 2) for v in os.getloadavg()],
            "gunicorn_workers": options.workers,
            "concurrency": options.concurrency,
            "duration_per_type_s": options.duration,
            "rounds": options.rounds,
            "mix_duration_s": options.mix_duration,
            "database": connection.settings_dict["NAME"],
            "postgresql": connection.pg_version,
            "provider": inputs.provider,
            "policy_page": inputs.policy_page,
            **inputs.counts,
        },
        "results": isolated,
        "mixed": mixed,
        "memory": memory,
        "targets": {
            "gp_lookup_throughput_at_least_half_of_baseline": (
                None if not gp.get("rps_ratio_to_baseline") else gp["rps_ratio_to_baseline"] >= 0.5
            ),
            "gp_api_throughput_at_least_half_of_baseline": (
                None
                if not gp_api.get("rps_ratio_to_baseline")
                else gp_api["rps_ratio_to_baseline"] >= 0.5
            ),
        },
    }
    return result


def markdown(result: dict) -> str:
    meta = result["meta"]
    lines = [
        f"Benchmark {meta['at']}: {meta.get('households', 0):,} households, "
        f"{meta.get('residents', 0):,} residents; gunicorn {meta['gunicorn_workers']} sync "
        f"workers, {meta['concurrency']} concurrent clients, {meta['duration_per_type_s']:g} s "
        f"per request type"
        + (f" in {meta['rounds']} rounds" if meta.get("rounds", 1) > 1 else "")
        + f"; {meta['cpu_count']} CPUs, load average before "
        f"{meta['load_average_before'][0]}, after {meta['load_average_after'][0]}.",
        "",
        "| request | p50 ms | p95 ms | req/s | req/s ÷ baseline | p95 ÷ floor | target p95 | met |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]

    def cell(value):
        return "–" if value is None else f"{value:g}"

    def target(row):
        ratio = row.get("target_floor_ratio")
        if ratio is not None and row.get("target_p95_ms") is not None:
            return f"{row['target_p95_ms']:g} ({ratio:g} × floor)"
        return cell(row.get("target_p95_ms"))

    for name, row in result["results"].items():
        met = {True: "yes", False: "**no**", None: ""}[row.get("meets_target")]
        errors = f" ({row['errors']} errors)" if row["errors"] else ""
        lines.append(
            f"| {name}{errors} | {cell(row['p50_ms'])} | {cell(row['p95_ms'])} | "
            f"{cell(row['requests_per_second'])} | {cell(row.get('rps_ratio_to_baseline'))} | "
            f"{cell(row.get('p95_ratio_to_floor'))} | {target(row)} | {met} |"
        )
    if result.get("mixed"):
        lines += [
            "",
            "Mixed run (all request types interleaved):",
            "",
            "| request | p50 ms | p95 ms | req/s | errors |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, row in result["mixed"].items():
            lines.append(
                f"| {name} | {cell(row['p50_ms'])} | {cell(row['p95_ms'])} | "
                f"{cell(row['requests_per_second'])} | {row['errors']} |"
            )
    summary = (result.get("memory") or {}).get("summary")
    if summary:
        lines += [
            "",
            f"Worker memory (sum of RSS over {len(summary['per_worker_end_kib'])} workers, "
            f"{summary['samples']} samples over {summary['seconds']:g} s): start "
            f"{summary['start_kib'] / 1024:.1f} MiB, end {summary['end_kib'] / 1024:.1f} MiB, "
            f"max {summary['max_kib'] / 1024:.1f} MiB, slope "
            f"{summary['slope_kib_per_minute']:g} KiB/min.",
        ]
    return "\n".join(lines) + "\n"


def write(result: dict, options: Options) -> str:
    options.json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    table = markdown(result)
    if options.markdown_path:
        options.markdown_path.write_text(table)
    return table
