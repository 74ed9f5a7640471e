"""Where a worker's memory grows over the benchmark's mix (docs/performance.md, "Memory"): every
request type of the mix in-process through Django's test client, `--warmup` rounds first, then
`tracemalloc` over `--rounds` more; prints the Python heap's growth by allocation site. The
test client's own signal receivers show up too: they are not the app's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wk_perf_scale DEBUG=1 \\
        .venv/bin/python scripts/memory_growth.py [--warmup 10] [--rounds 40]
"""

import argparse
import gc
import random
import tracemalloc

from _django import django_setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()

    django_setup()
    from _mix import clients_and_inputs, send

    from cases.demo.benchmark import request_types

    clients, inputs = clients_and_inputs(seed=9)
    types = request_types(inputs)
    rng = random.Random(1)  # noqa: S311 - repeatable inputs, not secrets

    def one_round():
        for request_type in types:
            send(clients[request_type.session], request_type, rng)

    for _ in range(args.warmup):
        one_round()
    gc.collect()
    tracemalloc.start(12)
    before = tracemalloc.take_snapshot()
    for _ in range(args.rounds):
        one_round()
    gc.collect()
    stats = tracemalloc.take_snapshot().compare_to(before, "traceback")
    requests = args.rounds * len(types)
    print(f"{requests} requests: the heap grew {sum(s.size_diff for s in stats) / 1024:.1f} KiB")
    for stat in stats[: args.top]:
        print(f"{stat.size_diff / 1024:.1f} KiB in {stat.count_diff} blocks")
        for line in stat.traceback.format()[-8:]:
            print("   ", line)


if __name__ == "__main__":
    main()
