"""The knowledge responder on the committed evaluation set (evaluation.csv): 30 realistic
shopper questions over the demo store's knowledge, each with the source that answers it (empty:
the store does not know, and the honest answer is "I don't know"). At least 25 must be right
on each backend; the README reports the figures this prints."""

from __future__ import annotations

import csv
from pathlib import Path

from elnudge.knowledge.search import best_match
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from tests.knowledge.demo import stock_the_demo_store
from tests.storefront import Relay

EVALUATION = Path(__file__).with_name("evaluation.csv")


def test_at_least_25_of_30_questions_get_the_right_source(
    runtime: Runtime, site: CreatedSite, relay: Relay
) -> None:
    stock_the_demo_store(runtime, site, relay)
    with EVALUATION.open(newline="") as source:
        cases = [(row["question"], row["expected_source"]) for row in csv.DictReader(source)]
    assert len(cases) == 30
    right = answered = answered_right = 0
    wrong = []
    with runtime.database.read() as connection:
        for question, expected in cases:
            match = best_match(connection, site.site_id, "live", question)
            got = "" if match is None else match.title
            right += got == expected
            answered += match is not None
            answered_right += match is not None and got == expected
            if got != expected:
                wrong.append(f"{question!r}: expected {expected!r}, got {got!r}")
    precision = answered_right / answered
    print(f"\nright {right}/30, answered {answered}, precision {precision:.2f}", *wrong, sep="\n")
    assert right >= 25, "\n".join(wrong)
