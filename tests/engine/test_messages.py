"""What nudges say: templates that never fail, defaults that always fill, money as shoppers
read it, and a currency list that matches ISO 4217."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elnudge.engine import Rule
from elnudge.engine.currencies import (
    ISO_4217_CODES,
    NEWER_CODES,
    format_amount,
    is_currency,
    minor_units,
)
from elnudge.engine.messages import (
    DEFAULT_COPY,
    PLACEHOLDERS,
    TemplateError,
    cta_for,
    fill,
    message_for,
    opening_for,
    template_fields,
)

ISO_CODES_FILE = Path("/usr/share/iso-codes/json/iso_4217.json")
ALL_VALUES = {
    "product": "Trail Shoe",
    "stock": "3",
    "amount": "$12",
    "viewers": "8",
    "agent": "Maya",
}


def test_placeholders_are_filled_literally() -> None:
    assert fill("Only {stock} left of {product}", ALL_VALUES) == "Only 3 left of Trail Shoe"
    assert fill("{{literal}} {agent}", ALL_VALUES) == "{literal} Maya"
    # a value that looks like a placeholder stays text
    assert fill("{product}", {"product": "{agent}"}) == "{agent}"


def test_a_template_the_data_cannot_fill_falls_back_to_the_default() -> None:
    values = {"agent": "Maya", "viewers": "0"}  # no product name, no stock
    assert fill("Only {stock} left", values) is None
    message = message_for(Rule.LOW_STOCK, "Only {stock} left", values, has_cart=False)
    assert message == "Only a few left in stock"
    assert message_for(Rule.IDLE_ON_PRODUCT, None, values, has_cart=False) == (
        "Any questions about this product? I'm happy to help"
    )


def test_the_merchants_template_comes_first() -> None:
    message = message_for(Rule.LOW_STOCK, "Hurry, {stock} left!", ALL_VALUES, has_cart=False)
    assert message == "Hurry, 3 left!"


def test_cart_aware_defaults() -> None:
    values = {"agent": "Maya", "viewers": "0"}
    assert message_for(Rule.EXIT_INTENT, None, values, has_cart=True) == (
        "Wait — your cart is saved. Need a hand before you go?"
    )
    assert message_for(Rule.EXIT_INTENT, None, values, has_cart=False) == (
        "Wait — need a hand before you go?"
    )


@pytest.mark.parametrize("rule", list(Rule))
def test_every_default_can_be_filled_with_the_values_that_always_exist(rule: Rule) -> None:
    always = {"agent": "Maya", "viewers": "0"}
    for has_cart in (False, True):
        assert message_for(rule, None, always, has_cart=has_cart)
    assert cta_for(rule, always)
    assert opening_for(rule, always).count("Maya") == 1
    copy = DEFAULT_COPY[rule]
    for template in (*copy.messages, *copy.with_cart, copy.cta, *copy.openings):
        assert set(template_fields(template)) <= set(PLACEHOLDERS)


@pytest.mark.parametrize(
    "template", ["{", "}", "{price}", "{}", "{0}", "{product.__class__}", "{stock:>4}"]
)
def test_invalid_templates_are_refused_and_never_filled(template: str) -> None:
    with pytest.raises(TemplateError):
        template_fields(template)
    assert fill(template, ALL_VALUES) is None


@given(
    template=st.text(max_size=40),
    values=st.dictionaries(st.sampled_from(PLACEHOLDERS), st.text(max_size=8)),
)
def test_filling_never_raises(template: str, values: dict[str, str]) -> None:
    filled = fill(template, values)
    assert filled is None or isinstance(filled, str)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("12", "USD", "$12"),
        ("12.00", "USD", "$12"),
        ("12.5", "USD", "$12.50"),
        ("12.001", "USD", "$12.01"),  # rounded up: never understate what is missing
        ("1234.5", "EUR", "€1,234.50"),
        ("1200", "JPY", "¥1,200"),
        ("1199.2", "JPY", "¥1,200"),
        ("12.5", "CHF", "CHF 12.50"),
        ("1.2345", "BHD", "BHD 1.235"),
        ("0.01", "GBP", "£0.01"),
    ],
)
def test_amounts_read_like_a_shop_writes_them(amount: str, currency: str, text: str) -> None:
    assert format_amount(Decimal(amount), currency) == text


def test_minor_units_follow_iso_4217() -> None:
    assert (minor_units("USD"), minor_units("JPY"), minor_units("KWD"), minor_units("CLF")) == (
        2,
        0,
        3,
        4,
    )


def test_currency_codes_are_upper_case_iso_4217() -> None:
    assert is_currency("USD")
    assert not is_currency("usd")
    assert not is_currency("ABC")
    assert not is_currency(840)


@pytest.mark.skipif(not ISO_CODES_FILE.exists(), reason="Debian's iso-codes is not installed")
def test_the_currency_list_matches_debians_iso_codes() -> None:
    listed = {entry["alpha_3"] for entry in json.loads(ISO_CODES_FILE.read_text())["4217"]}
    assert listed <= ISO_4217_CODES
    assert ISO_4217_CODES - listed <= NEWER_CODES
