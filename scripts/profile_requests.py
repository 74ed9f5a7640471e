"""In-process profile of the benchmark's request types (docs/performance.md, "Misses"): each type
through Django's test client against the database in DATABASE_URL (a generated municipality),
with the benchmark's inputs and users. Prints per type the median time, the number of queries
and the time spent waiting on the database; `--cprofile TYPE` prints the functions that cost
most for one type; `--queries TYPE` prints the statements of its last run with their times;
`--instructions TYPE` counts the instructions a request of that type takes in this process
under valgrind's callgrind (not PostgreSQL's or Redis's): the same count whatever else the
machine does, so an A/B of a page's own work reads to a percent on a host whose speed drifts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wijkwerk_scale DEBUG=1 \\
        .venv/bin/python scripts/profile_requests.py [--repeat 15] [--only caseload ...] \\
        [--cprofile household_page] [--instructions caseload]

It runs with DEBUG off (as the benchmark's server does), Redis as the cache when REDIS_URL is
set, access logging, need-to-know and throttling on.
"""

import argparse
import cProfile
import dataclasses
import os
import pstats
import random
import statistics
import time

from _callgrind import counting, instructions
from _django import django_setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--queries", nargs="*", default=[], help="print these types' SQL")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--instructions", default="", metavar="TYPE", help="count under callgrind")
    parser.add_argument("--under-callgrind", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions and not args.under_callgrind:
        count_instructions(args)
        return

    django_setup()
    from _mix import clients_and_inputs
    from _mix import send as one_request
    from django.db import connection

    from cases.demo.benchmark import request_types

    clients, inputs = clients_and_inputs(seed=args.seed)

    timings: list[float] = []

    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(time.perf_counter() - start)
            statements.append((timings[-1], sql))

    rng = random.Random(args.seed)  # noqa: S311 - repeatable inputs, not secrets
    rows = []
    types = request_types(inputs)
    # the GP lookup API as a practice system calls it, with its bearer token (scripts/api_wrk.py)
    [gp_api] = [request_type for request_type in types if request_type.name == "gp_api"]
    types.append(dataclasses.replace(gp_api, name="gp_api_token", session="gp_token"))
    for request_type in types:
        if args.only and request_type.name not in args.only:
            continue
        client = clients[request_type.session]

        def send(client=client, request_type=request_type):
            one_request(client, request_type, rng)

        for _ in range(args.warmup):
            send()
        if args.under_callgrind:  # counted only while its requests run
            with counting():
                for _ in range(args.repeat):
                    send()
            return
        if request_type.name == args.cprofile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                send()
            profile.disable()
            stats = pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("PROFILE_LINES", "45")))
            if os.environ.get("PROFILE_CALLEES"):  # e.g. PROFILE_CALLEES=queue_row
                stats.print_callees(os.environ["PROFILE_CALLEES"])
            if os.environ.get("PROFILE_CALLERS"):  # e.g. PROFILE_CALLERS=conditional_escape
                stats.print_callers(os.environ["PROFILE_CALLERS"])
        totals, counts, sql = [], [], []
        for _ in range(args.repeat):
            timings.clear()
            statements.clear()
            with connection.execute_wrapper(timed):
                start = time.perf_counter()
                send()
                totals.append(time.perf_counter() - start)
            counts.append(len(timings))
            sql.append(sum(timings))
        if request_type.name in args.queries:  # the last run's statements
            width = int(os.environ.get("SQL_WIDTH", "160"))  # e.g. SQL_WIDTH=100000: whole
            for seconds, statement in statements:
                print(f"{seconds * 1000:7.2f} ms  {' '.join(statement.split())[:width]}")
        rows.append(
            (
                request_type.name,
                statistics.median(totals) * 1000,
                statistics.median(counts),
                statistics.median(sql) * 1000,
            )
        )
    print("| request | median ms | queries | SQL ms |")
    print("|---|---:|---:|---:|")
    for name, total, count, sql_ms in rows:
        print(f"| {name} | {total:.1f} | {count:g} | {sql_ms:.1f} |")


def count_instructions(args) -> None:
    """This script again under callgrind, for one type, counting only while its requests
    run (after the warm-up)."""
    counted = instructions(
        "profile_requests.py",
        [
            "--under-callgrind",
            f"--instructions={args.instructions}",
            f"--only={args.instructions}",
            f"--repeat={args.repeat}",
            f"--warmup={max(args.warmup, 5)}",
            f"--seed={args.seed}",
        ],
    )
    print(
        f"{args.instructions}: {args.repeat} requests, "
        f"{counted / args.repeat / 1e6:.2f} M instructions a request in this process"
    )


if __name__ == "__main__":
    main()
