"""Evaluation on a labelled synthetic set of columns, with names visible and masked.

Run with ``-s`` to see the per-class table. Values come from a seeded Faker (person names
partly from a locale left out of the engine's name dictionary, to keep the test honest) and
from small generators for formats Faker does not make valid (phone numbers, NINOs, VAT).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from faker import Faker
from stdnum.iso7064 import mod_11_10

from classifier.engine import ColumnFacts, SensitivityClass, classify_column

C = SensitivityClass
TODAY = date(2025, 6, 1)
N = 200  # sampled values per column


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label: C | None
    values: Callable[[Faker, random.Random], str]
    table: str = "accounts"


def _us_phone(_: Faker, rng: random.Random) -> str:
    area = rng.choice(["212", "415", "312", "617", "206", "303", "512", "650", "305", "404"])
    number = f"{area}{rng.randrange(2, 10)}{rng.randrange(100):02d}{rng.randrange(10000):04d}"
    a, e, s = number[:3], number[3:6], number[6:]
    return rng.choice([f"({a}) {e}-{s}", f"{a}-{e}-{s}", f"+1 {a} {e} {s}", f"{a}.{e}.{s}"])


def _nino(_: Faker, rng: random.Random) -> str:
    first, second = rng.choice("ABCEGHJKLMNPRSTWXYZ"), rng.choice("ABCEGHJKLMNPRSTWXYZ")
    return f"{first}{second}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"


def _de_vat(_: Faker, rng: random.Random) -> str:
    body = f"{rng.randrange(1, 10)}{rng.randrange(10**7):07d}"
    return f"DE{body}{mod_11_10.calc_check_digit(body)}"


def _faker(method: str, locale_faker: Faker | None = None) -> Callable[[Faker, random.Random], str]:
    def make(fake: Faker, _: random.Random) -> str:
        return str(getattr(locale_faker or fake, method)())

    return make


_SV = Faker("sv_SE")  # not among the dictionary's locales
_SV.seed_instance(11)
_GB = Faker("en_GB")
_GB.seed_instance(12)
_DE = Faker("de_DE")
_DE.seed_instance(13)
_STATUSES = ["ACTIVE", "CLOSED", "PENDING", "FROZEN"]
_COUNTRIES = ["United States", "Germany", "France", "United Kingdom", "Japan", "Brazil"]
_CITIES = [
    "New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio",
    "San Diego", "Dallas", "Boston", "Seattle", "Denver", "Atlanta", "Miami", "Detroit",
    "Portland", "Baltimore", "Milwaukee", "Nashville", "Memphis", "Las Vegas", "Louisville",
]  # fmt: skip

COLUMNS: tuple[Column, ...] = (
    Column("first_name", "string", C.PERSON_NAME, _faker("first_name"), "customers"),
    Column("last_name", "string", C.PERSON_NAME, _faker("last_name", _GB), "customers"),
    Column("customer_full_name", "string", C.PERSON_NAME, _faker("name", _SV)),
    Column("contact_email", "string", C.EMAIL_ADDRESS, _faker("email")),
    Column("email_addr", "string", C.EMAIL_ADDRESS, _faker("company_email")),
    Column("mobile_no", "string", C.PHONE_NUMBER, _us_phone),
    Column("home_tel", "string", C.PHONE_NUMBER, _faker("phone_number", _GB), "uk_customers"),
    Column("cust_id", "string", C.CUSTOMER_IDENTIFIER, lambda f, r: f"C{r.randrange(10**7):07d}"),
    Column("client_ref", "string", C.CUSTOMER_IDENTIFIER, lambda f, r: str(uuid.UUID(int=r.getrandbits(128)))),
    Column("account_id", "bigint", C.CUSTOMER_IDENTIFIER, lambda f, r: str(r.randrange(10**5, 10**9))),
    Column("bank_acct_no", "string", C.BANK_ACCOUNT_NUMBER, lambda f, r: str(r.randrange(10**7, 10**12))),
    Column("beneficiary_account", "string", C.BANK_ACCOUNT_NUMBER, lambda f, r: f"{r.randrange(10**8):08d}"),
    Column("iban", "string", C.IBAN, _faker("iban")),
    Column("payee_iban", "string", C.IBAN, _faker("iban", _DE)),
    Column("routing_number", "string", C.BANK_ROUTING_CODE, _faker("aba")),
    Column("sort_code", "string", C.BANK_ROUTING_CODE, lambda f, r: f"{r.randrange(100):02d}-{r.randrange(100):02d}-{r.randrange(100):02d}"),
    Column("bic", "string", C.BANK_ROUTING_CODE, _faker("swift")),
    Column("card_number", "string", C.PAYMENT_CARD_NUMBER, _faker("credit_card_number")),
    Column("pan", "bigint", C.PAYMENT_CARD_NUMBER, lambda f, r: f.credit_card_number(r.choice(["visa16", "mastercard", "discover"]))),
    Column("ssn", "string", C.NATIONAL_IDENTIFIER, _faker("ssn")),
    Column("nino", "string", C.NATIONAL_IDENTIFIER, _nino),
    Column("ein", "string", C.TAX_IDENTIFIER, _faker("ein")),
    Column("vat_number", "string", C.TAX_IDENTIFIER, _de_vat),
    Column("billing_address", "string", C.POSTAL_ADDRESS, _faker("street_address")),
    Column("shipping_addr_line1", "string", C.POSTAL_ADDRESS, _faker("address")),
    Column("postcode", "string", C.POSTAL_ADDRESS, _faker("postcode", _GB)),
    Column("zip", "string", C.POSTAL_ADDRESS, _faker("zipcode")),
    Column("dob", "date", C.DATE_OF_BIRTH, lambda f, r: f.date_of_birth().isoformat()),
    Column("birth_dt", "string", C.DATE_OF_BIRTH, lambda f, r: f.date_of_birth(minimum_age=18).strftime("%m/%d/%Y")),
    Column("client_ip", "string", C.IP_ADDRESS, _faker("ipv4")),
    Column("last_login_ipv6", "string", C.IP_ADDRESS, _faker("ipv6")),
    # not sensitive
    Column("order_id", "bigint", None, lambda f, r: str(r.randrange(10**15, 10**16)), "orders"),
    Column("event_ts_us", "bigint", None, lambda f, r: str(1_700_000_000_000_000 + r.randrange(10**14))),
    Column("ship_date", "date", None, lambda f, r: f.date_between(TODAY - timedelta(days=700), TODAY).isoformat(), "orders"),
    Column("zip_file_count", "int", None, lambda f, r: str(r.randrange(50))),
    Column("email_sent_count", "int", None, lambda f, r: str(r.randrange(500))),
    Column("amount", "decimal(18,2)", None, lambda f, r: f"{r.uniform(0, 10000):.2f}"),
    Column("status", "string", None, lambda f, r: r.choice(_STATUSES)),
    Column("product_name", "string", None, _faker("catch_phrase"), "products"),
    Column("company_name", "string", None, _faker("company")),
    Column("city", "string", None, lambda f, r: r.choice(_CITIES)),
    Column("country", "string", None, lambda f, r: r.choice(_COUNTRIES)),
    Column("created_at", "timestamp", None, lambda f, r: f.date_time_between(TODAY - timedelta(days=3000), TODAY).isoformat(sep=" ")),
    Column("description", "string", None, _faker("sentence")),
    Column("sku", "string", None, lambda f, r: f"SKU-{r.randrange(10**5):05d}"),
    Column("is_active", "boolean", None, lambda f, r: r.choice(["true", "false"])),
    Column("app_version", "string", None, lambda f, r: f"{r.randrange(1, 4)}.{r.randrange(10)}.{r.randrange(20)}"),
    Column("currency_code", "string", None, _faker("currency_code")),
    Column("txn_reference", "string", None, lambda f, r: str(uuid.UUID(int=r.getrandbits(128)))),
    Column("quantity", "int", None, lambda f, r: str(r.randrange(1, 100))),
    # harder cases: dirty values, look-alike names
    Column("customer_nm", "string", C.PERSON_NAME, lambda f, r: f.name() if r.random() < 0.6 else r.choice(["", "NULL", "n/a"])),
    Column("notes", "string", None, lambda f, r: f.email() if r.random() < 0.1 else f.sentence()),
    Column("card_last4", "string", None, lambda f, r: f"{r.randrange(10**4):04d}"),
    Column("routing_key", "string", None, lambda f, r: r.choice(["orders.created", "orders.paid", "users.new"])),
    Column("account_balance", "decimal(18,2)", None, lambda f, r: f"{r.uniform(-500, 10**5):.2f}"),
    Column("ip_range", "string", None, lambda f, r: f"10.{r.randrange(256)}.0.0/16"),
    Column("user_agent", "string", None, _faker("user_agent")),
    Column("hostname", "string", None, lambda f, r: f"ip-10-0-{r.randrange(256)}-{r.randrange(256)}.ec2.internal"),
)  # fmt: skip

VALUE_DETECTABLE = frozenset(C) - {C.CUSTOMER_IDENTIFIER, C.BANK_ACCOUNT_NUMBER}
"""Classes whose values identify them; the others need a name that says whose data it is."""


@dataclass
class Result:
    label: C | None
    predicted: C | None


def _run(masked: bool) -> list[Result]:
    fake = Faker("en_US")
    fake.seed_instance(2024)
    rng = random.Random(2024)
    results: list[Result] = []
    for index, column in enumerate(COLUMNS, start=1):
        sample = [column.values(fake, rng) for _ in range(N)]
        facts = ColumnFacts(
            name=f"col_{index}" if masked else column.name,
            type=column.type,
            table="t" if masked else column.table,
            sibling_columns=() if masked else tuple(c.name for c in COLUMNS[:12]),
        )
        recs = classify_column(facts, sample, today=TODAY)
        results.append(Result(column.label, recs[0].sensitivity_class if recs else None))
    return results


def _scores(results: list[Result], classes: frozenset[C] = frozenset(C)) -> tuple[float, float]:
    """Micro precision and recall over ``classes``."""
    predicted = sum(1 for r in results if r.predicted is not None and r.predicted in classes)
    tp = sum(1 for r in results if r.predicted == r.label and r.label in classes)
    positives = sum(1 for r in results if r.label in classes)
    return (tp / predicted if predicted else 1.0), (tp / positives if positives else 1.0)


def _table(visible: list[Result], masked: list[Result]) -> str:
    lines = [f"{'class':<22} {'n':>2}  {'names P':>7} {'R':>5}  {'masked P':>8} {'R':>5}"]
    for cls in [*C, None]:
        cells = []
        for results in (visible, masked):
            tp = sum(1 for r in results if r.label == cls and r.predicted == cls)
            fp = sum(1 for r in results if r.predicted == cls and r.label != cls)
            fn = sum(1 for r in results if r.label == cls and r.predicted != cls)
            precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
            recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
            cells.append((precision, recall))
        n = sum(1 for c in COLUMNS if c.label == cls)
        name = cls.value if cls else "(not sensitive)"
        (vp, vr), (mp, mr) = cells
        lines.append(f"{name:<22} {n:>2}  {vp:>7} {vr:>5}  {mp:>8} {mr:>5}")
    for title, results in (("names visible", visible), ("names masked", masked)):
        p, r = _scores(results)
        dp, dr = _scores(results, VALUE_DETECTABLE)
        lines.append(
            f"{title}: precision {p:.2f} recall {r:.2f}; "
            f"value-detectable classes: precision {dp:.2f} recall {dr:.2f}"
        )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def results() -> tuple[list[Result], list[Result]]:
    return _run(masked=False), _run(masked=True)


def test_set_is_labelled_and_balanced() -> None:
    labels = [c.label for c in COLUMNS]
    assert len(COLUMNS) >= 40
    assert set(labels) == {*C, None}
    assert len({c.name for c in COLUMNS}) == len(COLUMNS)


def test_precision_and_recall_floors(results: tuple[list[Result], list[Result]]) -> None:
    visible, masked = results
    print("\n" + _table(visible, masked))
    p, r = _scores(visible)
    assert p >= 0.95 and r >= 0.95, (p, r)
    p, r = _scores(masked)
    assert p >= 0.95 and r >= 0.7, (p, r)
    p, r = _scores(masked, VALUE_DETECTABLE)
    assert p >= 0.95 and r >= 0.85, (p, r)


def test_no_false_positive_on_traps(results: tuple[list[Result], list[Result]]) -> None:
    for visible_or_masked in results:
        wrong = [
            COLUMNS[i].name
            for i, r in enumerate(visible_or_masked)
            if r.label is None and r.predicted is not None
        ]
        assert wrong == []
