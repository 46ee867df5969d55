"""The knowledge responder's search: the database's full-text index finds candidates (FTS5 on
SQLite, `tsvector` on PostgreSQL: see db/dialect.py), and one scorer here ranks them, so that
both backends give the same answer and the relevance threshold means the same on each.

The score is the weight of the question's meaningful words (stemmed) that a candidate holds —
a word in its title counts fully, one only in its body counts `BODY_WEIGHT` — over the square
root of their number, so that a long, chatty question is not drowned by its own words. Below
`THRESHOLD`
the responder says it does not know rather than guess. Both numbers were chosen on the
evaluation set in tests/knowledge (see the README, "Conversations", for its precision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from elnudge.db import dialect
from elnudge.knowledge import repository
from elnudge.knowledge.words import plain_words, search_words, stems

CANDIDATES = 20  # per kind (entries, products): plenty for a store's FAQ
BODY_WEIGHT = 0.6
THRESHOLD = 0.5
MAX_QUESTION_WORDS = 30  # a longer message is searched by its first 30 meaningful words


@dataclass(frozen=True, slots=True)
class Match:
    """The best candidate: its kind (faq, policy or product), the answer and the score."""

    kind: str
    ref: str
    title: str
    text: str
    url: str | None
    score: float

    def source(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "url": self.url}


def score(question: frozenset[str], title: frozenset[str], body: frozenset[str]) -> float:
    """How much of the question the document holds (title words count fully)."""
    if not question:
        return 0.0
    held = sum(1.0 if word in title else BODY_WEIGHT for word in question & (title | body))
    return float(held / len(question) ** 0.5)


def best_match(connection: Connection, site_id: str, mode: str, question: str) -> Match | None:
    """The knowledge entry or product that answers `question` best, when it is relevant
    enough (score at least THRESHOLD); None otherwise."""
    found = top_matches(connection, site_id, mode, question, 1)
    return found[0] if found and found[0].score >= THRESHOLD else None


def top_matches(
    connection: Connection, site_id: str, mode: str, question: str, count: int
) -> list[Match]:
    """Up to `count` candidates for `question`, best first, whatever their score."""
    words = plain_words(question)[:MAX_QUESTION_WORDS]
    found = dialect.knowledge_candidates(
        connection,
        site_id=site_id,
        mode=mode,
        words=search_words(" ".join(words)),
        limit=CANDIDATES,
    )
    entry_ids = {ref for kind, ref in found if kind != "product"}
    product_ids = {ref for kind, ref in found if kind == "product"}
    asked = stems(" ".join(words))
    matches = [
        *(
            _entry_match(row, asked)
            for row in repository.entries_by_id(connection, site_id, entry_ids)
        ),
        *(
            _product_match(row, asked)
            for row in repository.products_by_id(connection, site_id, mode, product_ids)
        ),
    ]
    # Ties go to the store's own entries (listed first), then to the shorter title.
    ranked = sorted(matches, key=lambda match: (-match.score, len(match.title)))
    return [match for match in ranked if match.score > 0][:count]


def _entry_match(row: Any, asked: frozenset[str]) -> Match:
    entry_id, kind, title, body, url = row
    return Match(kind, entry_id, title, body, url, score(asked, stems(title), stems(body)))


def _product_match(row: Any, asked: frozenset[str]) -> Match:
    product_id, name, price, currency, stock, url = row
    title = name or product_id
    return Match(
        "product",
        product_id,
        title,
        product_text(title, price, currency, stock),
        url,
        score(asked, stems(title), frozenset()),
    )


def product_text(name: str, price: float | None, currency: str | None, stock: int | None) -> str:
    """What the catalogue says of a product: its price and whether it is in stock."""
    parts = [name]
    if price is not None:
        parts.append(f"costs {price:,.2f} {currency or ''}".rstrip())
    if stock is not None:
        parts.append("is sold out" if stock <= 0 else f"is in stock ({stock} left)")
    return ", ".join(parts[:1]) + (" " + " and ".join(parts[1:]) if len(parts) > 1 else "") + "."
