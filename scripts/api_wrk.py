"""Throughput of the two APIs with `wrk` (issue #26's setup): gunicorn with 2 workers on the
database in DATABASE_URL (a generated municipality), `wrk -c16` for each of bare `/livez`, the
GP's area-contact lookup (`/api/v1/area-contacts/`, postcodes rotating: a GP practice system's
bearer token, then the GP's session) and the partner allocation list (`/api/v1/allocations/`,
the busiest provider's bearer token), one after the other in one run, so the APIs are read as a
share of bare throughput measured then.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wijkwerk_scale DEBUG=1 \\
        .venv/bin/python scripts/api_wrk.py [--duration 15] [--connections 16] [--threads 2]

The server runs as the benchmark starts it (`cases.demo.benchmark.Server`: DEBUG off, access
logging, need-to-know and throttling on, the partner API's rate raised by its setting, login
lockout off). Needs Debian's `wrk`. Prints one Markdown table, with the CPU time each request
took in the gunicorn workers, PostgreSQL, Redis and `wrk` itself (read from /proc before and
after each run; Linux): on two cores, what a request costs where; and the share of the
machine's CPU time a hypervisor gave to other guests during each run (steal, from /proc/stat):
a run with much of it measured a slower machine than the rest of its table.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialdomain.settings")

# p50/p95/p99 in microseconds and requests per second, printed by wrk when it is done
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50=%d p95=%d p99=%d requests=%d seconds=%f errors=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
"""


