"""Checks of single values. Each returns how strongly a value fits a class.

Library validators do the real work: stdnum (Luhn, IBAN, ABA RTN, SSN, EIN, VAT, BIC),
phonenumbers, email_validator and the standard ipaddress module.
"""

from __future__ import annotations

import ipaddress
import re
from enum import IntEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import bic, iban, luhn, vatin
from stdnum.br import cnpj, cpf
from stdnum.co import nit as co_nit
from stdnum.es import cif as es_cif
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir, siren
from stdnum.gb import utr
from stdnum.it import codicefiscale
from stdnum.mx import curp, rfc
from stdnum.nl import bsn
from stdnum.pt import cc as pt_cc
from stdnum.pt import nif as pt_nif
from stdnum.us import ein, itin, rtn, ssn


class Strength(IntEnum):
    """How strongly one value fits a class."""

    NONE = 0
    PLAUSIBLE = 1
    """The value has a possible shape (a digit string of the right length)."""
    VALID = 2
    """Passes a real validator, but values like it are common (a 9-digit valid SSN)."""
    DISTINCTIVE = 3
    """Passes a validator and is unlikely to be anything else (an email address)."""
    CHECKSUM = 4
    """Passes a checksum that random values rarely pass (IBAN mod-97, card Luhn + issuer)."""


_SEPARATORS = re.compile(r"[\s\-]")


def _digits(value: str) -> str | None:
    compact = _SEPARATORS.sub("", value)
    return compact if compact.isdigit() else None


# Issuer identification number ranges: (first prefix, last prefix, card lengths).
_IIN_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),
    ("65", "65", frozenset(range(16, 20))),
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("2131", "2131", frozenset({15})),
    ("1800", "1800", frozenset({15})),
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("3095", "3095", frozenset(range(14, 20))),
    ("36", "36", frozenset(range(14, 20))),
    ("38", "39", frozenset(range(14, 20))),
    ("62", "62", frozenset(range(16, 20))),  # UnionPay
    ("2200", "2204", frozenset(range(16, 20))),  # Mir
    ("5018", "5018", frozenset(range(12, 20))),  # Maestro
    ("5020", "5020", frozenset(range(12, 20))),
    ("5038", "5038", frozenset(range(12, 20))),
    ("5893", "5893", frozenset(range(12, 20))),
    ("56", "58", frozenset(range(12, 20))),
    ("6304", "6304", frozenset(range(12, 20))),
    ("6759", "6759", frozenset(range(12, 20))),
    ("6761", "6763", frozenset(range(12, 20))),
)


def has_card_issuer_prefix(number: str) -> bool:
    """Whether a digit string starts with a known card issuer prefix valid for its length."""
    for low, high, lengths in _IIN_RANGES:
        if len(number) in lengths and low <= number[: len(low)] <= high:
            return True
    return False


_MASKED_CARD = re.compile(r"^(?:\d{4,6}[\s\-]?)?(?:[Xx*#•][\s\-]?){4,15}\d{4}$")


def check_card(value: str) -> Strength:
    """Luhn with a known issuer prefix and a length valid for that issuer is CHECKSUM; Luhn
    alone (a tenth of random numbers pass it), card-length digit strings that fail it (test
    numbers, typos) and masked numbers (``4111XXXXXXXX1111``) are only PLAUSIBLE: they
    support a card name but never decide alone."""
    number = _digits(value)
    if number is None:
        return Strength.PLAUSIBLE if _MASKED_CARD.match(value) else Strength.NONE
    if not 12 <= len(number) <= 19 or len(set(number)) == 1:
        return Strength.NONE
    if luhn.is_valid(number) and has_card_issuer_prefix(number):
        return Strength.CHECKSUM
    return Strength.PLAUSIBLE


_IBAN_START = re.compile(r"^[A-Za-z]{2}\d{2}")


def check_iban(value: str) -> Strength:
    compact = value.replace(" ", "")
    if not _IBAN_START.match(compact) or not 15 <= len(compact) <= 34:
        return Strength.NONE
    return Strength.CHECKSUM if iban.is_valid(compact) else Strength.NONE


