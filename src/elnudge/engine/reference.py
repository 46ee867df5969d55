"""The generated parts of `docs/engine.md`: the thresholds, triggers and reasons tables, made
from the engine's own names and values so the doc cannot drift from the code.

    python -m elnudge.engine.reference docs/engine.md          # rewrite the generated blocks
    python -m elnudge.engine.reference docs/engine.md --check  # exit 1 if they are stale

A block sits between `<!-- generated:NAME -->` and `<!-- end generated:NAME -->`. A threshold's
description is the comment on its line in thresholds.py.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Final

from elnudge.engine import thresholds
from elnudge.engine.messages import DEFAULT_COPY
from elnudge.engine.thresholds import Reason
from elnudge.engine.triggers import TRIGGERS

REASON_MEANINGS: Final[Mapping[Reason, str]] = MappingProxyType(
    {
        Reason.NUDGES_OFF: "the site turned nudges off",
        Reason.BOT: "the session is a crawler's or a headless browser's",
        Reason.QUIET_ZONE: "the current page matches a quiet zone (the site's, else the tag's)",
        Reason.ALLOWANCE_USED: "the session started after the month's allowance was used",
        Reason.NO_TRIGGER: "no trigger has a new signal, and no sticky bar applies",
        Reason.PURCHASED: "the session has bought: no more proactive nudges",
        Reason.SILENCED: "the shopper dismissed enough proactive nudges in the session",
        Reason.SESSION_CAP: "the session had its proactive nudges",
        Reason.MODAL_OPEN: "an exit modal is still open in front of the shopper",
        Reason.COOLDOWN: "the last proactive offer was too recent",
        Reason.EXIT_MODAL_USED: "exit intent, but the session already had its exit modal",
        Reason.ALREADY_WELCOMED: "returning visitor, but the session was already welcomed",
        Reason.STICKY_BAR_DISMISSED: "a checkout page, but the shopper dismissed the bar",
        Reason.TEST_MODE: "test mode never shows a nudge: see `would_show`",
        Reason.HOLDOUT: "the visitor is held out: see `would_show`, recorded as an offer",
    }
)
_CONSTANT = re.compile(r"^([A-Z][A-Z0-9_]*): Final = .*?  # (.+)$")
_BLOCK = re.compile(
    r"(<!-- generated:(?P<name>[a-z]+) -->\n).*?(<!-- end generated:(?P=name) -->)", re.DOTALL
)


def thresholds_table() -> str:
    rows = ["| name | value | meaning |", "|---|---|---|"]
    source = Path(thresholds.__file__).read_text(encoding="utf-8")
    for line in source.splitlines():
        found = _CONSTANT.match(line)
        if found:
            name, meaning = found.groups()
            rows.append(f"| `{name}` | {_value(getattr(thresholds, name))} | {meaning} |")
    return "\n".join(rows)


def triggers_table() -> str:
    rows = [
        "| priority | rule | nudge | situation | default message | call to action |",
        "|---|---|---|---|---|---|",
    ]
    for priority, trigger in enumerate(TRIGGERS.values(), start=1):
        copy = DEFAULT_COPY[trigger.rule]
        messages = "<br>".join(f"“{text}”" for text in (*copy.with_cart, *copy.messages))
        rows.append(
            f"| {priority if trigger.proactive else '—'} | `{trigger.rule}` | `{trigger.type}` "
            f"| {trigger.situation} | {messages} | “{copy.cta}” |"
        )
    return "\n".join(rows)


def reasons_table() -> str:
    rows = ["| reason | meaning |", "|---|---|"]
    rows += [f"| `{reason}` | {REASON_MEANINGS[reason]} |" for reason in Reason]
    return "\n".join(rows)


BLOCKS: Final[Mapping[str, Callable[[], str]]] = MappingProxyType(
    {"thresholds": thresholds_table, "triggers": triggers_table, "reasons": reasons_table}
)


def render_doc(text: str) -> str:
    """`text` with every generated block rewritten from the code."""
    return _BLOCK.sub(lambda m: f"{m[1]}{BLOCKS[m['name']]()}\n{m[3]}", text)


def _value(value: object) -> str:
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, bool | str):
        return f"`{value}`"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Mapping):
        return ", ".join(f"{key} {_value(item)}" for key, item in value.items())
    if value is None:
        return "unlimited"
    return f"`{value!r}`"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m elnudge.engine.reference")
    parser.add_argument("doc", type=Path, help="the Markdown file with generated blocks")
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    args = parser.parse_args(argv)
    text = args.doc.read_text(encoding="utf-8")
    rendered = render_doc(text)
    if args.check:
        stale = rendered != text
        print(f"{args.doc}: {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    args.doc.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
