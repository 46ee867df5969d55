"""Words of a question or a document, as the knowledge search compares them: lower case,
without the common English words that say nothing about the topic, shop synonyms folded into
one word ("swap" and "exchange", "arrive" and "delivery"), stemmed (Snowball's English stemmer,
so "shipping", "ships" and "shipped" are one word)."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

_WORD = re.compile(r"[0-9a-z]+")
# Words of questions that never tell one answer from another ("can", "you", "my", …).
# fmt: off
STOP_WORDS = frozenset({
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "do", "does", "did", "for", "from", "get", "got", "have", "has", "had", "how", "i",
    "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "s",
    "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "to", "too", "us", "was", "we", "were", "what", "when", "where", "which", "who", "why",
    "will", "with", "would", "you", "your", "yours", "hi", "hello", "hey", "thanks", "thank",
    "just", "also", "want", "need", "know", "tell", "much", "many", "one", "t", "should",
    "sell", "buy", "carry", "long"
})
# fmt: on
# Shop words a shopper and a store often say differently, each folded into the store's word.
# General e-commerce vocabulary, applied to questions and documents alike.
SYNONYMS = {
    **dict.fromkeys(["arrive", "arrives", "arrival", "deliver", "delivered"], "delivery"),
    **dict.fromkeys(["swap", "switch", "exchanges", "exchanged"], "exchange"),
    **dict.fromkeys(["bigger", "smaller", "larger", "fit", "fits", "sizing"], "size"),
    **dict.fromkeys(["phone", "call", "email", "reach", "talk", "telephone"], "contact"),
    **dict.fromkeys(["take", "takes", "accepted"], "accept"),
    **dict.fromkeys(["wash", "washing", "cleaning"], "clean"),
    **dict.fromkeys(["reimburse", "reimbursed", "refunded", "money"], "refund"),
    **dict.fromkeys(["broke", "broken", "defect", "defective", "apart", "covered"], "warranty"),
    **dict.fromkeys(["cost", "costs", "price", "priced", "fee"], "cost"),
    **dict.fromkeys(["promo", "coupon", "voucher", "sale", "sales"], "discount"),
}
_STEMMER = snowballstemmer.stemmer("english")


def plain_words(text: str) -> list[str]:
    """The text's words that carry meaning, unstemmed, in order, each once: what the database's
    full-text search is asked for (it stems them itself)."""
    words = [word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]
    return list(dict.fromkeys(words))


@cache
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def stems(text: str) -> frozenset[str]:
    """The stems of the text's meaningful words."""
    return frozenset(stem(SYNONYMS.get(word, word)) for word in plain_words(text))


def search_words(text: str) -> list[str]:
    """The words to ask the full-text index for: the text's own and their shop synonyms."""
    words = plain_words(text)
    return list(dict.fromkeys([*words, *(SYNONYMS[word] for word in words if word in SYNONYMS)]))