# First two digits of ABA routing numbers: Federal Reserve districts, thrifts, electronic.
_ABA_PREFIXES = frozenset(
    [f"{n:02d}" for n in range(0, 13)]
    + [f"{n:02d}" for n in range(21, 33)]
    + [f"{n:02d}" for n in range(61, 73)]
    + ["80"]
)
_SORT_CODE = re.compile(r"^\d{2}([- ])\d{2}\1\d{2}$")
_BSB = re.compile(r"^\d{3}-\d{3}$")


def check_routing(value: str) -> Strength:
    """ABA routing number (3-7-1 checksum and district prefix), BIC, UK sort code shape."""
    number = _digits(value)
    if number is not None and len(number) == 9:
        if number[:2] in _ABA_PREFIXES and rtn.is_valid(number):
            return Strength.CHECKSUM
        return Strength.NONE
    if _SORT_CODE.match(value) or _BSB.match(value):
        return Strength.VALID
    if number is not None and len(number) == 6:
        return Strength.PLAUSIBLE
    if len(value) in (8, 11) and value.isalnum() and value.isupper() and bic.is_valid(value):
        # An 8-letter BIC is also an upper-case word (PHARMACY: bank PHAR, country MA);
        # a branch code or a digit in the location code makes it a code.
        if len(value) == 11 or any(c.isdigit() for c in value):
            return Strength.DISTINCTIVE
        return Strength.VALID
    return Strength.NONE


def check_bank_account(value: str) -> Strength:
    number = _digits(value)
    if number is not None and 6 <= len(number) <= 17:
        return Strength.PLAUSIBLE
    return Strength.NONE


_SSN_FORMATTED = re.compile(r"^\d{3}([- ])\d{2}\1\d{4}$")
_EIN_FORMATTED = re.compile(r"^\d{2}-\d{7}$")
_NINO = re.compile(
    r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]$"
)
_ID_TOKEN = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9_\-./:#]{0,63}$")
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)


_CPF_FORMATTED = re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d{2}$")
_CNPJ_FORMATTED = re.compile(r"^\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}$")
_DNI_OR_NIE = re.compile(r"^[XYZ0-9]\d{7}-?[A-Z]$", re.IGNORECASE)
_CURP = re.compile(r"^[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d$", re.IGNORECASE)
_PT_CC = re.compile(r"^\d{9}[A-Z]{2}\d$", re.IGNORECASE)
_CODICE_FISCALE = re.compile(r"^[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]$", re.IGNORECASE)


def _national_checksum(value: str) -> bool:
    """Personal identifiers with check digits (python-stdnum): Spanish DNI/NIE, French NIR,
    Brazilian CPF, Mexican CURP, Italian codice fiscale, Portuguese citizen card."""
    compact = value.replace(" ", "")
    if _DNI_OR_NIE.match(compact):
        return bool(es_dni.is_valid(compact) or es_nie.is_valid(compact))
    if _CPF_FORMATTED.match(compact) or (compact.isdigit() and len(compact) == 11):
        return bool(cpf.is_valid(compact))
    if compact.isdigit() and len(compact) == 15 and compact[0] in "12":
        return bool(nir.is_valid(compact))
    if _CURP.match(compact):
        return bool(curp.is_valid(compact))
    if _CODICE_FISCALE.match(compact):
        return bool(codicefiscale.is_valid(compact))
    if _PT_CC.match(compact):
        return bool(pt_cc.is_valid(compact))
    return False


def check_national_id(value: str) -> Strength:
    """US SSN (stdnum rules: area, group and serial), UK national insurance number, Dutch
    BSN (11-test), and identifiers with real check digits (CHECKSUM): Spanish DNI/NIE,
    French NIR, Brazilian CPF, Mexican CURP, Italian codice fiscale."""
    if _SSN_FORMATTED.match(value):
        return Strength.DISTINCTIVE if ssn.is_valid(value.replace(" ", "-")) else Strength.NONE
    if value.isdigit() and len(value) == 9:
        # one random 9-digit number in eleven passes the BSN test: VALID, like a bare SSN
        return Strength.VALID if ssn.is_valid(value) or bsn.is_valid(value) else Strength.NONE
    if _NINO.match(value.upper()):
        return Strength.DISTINCTIVE
    if _national_checksum(value):
        return Strength.CHECKSUM
    if _EIN_FORMATTED.match(value):
        return Strength.NONE  # an employer's number, not a person's
    return Strength.PLAUSIBLE if _ID_TOKEN.match(value) and 5 <= len(value) <= 20 else Strength.NONE


