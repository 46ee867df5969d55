"""The nudge engine: whether a session's shopper should see a nudge now, which, and why not.

Pure: no web, database or clock. The relay folds each session's events into `SessionFacts`
(resumable from a stored state), builds a `Situation` with what only it can know, and calls
`decide` with the site's `EngineSettings`. Every number and name is in `thresholds.py`;
`docs/engine.md` explains the rules.
"""

from elnudge.engine.allowance import monthly_allowance, within_allowance
from elnudge.engine.decide import Decision, Proposal, decide
from elnudge.engine.facts import CartLine, Product, SessionFacts, fold_facts, step
from elnudge.engine.holdout import bucket_held_out, holdout_bucket, is_held_out, visitor_key
from elnudge.engine.settings import (
    EngineSettings,
    SettingError,
    load_settings,
    parse_settings,
    settings_data,
    settings_json,
    update_settings,
)
from elnudge.engine.situation import Offer, Situation, is_proactive
from elnudge.engine.thresholds import ENGINE_VERSION, Allowance, Reason, Rule, ToastPosition
from elnudge.engine.zones import compile_zone, in_quiet_zone

__all__ = [
    "ENGINE_VERSION",
    "Allowance",
    "CartLine",
    "Decision",
    "EngineSettings",
    "Offer",
    "Product",
    "Proposal",
    "Reason",
    "Rule",
    "SessionFacts",
    "SettingError",
    "Situation",
    "ToastPosition",
    "bucket_held_out",
    "compile_zone",
    "decide",
    "fold_facts",
    "holdout_bucket",
    "in_quiet_zone",
    "is_held_out",
    "is_proactive",
    "load_settings",
    "monthly_allowance",
    "parse_settings",
    "settings_data",
    "settings_json",
    "step",
    "update_settings",
    "visitor_key",
    "within_allowance",
]
