#!/usr/bin/env bash
# Set up and run wijkwerk with demo data on http://127.0.0.1:${PORT:-8000}/.
# Needs only Python 3.11: without DATABASE_URL it uses an embedded SQLite file (db.sqlite3);
# without REDIS_URL Celery tasks run in-process. Set both to run on PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
# runtime dependencies only (requirements.lock); scripts/test.sh adds the dev tools
# shellcheck source=scripts/_venv.sh
WIJKWERK_LOCK=requirements.lock source scripts/_venv.sh
export DEBUG="${DEBUG:-true}"
export LOG_FORMAT="${LOG_FORMAT:-plain}"
python manage.py migrate --noinput
python manage.py seed_demo
echo "wijkwerk runs on http://127.0.0.1:${PORT:-8000}/  (Ctrl+C stops it)"
exec python manage.py runserver "127.0.0.1:${PORT:-8000}"
