"""The lock files in requirements/ pin what pyproject.toml pins, and agree with each other.

scripts/install installs from a lock file, not from pyproject.toml: a pin changed in one and
not re-locked (scripts/lock) would leave every machine on the old version without a word.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
# Each lock holds its own packages and those of the lock before it.
LAYERS = {"base": [], "dev": ["dev"], "bench": ["dev", "bench"]}


def pinned(requirements: list[str]) -> dict[NormalizedName, str]:
    """Name to version of each `name==version` requirement."""
    pins: dict[NormalizedName, str] = {}
    for line in requirements:
        requirement = Requirement(line)
        [specifier] = requirement.specifier
        assert specifier.operator == "==", f"{line}: pyproject.toml pins exactly"
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def project_pins(lock: str) -> dict[NormalizedName, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    lines = project["dependencies"] + [line for extra in LAYERS[lock] for line in extras[extra]]
    return pinned(lines)


def locked(lock: str) -> dict[NormalizedName, set[str]]:
    """Name to the versions a lock file names (more than one when markers split a package)."""
    versions: dict[NormalizedName, set[str]] = {}
    for line in (LOCKS / f"{lock}.txt").read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = Requirement(line)
            [specifier] = requirement.specifier
            versions.setdefault(canonicalize_name(requirement.name), set()).add(specifier.version)
    return versions


@pytest.mark.parametrize("lock", LAYERS)
def test_every_pin_of_pyproject_is_locked_at_its_version(lock: str) -> None:
    versions = locked(lock)
    stale = {
        name: (version, versions.get(name))
        for name, version in project_pins(lock).items()
        if versions.get(name) != {version}
    }
    assert stale == {}, f"pyproject.toml and requirements/{lock}.txt differ: run scripts/lock"


@pytest.mark.parametrize(("lock", "wider"), [("base", "dev"), ("dev", "bench")])
def test_a_wider_lock_keeps_the_versions_of_the_narrower(lock: str, wider: str) -> None:
    narrow, wide = locked(lock), locked(wider)
    drift = {
        name: (narrow[name], wide.get(name)) for name in narrow if wide.get(name) != narrow[name]
    }
    assert drift == {}, f"requirements/{wider}.txt moved versions of {lock}.txt: run scripts/lock"
