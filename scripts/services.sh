#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) run, installing
# them with apt when missing (needs root, as on the CI and developer machines), and that
# Debian's Chromium is there for the browser tests.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! command -v pg_isready >/dev/null || ! pg_ready; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "Installing PostgreSQL..."
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -n | tail -1)
  conf=/etc/postgresql/$version/main
  # trust on loopback for the postgres user, as the test settings expect
  if ! grep -q "wijkwerk-trust" "$conf/pg_hba.conf"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust # wijkwerk-trust\nhost all all ::1/128 trust # wijkwerk-trust' "$conf/pg_hba.conf"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL did not start" >&2; exit 1; }
fi
echo "PostgreSQL: running"

if ! (command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1); then
  if ! command -v redis-server >/dev/null; then
    echo "Installing Redis..."
    apt_install redis-server
  fi
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 ping >/dev/null || { echo "Redis did not start" >&2; exit 1; }
fi
echo "Redis: running"

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the browser tests..."
  apt_install chromium || echo "Chromium could not be installed: browser tests will be skipped" >&2
fi
# ClamAV's daemon for the household documents' virus scan: the tests start their own clamd on
# a temporary socket with a test signature (tests/clamd.py), so Debian's service is not needed
# (and has no signatures without the internet): stop it if the package started it.
if ! command -v clamd >/dev/null && [ ! -x /usr/sbin/clamd ]; then
  echo "Installing ClamAV (clamav-daemon) for the document virus-scan tests..."
  apt_install clamav-daemon || echo "ClamAV could not be installed: the document tests will fail" >&2
  if command -v service >/dev/null; then
    as_root service clamav-daemon stop >/dev/null 2>&1 || true
    as_root service clamav-freshclam stop >/dev/null 2>&1 || true
  fi
fi
echo "ClamAV: $(/usr/sbin/clamd --version 2>/dev/null || echo missing)"
if ! command -v xgettext >/dev/null; then
  apt_install gettext || echo "gettext could not be installed: the catalogue test will be skipped" >&2
fi
