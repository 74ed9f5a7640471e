"""Django for the in-process scripts (`profile_requests.py`, `memory_growth.py`): the project on
the path, its settings with the benchmark's floor page and the API throttle raised (as the
benchmark's server runs), then `django.setup()` with the per-request log quiet."""

import logging
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialdomain.settings")
    os.environ.setdefault("BENCHMARK_FLOOR_PAGE", "true")
    os.environ["API_THROTTLE_RATE"] = "100000/second"
    import django

    django.setup()
    logging.getLogger("wijkwerk.request").setLevel(logging.WARNING)