_NIT_FORMATTED = re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-\d$")
_ES_CIF = re.compile(r"^[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]$")
_VAT_START = re.compile(r"^[A-Za-z]{2}[0-9A-Za-z+*. \-]{2,14}$")


def check_tax_id(value: str) -> Strength:
    """US EIN (stdnum prefix rules), VAT numbers with country prefix (stdnum checksums),
    UK UTR; a US SSN or ITIN is VALID too, as US individuals use them as their TIN."""
    if _EIN_FORMATTED.match(value):
        return Strength.DISTINCTIVE if ein.is_valid(value) else Strength.NONE
    if _SSN_FORMATTED.match(value):
        return (
            Strength.VALID
            if ssn.is_valid(value.replace(" ", "-")) or itin.is_valid(value.replace(" ", "-"))
            else Strength.NONE
        )
    if value.isdigit():
        if len(value) == 9:
            # US EIN, Portuguese NIF, French SIREN: one in ten random numbers passes each
            valid = ein.is_valid(value) or pt_nif.is_valid(value) or siren.is_valid(value)
            return Strength.VALID if valid else Strength.NONE
        if len(value) == 10:
            return Strength.VALID if utr.is_valid(value) else Strength.NONE
    if _CNPJ_FORMATTED.match(value) or (value.isdigit() and len(value) == 14):
        return Strength.CHECKSUM if cnpj.is_valid(value) else Strength.NONE
    if _NIT_FORMATTED.match(value):
        return Strength.CHECKSUM if co_nit.is_valid(value) else Strength.NONE
    if _VAT_START.match(value) and any(c.isdigit() for c in value):
        if vatin.is_valid(value):
            return Strength.CHECKSUM
        if len(value) in (12, 13) and rfc.is_valid(value):
            return Strength.VALID  # Mexican RFC (its check digit is optional)
        return Strength.NONE
    if _ES_CIF.match(value) and es_cif.is_valid(value):
        return Strength.CHECKSUM
    return Strength.PLAUSIBLE if _ID_TOKEN.match(value) and 5 <= len(value) <= 20 else Strength.NONE


def check_customer_id(value: str) -> Strength:
    """Customer identifiers have no fixed format: any compact token with a digit, or a UUID."""
    if _ID_TOKEN.match(value) or _UUID.match(value):
        return Strength.PLAUSIBLE
    return Strength.NONE


def check_email(value: str) -> Strength:
    if value.count("@") != 1 or len(value) > 254 or " " in value:
        return Strength.NONE
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return Strength.NONE
    return Strength.DISTINCTIVE


_PHONE_SHAPE = re.compile(
    r"^(?:\+|00)?[\d\s().\-/]{6,24}?(?:\s*(?:x|ext\.?|extension|#)\s*\d{1,6})?$", re.IGNORECASE
)
_PHONE_FORMATTING = re.compile(r"[+()\s.\-/]")
NOT_PHONE = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?|\d{3}([- ])\d{2}\1\d{4}|\d{2}-\d{7}"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$"
)
"""IPv4 addresses and networks, SSN-, EIN- and date-shaped values are never phone numbers,
whatever region would parse them."""


def check_phone(value: str, region: str) -> Strength:
    """Parsed with one default region (international numbers carry their own); values with
    formatting that are valid numbers are DISTINCTIVE, bare digit strings only VALID."""
    if not _PHONE_SHAPE.match(value) or NOT_PHONE.match(value):
        return Strength.NONE
    main = re.split(r"(?i)\s*(?:x|ext|extension|#)", value, maxsplit=1)[0]
    digit_count = sum(c.isdigit() for c in main)
    if not 7 <= digit_count <= 15:
        return Strength.NONE
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return Strength.NONE
    if phonenumbers.is_valid_number(number):
        return Strength.DISTINCTIVE if _PHONE_FORMATTING.search(main) else Strength.VALID
    if phonenumbers.is_possible_number(number):
        return Strength.PLAUSIBLE
    return Strength.NONE


def check_ip(value: str) -> Strength:
    if not (":" in value or value.count(".") == 3) or len(value) > 45:
        return Strength.NONE
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return Strength.NONE
    return Strength.DISTINCTIVE
