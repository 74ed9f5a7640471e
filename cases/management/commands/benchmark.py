"""Run the benchmark: gunicorn against PostgreSQL, a fixed set of request types, p50/p95 and
requests per second against a bare baseline. See docs/performance.md."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.demo import benchmark


class Command(BaseCommand):
    help = (
        "Start the app under gunicorn on a free port and measure the key requests (household "
        "search, household page, caseload, queue, GP lookup, partner API, policy page) against "
        "a bare baseline. Writes JSON and a Markdown table. Needs generate_municipality data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=15, help="seconds per request type")
        parser.add_argument(
            "--rounds",
            type=int,
            default=5,
            help="take each type's seconds in this many slices, the types in turn",
        )
        parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
        parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up")
        parser.add_argument(
            "--mix-duration",
            type=float,
            default=0,
            help="seconds of all request types interleaved, with worker memory sampled",
        )
        parser.add_argument("--memory-interval", type=float, default=5)
        parser.add_argument("--seed", type=int, default=9)
        parser.add_argument("--json", default="benchmark-results.json")
        parser.add_argument("--markdown", default="benchmark-results.md")
        parser.add_argument("--only", nargs="*", default=[], help="request types (and baseline)")

    def handle(self, *args, **opts):
        options = benchmark.Options(
            duration=opts["duration"],
            rounds=max(1, opts["rounds"]),
            concurrency=opts["concurrency"],
            workers=opts["workers"],
            warmup=opts["warmup"],
            mix_duration=opts["mix_duration"],
            memory_interval=opts["memory_interval"],
            seed=opts["seed"],
            json_path=Path(opts["json"]),
            markdown_path=Path(opts["markdown"]) if opts["markdown"] else None,
            only=opts["only"],
            log=self.stderr.write,
        )
        try:
            result = benchmark.run(options)
        except benchmark.BenchmarkError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(benchmark.write(result, options))
        self.stderr.write(
            f"Written: {options.json_path}"
            + (f", {options.markdown_path}" if options.markdown_path else "")
        )
