"""The engine as a package: its public surface, what it may import, and a doc that cannot
drift from its code."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import elnudge.engine
from elnudge.engine import thresholds
from elnudge.engine.reference import REASON_MEANINGS, main, render_doc, thresholds_table
from elnudge.engine.thresholds import Reason

PACKAGE = Path(elnudge.engine.__file__).parent
DOC = Path(__file__).parents[2] / "docs" / "engine.md"


def test_the_public_surface() -> None:
    assert len(set(elnudge.engine.__all__)) == len(elnudge.engine.__all__)
    assert all(hasattr(elnudge.engine, name) for name in elnudge.engine.__all__)
    assert {"decide", "Situation", "Decision", "Proposal", "fold_facts"} <= set(
        elnudge.engine.__all__
    )


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name)
def test_the_engine_imports_only_the_vocabulary_the_stdlib_and_itself(module: Path) -> None:
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            allowed = (
                top in sys.stdlib_module_names
                or name == "elnudge.vocabulary"
                or name == "elnudge.engine"
                or name.startswith("elnudge.engine.")
            )
            assert allowed, f"{module.name} imports {name}"


def test_the_doc_is_generated_from_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render_doc(text) == text, "run: python -m elnudge.engine.reference docs/engine.md"
    for block in ("thresholds", "triggers", "reasons"):
        assert f"<!-- generated:{block} -->\n|" in text


def test_every_threshold_is_documented() -> None:
    table = thresholds_table()
    constants = [name for name in vars(thresholds) if name.isupper() and not name.startswith("_")]
    assert constants
    for name in constants:
        assert f"| `{name}` |" in table, f"{name} needs a comment on its line in thresholds.py"


def test_every_reason_is_explained() -> None:
    assert set(REASON_MEANINGS) == set(Reason)


def test_the_cooldown_outlasts_every_fading_nudge() -> None:
    # "One proactive nudge at a time" rests on this (decide.py).
    assert thresholds.PROACTIVE_COOLDOWN_MS > thresholds.TOAST_FADE_MS
    assert thresholds.PROACTIVE_COOLDOWN_MS > thresholds.BUBBLE_COLLAPSE_MS


def test_the_doc_tool_checks_and_rewrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "engine.md"
    doc.write_text("# x\n<!-- generated:reasons -->\nold\n<!-- end generated:reasons -->\n")
    assert main([str(doc), "--check"]) == 1
    assert main([str(doc)]) == 0
    assert main([str(doc), "--check"]) == 0
    assert "| `cooldown` |" in doc.read_text()
    assert "up to date" in capsys.readouterr().out
