"""The llm responder's output check: an answer that offers something the store's knowledge
does not (a discount, a code, a free item, a price match) is refused, whatever made the model
say it. Each offer-like phrase of the answer must appear in the knowledge it was given."""

from __future__ import annotations

import re

# Offer-like phrases: a percentage or amount off, a code, and the words stores make offers with.
_OFFERS = re.compile(
    r"\d+(?:\.\d+)?\s*%\s*(?:off|discount)"
    r"|[$€£]\s?\d+(?:\.\d+)?\s*off"
    r"|\b(?:promo|discount|coupon|voucher)\s*code\s*:?\s*[A-Z0-9-]{3,}"
    r"|\bcode\s+[A-Z0-9][A-Z0-9-]{3,}\b"
    r"|\b(?:discount|coupon|voucher|promo(?:tion)?|price[- ]match(?:ing)?|rebate|cashback)\w*"
    r"|\bfree\s+(?:gift|item|upgrade|sample|shoes?|product|pair)s?\b"
    r"|\bbuy\s+one,?\s+get\s+one\b",
    re.IGNORECASE,
)
# Where a sentence ends: the check reads an answer sentence by sentence, and the streamed answer
# is released to the shopper in the same pieces (gate.py), so both see the same sentences.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_SPECIFIC = re.compile(r"\d|\b[A-Z0-9]{4,}\b")  # a number or a code makes it an offer anyway
# An answer may say there is no such offer ("we do not have a discount code right now").
_DENIAL = re.compile(r"\b(?:no|not|don't|do not|isn't|aren't|never|none)\b", re.IGNORECASE)


def invented_offers(answer: str, knowledge: str) -> list[str]:
    """The offer-like phrases of `answer` that `knowledge` does not contain (case aside). A
    sentence that denies an offer ("no discount codes") promises nothing."""
    known = knowledge.lower()
    invented = []
    for sentence in SENTENCE_BREAK.split(answer):
        if _DENIAL.search(sentence) and not _SPECIFIC.search(sentence):
            continue
        invented += [
            m.group(0) for m in _OFFERS.finditer(sentence) if m.group(0).lower() not in known
        ]
    return invented
