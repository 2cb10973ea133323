"""A labelled corpus of finance-table columns for evaluating the classifier.

Each column has the table it sits in, a name, a Glue type, an optional comment, its true class
(None: not sensitive) and a seeded value generator. The columns are written the way finance
producers name them (abbreviations, other languages' conventions, look-alike names that are
not sensitive) and are disjoint from the engine's unit-test set, on which it was tuned. Person
names partly come from Faker locales that are not in the engine's name dictionary (fi_FI,
pl_PL, sv_SE, cs_CZ), so name-value evidence is not measured on the dictionary's own words.

``columns(n)`` materialises every column with ``n`` values, deterministically.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from stdnum import luhn
from stdnum.iso7064 import mod_11_10

from classifier.engine import SensitivityClass

C = SensitivityClass
TODAY = date(2026, 11, 1)
Gen = Callable[[random.Random], str]


@dataclass(frozen=True)
class Spec:
    table: str
    name: str
    type: str
    label: C | None
    gen: Gen
    comment: str | None = None


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    type: str
    label: C | None
    values: list[str | None]
    comment: str | None = None
    siblings: tuple[str, ...] = ()


_FAKERS: dict[str, Faker] = {}


def _fake(locale: str) -> Faker:
    if locale not in _FAKERS:
        fake = Faker(locale)
        fake.seed_instance(sum(map(ord, locale)))
        _FAKERS[locale] = fake
    return _FAKERS[locale]


def fk(method: str, locale: str = "en_US", **kwargs: object) -> Gen:
    def gen(_: random.Random) -> str:
        return str(getattr(_fake(locale), method)(**kwargs))

    return gen


def upper(gen: Gen) -> Gen:
    return lambda r: gen(r).upper()


def dirty(gen: Gen, empty: float = 0.3) -> Gen:
    """Some values missing or placeholders, as real extracts have."""
    return lambda r: gen(r) if r.random() > empty else r.choice(["", "NULL", "n/a", "-"])


def choice(*options: str) -> Gen:
    return lambda r: r.choice(options)


def digits(n: int, lead: str = "") -> Gen:
    return lambda r: lead + "".join(r.choice("0123456789") for _ in range(n - len(lead)))


def us_phone(r: random.Random) -> str:
    area = r.choice(["212", "415", "312", "617", "206", "303", "512", "713", "305", "404"])
    ex, line = f"{r.randrange(2, 10)}{r.randrange(100):02d}", f"{r.randrange(10000):04d}"
    return r.choice([f"({area}) {ex}-{line}", f"{area}-{ex}-{line}", f"{area}.{ex}.{line}"])


def e164(r: random.Random) -> str:
    area = r.choice(["212", "415", "312", "617", "206"])
    return f"+1{area}{r.randrange(2, 10)}{r.randrange(10**6):06d}"


def card(r: random.Random) -> str:
    prefix, length = r.choice([("4", 16), ("51", 16), ("55", 16), ("37", 15), ("6011", 16)])
    body = prefix + "".join(r.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def spaced_card(r: random.Random) -> str:
    number = card(r)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def nino(r: random.Random) -> str:
    a, b = r.choice("ABCEGHJKLMNPRSTWXYZ"), r.choice("ABCEGHJKLMNPRSTWXYZ")
    return f"{a}{b} {r.randrange(100):02d} {r.randrange(100):02d} {r.randrange(100):02d} {r.choice('ABCD')}"


def de_vat(r: random.Random) -> str:
    body = f"{r.randrange(1, 10)}{r.randrange(10**7):07d}"
    return f"DE{body}{mod_11_10.calc_check_digit(body)}"


def sort_code(r: random.Random) -> str:
    return f"{r.randrange(1, 100):02d}-{r.randrange(100):02d}-{r.randrange(100):02d}"


def birth(fmt: str, minimum: int = 18, maximum: int = 90) -> Gen:
    return lambda r: (
        _fake("en_US").date_of_birth(minimum_age=minimum, maximum_age=maximum).strftime(fmt)
    )


def recent(fmt: str = "%Y-%m-%d", days: int = 900) -> Gen:
    return lambda r: (TODAY - timedelta(days=r.randrange(days))).strftime(fmt)


def cardholder(r: random.Random) -> str:
    return f"{_fake('en_US').first_name()} {_fake('en_US').last_name()}".upper()


def last_first(r: random.Random) -> str:
    return f"{_fake('en_GB').last_name()}, {_fake('en_GB').first_name()}"


def uuid4(r: random.Random) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def de_street(r: random.Random) -> str:
    return _fake("de_DE").street_address()


def one_line_address(r: random.Random) -> str:
    return _fake("en_US").address().replace("\n", ", ")


def ipv4_public(r: random.Random) -> str:
    return _fake("en_US").ipv4_public()


def money(low: float, high: float) -> Gen:
    return lambda r: f"{r.uniform(low, high):.2f}"


SPECS: tuple[Spec, ...] = (
    # -- person names ----------------------------------------------------------------------
    Spec("customers", "given_name", "string", C.PERSON_NAME, fk("first_name", "fi_FI")),
    Spec("customers", "surname", "string", C.PERSON_NAME, fk("last_name", "pl_PL")),
    Spec("payroll", "employee_full_name", "string", C.PERSON_NAME, fk("name", "sv_SE")),
    Spec("cards", "cardholder_name", "string", C.PERSON_NAME, cardholder),
    Spec("kyc_checks", "beneficiary_name", "string", C.PERSON_NAME, fk("name", "cs_CZ")),
    Spec("accounts", "acct_holder_nm", "string", C.PERSON_NAME, last_first),
    Spec("loans", "borrower_name", "string", C.PERSON_NAME, dirty(fk("name", "fr_FR"))),
    # -- email -----------------------------------------------------------------------------
    Spec("customers", "email", "string", C.EMAIL_ADDRESS, fk("email")),
    Spec("vendors", "remittance_email", "string", C.EMAIL_ADDRESS, fk("company_email", "de_DE")),
    Spec("ar_invoices", "bill_to_email_addr", "string", C.EMAIL_ADDRESS, dirty(fk("free_email"))),
    Spec("web_sessions", "user_login", "string", C.EMAIL_ADDRESS, fk("email", "en_GB")),
    # -- phone -----------------------------------------------------------------------------
    Spec("customers", "phone_number", "string", C.PHONE_NUMBER, us_phone),
    Spec("vendors", "fax_no", "string", C.PHONE_NUMBER, us_phone),
    Spec("uk_customers", "mobile", "string", C.PHONE_NUMBER, fk("phone_number", "en_GB")),
    Spec("contacts", "tel_e164", "string", C.PHONE_NUMBER, e164),
    Spec("de_suppliers", "telefon", "string", C.PHONE_NUMBER, fk("phone_number", "de_DE")),
    # -- customer identifiers --------------------------------------------------------------
    Spec("ar_invoices", "customer_number", "string", C.CUSTOMER_IDENTIFIER, lambda r: f"CUST-{r.randrange(10**6):06d}"),
    Spec("orders", "client_id", "bigint", C.CUSTOMER_IDENTIFIER, digits(8, "4")),
    Spec("crm", "cif_no", "string", C.CUSTOMER_IDENTIFIER, digits(10)),
    Spec("payments", "payer_customer_id", "string", C.CUSTOMER_IDENTIFIER, uuid4),
    Spec("customers", "id", "bigint", C.CUSTOMER_IDENTIFIER, lambda r: str(r.randrange(1, 10**6))),
    # -- bank account numbers --------------------------------------------------------------
    Spec("vendors", "bank_account_no", "string", C.BANK_ACCOUNT_NUMBER, digits(10)),
    Spec("payroll", "checking_account", "string", C.BANK_ACCOUNT_NUMBER, digits(12)),
    Spec("ach_batches", "dda_number", "string", C.BANK_ACCOUNT_NUMBER, digits(9)),
    Spec("refunds", "acct_number", "string", C.BANK_ACCOUNT_NUMBER, digits(8)),
    # -- IBAN ------------------------------------------------------------------------------
    Spec("vendors", "iban", "string", C.IBAN, fk("iban", "de_DE")),
    Spec("sepa_payments", "debtor_iban", "string", C.IBAN, fk("iban", "fr_FR")),
    Spec("sepa_payments", "creditor_account", "string", C.IBAN, fk("iban", "nl_NL")),
    Spec("payouts", "payout_dest", "string", C.IBAN, dirty(fk("iban", "en_GB"), 0.2)),
    # -- bank routing codes ----------------------------------------------------------------
    Spec("vendors", "aba_routing", "string", C.BANK_ROUTING_CODE, fk("aba")),
    Spec("uk_vendors", "sort_code", "string", C.BANK_ROUTING_CODE, sort_code),
    Spec("swift_messages", "beneficiary_bic", "string", C.BANK_ROUTING_CODE, fk("swift")),
    Spec("ach_batches", "rtn", "string", C.BANK_ROUTING_CODE, fk("aba")),
    # -- payment cards ---------------------------------------------------------------------
    Spec("cards", "pan", "string", C.PAYMENT_CARD_NUMBER, card),
    Spec("payments", "credit_card_number", "string", C.PAYMENT_CARD_NUMBER, spaced_card),
    Spec("chargebacks", "card_no", "bigint", C.PAYMENT_CARD_NUMBER, card),
    Spec("raw_auths", "acct_ref", "string", C.PAYMENT_CARD_NUMBER, card),
    # -- national identifiers --------------------------------------------------------------
    Spec("employees", "ssn", "string", C.NATIONAL_IDENTIFIER, fk("ssn")),
    Spec("uk_staff", "ni_number", "string", C.NATIONAL_IDENTIFIER, nino),
    Spec("kyc_checks", "passport_number", "string", C.NATIONAL_IDENTIFIER, fk("passport_number")),
    Spec("kyc_checks", "social_security_no", "string", C.NATIONAL_IDENTIFIER, lambda r: _fake("en_US").ssn().replace("-", "")),
    # -- tax identifiers -------------------------------------------------------------------
    Spec("vendors", "tax_id", "string", C.TAX_IDENTIFIER, fk("ein")),
    Spec("eu_vendors", "vat_reg_no", "string", C.TAX_IDENTIFIER, de_vat),
    Spec("payees_1099", "tin", "string", C.TAX_IDENTIFIER, fk("itin")),
    Spec("vendors", "fein", "string", C.TAX_IDENTIFIER, lambda r: _fake("en_US").ein().replace("-", "")),
    # -- postal addresses ------------------------------------------------------------------
    Spec("customers", "street_address", "string", C.POSTAL_ADDRESS, fk("street_address")),
    Spec("vendors", "remit_to_address", "string", C.POSTAL_ADDRESS, one_line_address),
    Spec("customers", "postal_code", "string", C.POSTAL_ADDRESS, fk("zipcode")),
    Spec("uk_customers", "postcode", "string", C.POSTAL_ADDRESS, fk("postcode", "en_GB")),
    Spec("de_customers", "strasse", "string", C.POSTAL_ADDRESS, de_street, "Straße und Hausnummer"),
    # -- dates of birth --------------------------------------------------------------------
    Spec("customers", "date_of_birth", "date", C.DATE_OF_BIRTH, birth("%Y-%m-%d")),
    Spec("employees", "birthdate", "string", C.DATE_OF_BIRTH, birth("%m/%d/%Y")),
    Spec("kyc_checks", "dob", "string", C.DATE_OF_BIRTH, birth("%d %b %Y")),
    # -- IP addresses ----------------------------------------------------------------------
    Spec("web_sessions", "ip_addr", "string", C.IP_ADDRESS, ipv4_public),
    Spec("api_logs", "source_ip", "string", C.IP_ADDRESS, fk("ipv6")),
    Spec("logins", "remote_address", "string", C.IP_ADDRESS, fk("ipv4")),
    # -- not sensitive ---------------------------------------------------------------------
    Spec("ar_invoices", "invoice_id", "string", None, lambda r: f"INV-2026-{r.randrange(10**5):05d}"),
    Spec("ar_invoices", "invoice_date", "date", None, recent()),
    Spec("ar_invoices", "due_dt", "string", None, recent("%m/%d/%Y")),
    Spec("ar_invoices", "amount_due", "decimal(18,2)", None, money(10, 90000)),
    Spec("ar_invoices", "currency", "string", None, choice("USD", "EUR", "GBP")),
    Spec("ar_invoices", "status", "string", None, choice("OPEN", "PAID", "VOID")),
    Spec("ar_invoices", "line_description", "string", None, fk("sentence")),
    Spec("gl_postings", "gl_account", "string", None, lambda r: f"{r.randrange(1000, 9999)}-{r.randrange(100, 999)}"),
    Spec("gl_postings", "account_id", "string", None, lambda r: str(r.randrange(10000, 99999)), "general ledger account"),
    Spec("gl_postings", "cost_center", "string", None, digits(6)),
    Spec("gl_postings", "journal_id", "bigint", None, digits(9)),
    Spec("gl_postings", "posting_period", "string", None, lambda r: f"2026-{r.randrange(1, 13):02d}"),
    Spec("fx_rates", "exchange_rate", "double", None, lambda r: f"{r.uniform(0.5, 2):.6f}"),
    Spec("orders", "quantity", "int", None, lambda r: str(r.randrange(1, 500))),
    Spec("orders", "unit_price", "decimal(12,4)", None, money(0.5, 900)),
    Spec("orders", "order_number", "bigint", None, digits(16, "9")),
    Spec("orders", "transaction_id", "string", None, uuid4),
    Spec("products", "sku", "string", None, lambda r: f"SKU-{r.randrange(10**6):06d}"),
    Spec("products", "name", "string", None, fk("catch_phrase")),
    Spec("vendors", "vendor_name", "string", None, fk("company")),
    Spec("vendors", "vendor_category", "string", None, choice("IT", "Travel", "Facilities")),
    Spec("vendors", "country_code", "string", None, fk("country_code")),
    Spec("vendors", "city", "string", None, fk("city")),
    Spec("vendors", "state_code", "string", None, fk("state_abbr")),
    Spec("vendors", "created_at", "timestamp", None, lambda r: _fake("en_US").date_time_between(TODAY - timedelta(days=2000), TODAY).isoformat(sep=" ")),
    Spec("payments", "payment_method", "string", None, choice("CARD", "ACH", "WIRE", "CHECK")),
    Spec("payments", "card_brand", "string", None, choice("VISA", "MASTERCARD", "AMEX")),
    Spec("payments", "card_last_four", "string", None, digits(4)),
    Spec("payments", "batch_number", "bigint", None, digits(7)),
    Spec("payments", "check_number", "string", None, digits(6)),
    Spec("payments", "payment_reference", "string", None, lambda r: f"Invoice {r.randrange(10**5)} payment"),
    Spec("customers", "email_opt_in", "boolean", None, choice("true", "false")),
    Spec("customers", "email_bounce_count", "int", None, lambda r: str(r.randrange(5))),
    Spec("customers", "phone_verified", "boolean", None, choice("true", "false")),
    Spec("customers", "address_type", "string", None, choice("HOME", "WORK", "BILLING")),
    Spec("customers", "customer_segment", "string", None, choice("retail", "smb", "enterprise")),
    Spec("customers", "customer_since", "date", None, recent(days=5000)),
    Spec("web_sessions", "ip_country", "string", None, fk("country_code")),
    Spec("web_sessions", "user_agent", "string", None, fk("user_agent")),
    Spec("web_sessions", "http_status", "int", None, choice("200", "301", "404", "500")),
    Spec("web_sessions", "latency_ms", "int", None, lambda r: str(r.randrange(5, 3000))),
    Spec("web_sessions", "event_ts_us", "bigint", None, lambda r: str(1_790_000_000_000_000 + r.randrange(10**13))),
    Spec("integrations", "routing_key", "string", None, choice("ar.invoice.created", "ap.bill.paid")),
    Spec("integrations", "zip_file_name", "string", None, lambda r: f"export_{r.randrange(999)}.zip"),
    Spec("accounts", "account_type", "string", None, choice("checking", "savings")),
    Spec("accounts", "account_balance", "decimal(18,2)", None, money(-500, 10**6)),
    Spec("tax_lines", "tax_rate", "decimal(5,4)", None, choice("0.0700", "0.1900", "0.2000")),
    Spec("tax_lines", "tax_amount", "decimal(18,2)", None, money(0, 5000)),
    Spec("swift_messages", "message_type", "string", None, choice("MT103", "MT202", "MT940")),
    Spec("swift_messages", "iban_country", "string", None, choice("DE", "FR", "NL", "GB")),
    Spec("hosts", "hostname", "string", None, lambda r: f"ip-10-0-{r.randrange(256)}-{r.randrange(256)}.ec2.internal"),
    Spec("hosts", "subnet_cidr", "string", None, lambda r: f"10.{r.randrange(256)}.0.0/16"),
    Spec("ap_bills", "purchase_order", "string", None, lambda r: f"PO-{r.randrange(10**5):05d}"),
    Spec("ap_bills", "document_number", "string", None, digits(10, "51")),
    Spec("ap_bills", "fiscal_year", "int", None, choice("2024", "2025", "2026")),
    Spec("ap_bills", "notes", "string", None, lambda r: _fake("en_US").sentence() if r.random() > 0.05 else _fake("en_US").email()),
    Spec("ap_bills", "approver_role", "string", None, choice("AP Clerk", "Controller", "CFO")),
    Spec("hr_stats", "employee_count", "int", None, lambda r: str(r.randrange(1, 5000))),
    Spec("hr_stats", "birth_year_bucket", "string", None, choice("1960s", "1970s", "1980s", "1990s")),
)  # fmt: skip


def columns(n: int = 200, seed: int = 2026) -> list[Column]:
    """Every column of the corpus with ``n`` values (the same on every call)."""
    _FAKERS.clear()
    rng = random.Random(seed)
    by_table: dict[str, list[str]] = {}
    for spec in SPECS:
        by_table.setdefault(spec.table, []).append(spec.name)
    out: list[Column] = []
    for spec in SPECS:
        values: list[str | None] = [spec.gen(rng) for _ in range(n)]
        siblings = tuple(c for c in by_table[spec.table] if c != spec.name)
        out.append(
            Column(spec.table, spec.name, spec.type, spec.label, values, spec.comment, siblings)
        )
    return out