def lua(headers: dict, paths: list[str]) -> str:
    """A wrk script sending `headers` and cycling through `paths`."""
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    quoted = ", ".join(f'"{p}"' for p in paths)
    lines += [
        f"local paths = {{{quoted}}}",
        "local i = 0",
        "request = function()",
        "  i = i % #paths + 1",
        "  return wrk.format(nil, paths[i])",
        "end",
    ]
    return "\n".join(lines) + REPORT


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(app_pids: set[int]) -> dict[str, float]:
    """CPU seconds (user + system) so far of the app's processes, PostgreSQL's and Redis's
    (from /proc), and of this script's finished children (`wrk`). A process's reaped children
    count with it (a PostgreSQL backend whose connection closed, a gunicorn worker replaced),
    so a process that ends between two readings loses none of its time."""
    totals = {"app": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                stat = handle.read()
        except OSError:  # gone meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        # utime, stime, cutime, cstime (proc(5): fields 14 to 17)
        times = stat[stat.rindex(")") + 2 :].split()[11:15]
        group = (
            "app"
            if int(entry.name) in app_pids
            else "postgres"
            if name.startswith("postgres")
            else "redis"
            if name.startswith("redis-server")
            else None
        )
        if group:
            totals[group] += sum(int(ticks) for ticks in times) / TICKS
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals["wrk"] = children.ru_utime + children.ru_stime
    return totals


def cpu_ticks_of_host() -> tuple[int, int]:
    """(stolen, all) CPU ticks of the machine so far (/proc/stat): the share a hypervisor gave
    to other guests while a run wanted the CPU. A run with much stolen time measured a slower
    machine than the others in the table."""
    with open("/proc/stat") as handle:
        values = [int(value) for value in handle.readline().split()[1:9]]
    return values[7], sum(values)


def wrk(port: int, script: str, *, duration: int, connections: int, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    out = subprocess.run(  # noqa: S603 - our own arguments
        [  # noqa: S607 - Debian's wrk from PATH
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "-s",
            handle.name,
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(handle.name)
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    values = dict(part.split("=") for part in match[1].split())
    return {
        "p50_ms": int(values["p50"]) / 1000,
        "p95_ms": int(values["p95"]) / 1000,
        "p99_ms": int(values["p99"]) / 1000,
        "rps": int(values["requests"]) / float(values["seconds"]),
        "errors": int(values["errors"]),
    }


def measured(port: int, script: str, app_pids: set[int], options: dict) -> dict:
    """One wrk run of `script`, with the CPU a request took where and the CPU stolen."""
    before, host_before = cpu_seconds(app_pids), cpu_ticks_of_host()
    result = wrk(port, script, **options)
    after, host_after = cpu_seconds(app_pids), cpu_ticks_of_host()
    stolen, ticks = (b - a for a, b in zip(host_before, host_after, strict=True))
    result["stolen"] = 100 * stolen / ticks if ticks else 0.0
    result["requests"] = result["rps"] * options["duration"]
    result["cpu_ms"] = {
        group: (after[group] - before[group]) / result["requests"] * 1000 for group in after
    }
    return result


def combined(runs: list[dict]) -> dict:
    """A request type's rounds as one row: throughput and CPU a request over all its requests,
    the median of the rounds' latency percentiles, all errors, the mean stolen share."""
    requests = sum(run["requests"] for run in runs)
    return {
        "rps": sum(run["rps"] for run in runs) / len(runs),
        **{
            key: statistics.median(run[key] for run in runs)
            for key in ("p50_ms", "p95_ms", "p99_ms")
        },
        "errors": sum(run["errors"] for run in runs),
        "stolen": sum(run["stolen"] for run in runs) / len(runs),
        "cpu_ms": {
            group: sum(run["cpu_ms"][group] * run["requests"] for run in runs) / requests
            for group in runs[0]["cpu_ms"]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the request types in turn this many times, each for --duration: on a host "
        "whose speed drifts, bare and each API are then measured close in time (the table: "
        "mean throughput, median of the rounds' percentiles)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from cases.demo.benchmark import Server, Session, gather_inputs

    inputs = gather_inputs(seed=args.seed)
    options = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
    with tempfile.TemporaryDirectory(prefix="wijkwerk-wrk-") as workdir:
        server = Server(workers=args.workers, workdir=Path(workdir), log=print)
        server.start()
        try:
            gp = Session(server.port)
            gp.login("huisarts")
            gp_headers = {k: v for k, v in gp.headers().items() if k == "Cookie"}
            contact_paths = [f"/api/v1/area-contacts/?postcode={p}" for p in inputs.gp_postcodes]
            runs = {
                "livez (bare)": lua({}, ["/livez"]),
                "GP lookup API (bearer token)": lua(
                    {"Authorization": f"Bearer {inputs.gp_token}"}, contact_paths
                ),
                "GP lookup API (session)": lua(gp_headers, contact_paths),
                "partner allocation list (bearer token)": lua(
                    {"Authorization": f"Bearer {inputs.token}"}, ["/api/v1/allocations/"]
                ),
            }
            # warm up every worker (imports, connections, caches)
            for script in runs.values():
                wrk(server.port, script, **{**options, "duration": 3})
            app_pids = {server.process.pid, *server.worker_pids()}
            rounds = {name: [] for name in runs}
            for _round in range(args.rounds):
                for name, script in runs.items():
                    rounds[name].append(measured(server.port, script, app_pids, options))
            results = {name: combined(measured_runs) for name, measured_runs in rounds.items()}
        finally:
            server.stop()
    bare = results["livez (bare)"]["rps"]
    print(
        f"\n`wrk -t{args.threads} -c{args.connections} -d{args.duration}s`"
        + (f", {args.rounds} rounds" if args.rounds > 1 else "")
        + f", gunicorn {args.workers} workers, load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| request | p50 ms | p95 ms | p99 ms | req/s | ÷ bare | errors "
        "| CPU ms a request: app | PostgreSQL | Redis | wrk | CPU stolen % |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        cpu = r["cpu_ms"]
        print(
            f"| {name} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['rps']:.0f} | {r['rps'] / bare:.2f} | {r['errors']} | {cpu['app']:.2f} | "
            f"{cpu['postgres']:.2f} | {cpu['redis']:.2f} | {cpu['wrk']:.2f} | "
            f"{r['stolen']:.1f} |"
        )


if __name__ == "__main__":
    main()
