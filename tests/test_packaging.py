"""The image and the environments are built from hashed lock files, checked by reading the files
(no Docker engine in CI): .dockerignore keeps local state out of the image, the Dockerfile
installs the whole project from requirements.lock, scripts/_venv.sh (tests, CI) from
requirements-dev.lock, the run command runtime dependencies only, and the locks match
pyproject.toml."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def read(name: str) -> str:
    return (ROOT / name).read_text()


def pins(lock: str) -> dict[str, str]:
    """name -> version of every requirement in a lock file, checking each carries hashes."""
    text = read(lock)
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        line = block.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;\\]+)", line)
        assert match, f"{lock}: not pinned with ==: {line.splitlines()[0]}"
        assert "--hash=sha256:" in block, f"{lock}: no hash for {match.group(1)}"
        found[canonicalize_name(match.group(1))] = match.group(3)
    return found


def test_dockerignore_keeps_local_state_out_of_the_image():
    entries = {
        line.strip().rstrip("/")
        for line in read(".dockerignore").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for name in (".venv", "db.sqlite3", ".git", "test-results", "staticfiles", "var", ".env"):
        assert name in entries, name
    assert "**/__pycache__" in entries or "__pycache__" in entries


def test_the_dockerfile_installs_the_whole_project_from_the_hashed_lock():
    lines = [line.strip() for line in read("Dockerfile").splitlines()]
    copies = [line for line in lines if line.startswith("COPY")]
    assert copies == ["COPY requirements.lock ./", "COPY . ."]  # everything, minus .dockerignore
    runs = [line for line in lines if line.startswith("RUN") and "pip install" in line]
    assert runs == [
        "RUN pip install --require-hashes -r requirements.lock",
        "RUN pip install --no-deps .",
    ]
    packages = set(PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])
    assert packages == {"socialdomain*", "cases*", "teams*", "networks*", "outcomes*"}
    for package in packages:  # each is a package in the build context
        assert (ROOT / package.rstrip("*") / "__init__.py").exists()


def test_tests_and_ci_install_from_the_dev_lock_and_the_run_command_runtime_only():
    venv = read("scripts/_venv.sh")
    assert 'lock="${WIJKWERK_LOCK:-requirements-dev.lock}"' in venv
    assert 'pip install --quiet --require-hashes -r "$lock"' in venv
    assert "pip install --quiet --no-deps -e ." in venv
    assert "[dev]" not in venv
    assert "source scripts/_venv.sh" in read("scripts/test.sh")
    assert "WIJKWERK_LOCK" not in read("scripts/test.sh")
    assert "scripts/test.sh" in read(".ci/run")
    assert "WIJKWERK_LOCK=requirements.lock source scripts/_venv.sh" in read("scripts/run.sh")


def test_the_locks_pin_pyproject_and_agree_with_each_other():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    project = PYPROJECT["project"]
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"requirements.lock lacks {name}: run uv pip compile (README)"
        assert requirement.specifier.contains(runtime[name], prereleases=True), name
    for spec in project["optional-dependencies"]["dev"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in dev, f"requirements-dev.lock lacks {name}"
        assert requirement.specifier.contains(dev[name], prereleases=True), name
        assert name not in runtime, f"dev tool {name} in the runtime lock"
    # the runtime lock is the dev lock without the dev tools: same versions
    assert {name: dev.get(name) for name in runtime} == runtime
    assert "standardwebhooks" in runtime
    assert "holidays" not in runtime and "holidays" not in dev


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_a_lock_is_for_python_3_11_on_linux(lock):
    header = read(lock).splitlines()[:3]
    command = " ".join(header)
    assert "uv pip compile pyproject.toml" in command
    assert "--generate-hashes" in command
    assert "--python-version 3.11" in command
    assert "--python-platform x86_64-unknown-linux-gnu" in command
