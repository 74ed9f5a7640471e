"""What one API request costs the app's process, in-process and without a server or a load
generator in between (docs/performance.md, "Means"): Django's WSGI handler called directly with
the benchmark's inputs, for bare `/livez`, the GP lookup API with the practice system's bearer
token or the GP's session (`gp-session`; postcodes rotating) or the partner allocation list with
the busiest provider's token.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wijkwerk_scale DEBUG=1 \\
        .venv/bin/python scripts/request_cost.py gp [--requests 2000] [--rounds 5]
    ... scripts/request_cost.py gp --instructions [--requests 300]   # under valgrind
    ... scripts/request_cost.py partner --profile [PATTERN]          # cProfile
    ... scripts/request_cost.py partner --profile --sort tottime     # by time in itself

By default it prints per round the CPU time a request took in this process and in PostgreSQL's
and Redis's processes (read from /proc; Linux), and the wall time. These vary with what else the
machine does. `--instructions` runs the requests under valgrind's callgrind, which counts the
instructions this process executes (not PostgreSQL's or Redis's), only while the requests run:
the same count for the same code, inputs and data whatever else the machine is doing, so an
A/B of two versions of the code can be read to a percent (Debian's valgrind; about 50 times
slower). Each mode first sends 200 requests to warm up (compiled statements, kept API clients
and answers). DEBUG off, access logging, need-to-know and throttling on (the rate raised), the
per-request log quiet, as `profile_requests.py` runs.
"""

import argparse
import io
import os
import sys
import time
import warnings

from _callgrind import counting, instructions
from _django import django_setup
from api_wrk import cpu_seconds

WARMUP = 200


def requests_of(kind: str):
    """(paths, headers) of a kind of request, from the benchmark's inputs."""
    from cases.demo.benchmark import gather_inputs

    if kind == "livez":
        return ["/livez"], {}
    inputs = gather_inputs(seed=2015)
    if kind == "partner":
        return ["/api/v1/allocations/"], {"HTTP_AUTHORIZATION": f"Bearer {inputs.token}"}
    paths = [f"/api/v1/area-contacts/?postcode={p}" for p in inputs.gp_postcodes]
    if kind == "gp-session":
        return paths, {"HTTP_COOKIE": f"sessionid={_signed_in_session('huisarts')}"}
    return paths, {"HTTP_AUTHORIZATION": f"Bearer {inputs.gp_token}"}


def _signed_in_session(username: str) -> str:
    """The session key of `username` signed in through the login page, as the benchmark's
    `Session.login` does over HTTP (Django's test client, no CSRF check)."""
    from django.test import Client

    from cases.demo.benchmark import PASSWORD

    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    if response.status_code != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"login as {username} failed ({response.status_code})")
    return client.cookies["sessionid"].value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["livez", "gp", "gp-session", "partner"])
    parser.add_argument("--requests", type=int, default=None, help="a round's requests")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count under callgrind")
    parser.add_argument("--profile", nargs="?", const="", default=None, metavar="PATTERN")
    parser.add_argument(
        "--sort",
        choices=["cumulative", "tottime", "ncalls"],
        default="cumulative",
        help="the profile's order: cumulative, tottime (in the function itself) or ncalls",
    )
    parser.add_argument("--under-callgrind", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions:
        count_instructions(args)
        return

    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["DEBUG"] = "false"
    os.environ["AXES_ENABLED"] = "false"
    os.environ.setdefault("SECRET_KEY", "request-cost")
    # WhiteNoise, with DEBUG off and no collected static files: nothing here serves any
    warnings.filterwarnings("ignore", message="No directory at")
    django_setup()
    from django.core.handlers.wsgi import WSGIHandler

    paths, headers = requests_of(args.kind)
    handler = WSGIHandler()

    def send(path: str) -> None:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        environ.update(headers)
        status = []
        body = b"".join(handler(environ, lambda line, headers, *rest: status.append(line)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}?{query}: {status[0]} {body[:300]!r}")

    def run(count: int) -> None:
        for index in range(count):
            send(paths[index % len(paths)])

    run(WARMUP)
    count = args.requests or 2000  # under callgrind the parent passes its own
    if args.under_callgrind:
        with counting():
            run(count)
        return
    if args.profile is not None:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(run, count)
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.profile, 50)
        return
    for _ in range(args.rounds):
        # PostgreSQL's and Redis's processes (this process's own CPU is read apart)
        services, cpu, wall = cpu_seconds(set()), time.process_time(), time.perf_counter()
        run(count)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        after = cpu_seconds(set())
        per = {
            name: (after[name] - services[name]) * 1000 / count for name in ("postgres", "redis")
        }
        print(
            f"{args.kind}: {count} requests, ms a request: app CPU {cpu * 1000 / count:.3f}, "
            f"PostgreSQL {per['postgres']:.3f}, Redis {per['redis']:.3f}, "
            f"wall {wall * 1000 / count:.3f}",
            flush=True,
        )


def count_instructions(args) -> None:
    """This script again under callgrind, counting only while its requests run."""
    count = args.requests or 300
    counted = instructions(
        "request_cost.py", [args.kind, "--under-callgrind", f"--requests={count}"]
    )
    print(
        f"{args.kind}: {count} requests, {counted / count / 1e6:.3f} M instructions a "
        "request in this process"
    )


if __name__ == "__main__":
    main()
