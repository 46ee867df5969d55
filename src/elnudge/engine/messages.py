"""What each nudge says: default messages, calls to action and chat openers per rule, and the
placeholders a merchant's own message may use.

Templates use `{product}`, `{stock}`, `{amount}`, `{viewers}` and `{agent}` (`{{` and `}}` for
literal braces). They are parsed, never passed to `str.format`, so a template cannot reach an
attribute or an index. A value exists only when the situation has it: `{product}` needs a
product page whose `PRODUCT_VIEW` named the product, `{stock}` one that carried the stock,
`{amount}` a cart below the free-shipping threshold in its currency; `{viewers}` and `{agent}`
always exist. Filling never fails: a template the situation cannot fill gives way to the next
one, the merchant's first, then the rule's defaults, the last of which needs only `{agent}`.

Messages are plain text; the widget must draw them as text, never as HTML (a product name comes
from the storefront's events).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from string import Formatter
from types import MappingProxyType
from typing import Final

from elnudge.engine.thresholds import POPULAR_WINDOW_MS, Rule

PLACEHOLDERS: Final = ("product", "stock", "amount", "viewers", "agent")
Values = Mapping[str, str]


class TemplateError(ValueError):
    """A template that could never be filled: bad braces or an unknown placeholder."""


@dataclass(frozen=True, slots=True)
class Copy:
    """A rule's default words. `with_cart` messages come first when the cart has items."""

    messages: tuple[str, ...]
    cta: str
    openings: tuple[str, ...]
    with_cart: tuple[str, ...] = ()


_WINDOW_MINUTES: Final = POPULAR_WINDOW_MS // 60_000
_POPULAR: Final = f"{{viewers}} other shoppers viewed this in the last {_WINDOW_MINUTES} minutes"
_HELLO: Final = "Hi, I'm {agent}."
DEFAULT_COPY: Final[Mapping[Rule, Copy]] = MappingProxyType(
    {
        Rule.EXIT_INTENT: Copy(
            messages=("Wait — need a hand before you go?",),
            with_cart=("Wait — your cart is saved. Need a hand before you go?",),
            cta="Chat with {agent}",
            openings=(f"{_HELLO} What can I help you with before you go?",),
        ),
        Rule.IDLE_ON_PRODUCT: Copy(
            messages=(
                "Any questions about {product}? I'm happy to help",
                "Any questions about this product? I'm happy to help",
            ),
            cta="Ask {agent}",
            openings=(
                f"{_HELLO} What would you like to know about {{product}}?",
                f"{_HELLO} What would you like to know about this product?",
            ),
        ),
        Rule.CART_REMOVAL: Copy(
            messages=("Changed your mind? I can help you compare",),
            cta="Help me compare",
            openings=(f"{_HELLO} Tell me what you're weighing up and I'll help you compare.",),
        ),
        Rule.FREE_SHIPPING: Copy(
            messages=("Free shipping — you're {amount} away", "You're close to free shipping"),
            cta="Get suggestions",
            openings=(
                f"{_HELLO} You're {{amount}} away from free shipping: want a few suggestions?",
                f"{_HELLO} Want a few suggestions to reach free shipping?",
            ),
        ),
        Rule.LOW_STOCK: Copy(
            messages=("Only {stock} left in stock", "Only a few left in stock"),
            cta="Ask {agent}",
            openings=(
                f"{_HELLO} Only {{stock}} left of {{product}}: anything to check before it's gone?",
                f"{_HELLO} Stock is running low: anything to check before it's gone?",
            ),
        ),
        Rule.POPULAR_PRODUCT: Copy(
            messages=(_POPULAR,),
            cta="Ask {agent}",
            openings=(
                f"{_HELLO} {{product}} is popular right now. Anything you'd like to know?",
                f"{_HELLO} This one is popular right now. Anything you'd like to know?",
            ),
        ),
        Rule.DEEP_SCROLL: Copy(
            messages=(
                "Like what you see? Ask me anything about {product}",
                "Like what you see? Ask me anything about it",
            ),
            cta="Ask {agent}",
            openings=(f"{_HELLO} What would you like to know?",),
        ),
        Rule.RETURNING_VISITOR: Copy(
            messages=("Welcome back — good to see you again",),
            with_cart=("Welcome back — your cart is still saved",),
            cta="Chat with {agent}",
            openings=("Welcome back! I'm {agent}. How can I help today?",),
        ),
        Rule.CHECKOUT: Copy(
            messages=("Have a question about your order? Chat with {agent} →",),
            cta="Chat with {agent}",
            openings=(f"{_HELLO} What would you like to know about your order?",),
        ),
    }
)


def template_fields(template: str) -> tuple[str, ...]:
    """The placeholders `template` uses; a TemplateError if it is not a valid template."""
    return tuple(name for _, name in _checked(template) if name is not None)


def fill(template: str, values: Values) -> str | None:
    """`template` with its placeholders replaced, or None when a value is missing (or the
    template is invalid)."""
    try:
        parts = _checked(template)
    except TemplateError:
        return None
    if any(name is not None and name not in values for _, name in parts):
        return None
    return "".join(literal + ("" if name is None else values[name]) for literal, name in parts)


def first_filled(templates: Sequence[str], values: Values) -> str:
    """The first template the values can fill (the defaults always end with one that can)."""
    for template in templates:
        filled = fill(template, values)
        if filled is not None:
            return filled
    raise ValueError("no template could be filled")  # only if the default copy is broken


def message_for(rule: Rule, override: str | None, values: Values, *, has_cart: bool) -> str:
    """The nudge's message: the merchant's override if it can be filled, else the default."""
    copy = DEFAULT_COPY[rule]
    defaults = (*copy.with_cart, *copy.messages) if has_cart else copy.messages
    return first_filled((override, *defaults) if override else defaults, values)


def cta_for(rule: Rule, values: Values) -> str:
    return first_filled((DEFAULT_COPY[rule].cta,), values)


def opening_for(rule: Rule, values: Values) -> str:
    """What the chat panel says first when the shopper opens it from this nudge."""
    return first_filled(DEFAULT_COPY[rule].openings, values)


def _checked(template: str) -> list[tuple[str, str | None]]:
    """The template as (literal text, placeholder or None) pairs, checked."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as error:  # a lone { or }
        raise TemplateError(f"{error}; write {{{{ or }}}} for a literal brace") from error
    for _, name, spec, conversion in parsed:
        if name is not None and name not in PLACEHOLDERS:
            known = ", ".join(f"{{{placeholder}}}" for placeholder in PLACEHOLDERS)
            raise TemplateError(f"unknown placeholder {{{name}}}; use {known}")
        if spec or conversion:
            raise TemplateError(f"placeholder {{{name}}} takes no format or conversion")
    return [(literal, name) for literal, name, _, _ in parsed]
