# Sourced by the scripts: create .venv when missing and install the project from a hashed lock
# file: requirements-dev.lock (runtime and dev tools; scripts/test.sh, CI) unless WIJKWERK_LOCK
# names another (scripts/run.sh: requirements.lock, runtime only). Every package is checked
# against its hash (--require-hashes), then the project itself is installed editable without
# dependencies. Re-installs only when the lock file or pyproject.toml changed since the last
# install from that lock.
PYTHON="${PYTHON:-python3}"
lock="${WIJKWERK_LOCK:-requirements-dev.lock}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.wijkwerk-installed-$lock"
fingerprint=$(.venv/bin/python -c 'import hashlib, sys
print(hashlib.sha256(b"".join(open(p, "rb").read() for p in sys.argv[1:])).hexdigest())' \
  "$lock" pyproject.toml)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
  .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$fingerprint" > "$stamp"
fi
# shellcheck disable=SC1091
source .venv/bin/activate
