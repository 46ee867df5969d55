"""Every setting is documented: the README's table lists exactly the ELNUDGE_* variables that
`Settings` reads, with their defaults."""

from __future__ import annotations

import re
from pathlib import Path

from elnudge.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `ELNUDGE_([A-Z_]+)` \| (?:`([^`]*)`|—) \|", re.M)


def test_the_readme_lists_every_setting_with_its_default() -> None:
    rows = {name.lower(): default for name, default in ROW.findall(README.read_text())}
    assert set(rows) == set(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "" if default is None else str(default).lower()
        assert rows[name] == shown, name
