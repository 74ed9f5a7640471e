#!/usr/bin/env bash
# Set up and run the whole test suite against real PostgreSQL and Redis (started, and installed
# with apt, when missing), including the browser tests in Debian's Chromium, then the linters
# (ruff), the migrations check and the import contracts. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wijkwerk}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export SECRET_KEY="${SECRET_KEY:-insecure-test-only-key}"

ruff check .
ruff format --check .
python manage.py makemigrations --check --dry-run
lint-imports
mkdir -p test-results
python -m pytest -n "${PYTEST_WORKERS:-2}" -rs --junitxml=test-results/junit.xml "$@"
python scripts/check_skips.py test-results/junit.xml
