"""ISO 4217 currency codes, their decimal places, and money as a shopper reads it ("$12").

The codes are those of Debian's `iso-codes` 4.18 (a test compares them when the file is
present) plus the two ISO added since (`NEWER_CODES`); the engine carries its own copy because
it imports nothing outside the standard library.
Amounts are formatted the English way (`$1,234.50`, `CHF 12.50`), with the symbol where it is
unambiguous to an English reader and the code otherwise; a whole amount drops its decimals, as
shoppers write "you're $12 away".
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from types import MappingProxyType
from typing import Final


def _codes(text: str) -> list[str]:
    return text.split()


_ISO_CODES_4_18: Final = frozenset(
    _codes(
        """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD
    MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF
    XAG XAU XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL
    """
    )
)
NEWER_CODES: Final = frozenset({"ZWG", "XCG"})  # Zimbabwe Gold (2024), Caribbean guilder (2025)
ISO_4217_CODES: Final = _ISO_CODES_4_18 | NEWER_CODES
# Decimal places where ISO 4217 says other than 2.
_MINOR_UNITS: Final = MappingProxyType(
    {
        **dict.fromkeys(
            _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0
        ),
        **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
        **dict.fromkeys(_codes("CLF UYW"), 4),
    }
)
_SYMBOLS: Final = MappingProxyType(
    {
        "USD": "$",
        "EUR": "€",
        "GBP": "£",
        "JPY": "¥",
        "CAD": "CA$",
        "AUD": "A$",
        "NZD": "NZ$",
        "HKD": "HK$",
        "MXN": "MX$",
        "BRL": "R$",
        "INR": "₹",
        "KRW": "₩",
        "CNY": "CN¥",
        "ILS": "₪",
    }
)


def is_currency(code: object) -> bool:
    """Whether `code` is an ISO 4217 code (upper case, as the API writes them)."""
    return isinstance(code, str) and code in ISO_4217_CODES


def minor_units(currency: str) -> int:
    """Decimal places of the currency's minor unit (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency, 2)


def format_amount(amount: Decimal, currency: str) -> str:
    """`amount` as a shopper reads it, rounded up to the currency's minor unit (so "you're $12
    away" never understates what is missing)."""
    step = Decimal(1).scaleb(-minor_units(currency))
    rounded = amount.quantize(step, rounding=ROUND_CEILING)
    places = 0 if rounded == rounded.to_integral_value() else minor_units(currency)
    number = f"{rounded:,.{places}f}"
    symbol = _SYMBOLS.get(currency)
    return f"{currency} {number}" if symbol is None else f"{symbol}{number}"
