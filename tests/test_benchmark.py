"""The benchmark machinery at tiny scale: gunicorn starts against the test database, every
request type is answered with 200 for the signed-in role, and the JSON and Markdown have the
documented structure. No timing is asserted."""

import io
import json

import pytest
from django.core.management import call_command

from cases.demo import benchmark

REQUEST_TYPES = {
    "baseline",
    "floor",
    "search_bsn",
    "search_postcode",
    "search_name",
    "household_page",
    "caseload",
    "consultant_queue",
    "gp_lookup_page",
    "gp_api",
    "partner_allocations",
    "policy_dashboard",
}


@pytest.mark.django_db(transaction=True)
def test_benchmark_runs_and_writes_json_and_markdown(tmp_path):
    call_command(
        "generate_municipality", households=60, seed=5, no_progress=True, stdout=io.StringIO()
    )
    json_path, markdown_path = tmp_path / "result.json", tmp_path / "result.md"
    options = benchmark.Options(
        duration=0.4,
        rounds=2,  # every type twice, in turn
        concurrency=2,
        workers=1,
        warmup=0.3,
        mix_duration=1.0,
        memory_interval=0.2,
        json_path=json_path,
        markdown_path=markdown_path,
        log=lambda message: None,
        settings_module="tests.settings",
    )
    table = benchmark.write(benchmark.run(options), options)

    result = json.loads(json_path.read_text())
    assert set(result) == {"meta", "results", "mixed", "memory", "targets"}
    assert result["meta"]["households"] == 60
    assert result["meta"]["gunicorn_workers"] == 1
    assert result["meta"]["rounds"] == 2
    assert set(result["results"]) == REQUEST_TYPES
    for name, row in result["results"].items():
        assert row["errors"] == 0, (name, row["statuses"])
        assert row["requests"] > 0, name
        assert {"p50_ms", "p95_ms", "requests_per_second", "rps_ratio_to_baseline"} <= set(row)
        assert row["p50_ms"] <= row["p95_ms"]
    assert result["results"]["baseline"]["rps_ratio_to_baseline"] == 1
    # the pages' targets are multiples of the floor page's p95 in the same run
    floor = result["results"]["floor"]["p95_ms"]
    assert result["results"]["search_bsn"]["target_p95_ms"] == round(
        floor * benchmark.PAGE_FLOOR_RATIO, 2
    )
    assert result["results"]["policy_dashboard"]["target_floor_ratio"] == (
        benchmark.DASHBOARD_FLOOR_RATIO
    )
    assert result["results"]["gp_api"]["target_p95_ms"] == benchmark.GP_API_TARGET_MS
    assert set(result["mixed"]) <= REQUEST_TYPES
    assert all(row["errors"] == 0 for row in result["mixed"].values())
    memory = result["memory"]["summary"]
    assert memory["samples"] >= 2
    assert memory["start_kib"] > 0
    assert "slope_kib_per_minute" in memory
    assert set(result["targets"]) == {
        "gp_lookup_throughput_at_least_half_of_baseline",
        "gp_api_throughput_at_least_half_of_baseline",
    }
    assert markdown_path.read_text() == table
    assert "| search_name |" in table
    assert "0.4 s per request type in 2 rounds" in table
    assert "Worker memory" in table


def test_percentile_and_memory_summary():
    assert benchmark.percentile([], 0.5) is None
    values = [i / 1000 for i in range(1, 101)]
    assert benchmark.percentile(values, 0.5) == 0.05
    assert benchmark.percentile(values, 0.95) == 0.095
    series = [{"t": t, "workers": {"1": 100 + t}, "total_kib": 100 + t} for t in range(0, 61, 10)]
    summary = benchmark.memory_summary(series)
    assert summary["start_kib"] == 100
    assert summary["end_kib"] == 160
    assert summary["slope_kib_per_minute"] == 60.0
