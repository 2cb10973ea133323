"""Behaviours that columns of published open-data tables asked for (issue 18): names that do
not veto good values, values that do not erase a strong name, person names that need people,
values that speak alone when they are spread like the real thing, other languages and
locales, and stricter secondary detectors. Examples are written here, not taken from any
public benchmark."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TypedDict, Unpack

from faker import Faker
from stdnum import luhn

from classifier.engine import ColumnFacts, SensitivityClass, classify_column
from classifier.engine.names import tokenise

C = SensitivityClass
TODAY = date(2026, 11, 1)


class Facts(TypedDict, total=False):
    """What a test says about a column besides its name (see ColumnFacts)."""

    type: str
    comment: str
    table: str


def top(name: str, sample: list[str] | None = None, **facts: Unpack[Facts]) -> C | None:
    recs = classify_column(ColumnFacts(name=name, **facts), sample, today=TODAY)
    return recs[0].sensitivity_class if recs else None


def explanation(name: str, sample: list[str], **facts: Unpack[Facts]) -> str:
    return classify_column(ColumnFacts(name=name, **facts), sample, today=TODAY)[0].explanation


def fake(locale: str = "en_US", seed: int = 7) -> Faker:
    f = Faker(locale)
    f.seed_instance(seed)
    return f


# -- 1. a name's head word does not veto values of a class it is compatible with ---------------


def test_head_words_that_fit_the_class_do_not_cost_the_values_their_evidence() -> None:
    f = fake()
    first_names = [f.first_name() for _ in range(120)]
    assert top("name_first", first_names) is C.PERSON_NAME
    streets = [f.street_address() for _ in range(120)]
    assert top("Location", streets) is C.POSTAL_ADDRESS
    rng = random.Random(1)
    phones = [f"({rng.choice(['212', '415', '617'])}) {rng.randrange(200, 999)}-"
              f"{rng.randrange(10000):04d}" for _ in range(120)]  # fmt: skip
    assert top("Public Call-In Number", phones) is C.PHONE_NUMBER
    # a head that names something else still discounts values alone
    assert top("ship_date", [str(TODAY - timedelta(days=i)) for i in range(100)]) is None


# -- 2. values that do not validate do not erase a strong name --------------------------------


def test_test_and_masked_card_numbers_keep_a_card_name() -> None:
    values = ["4111111111111112", "4242424242424241", "1234567812345678", "4111XXXXXXXX1111",
              "5105XXXXXXXX5100", "************4444"] * 20  # fmt: skip
    assert top("credit card", values) is C.PAYMENT_CARD_NUMBER
    assert top("col_4", values) is None  # alone they are no card numbers


def test_free_form_and_masked_addresses_keep_an_address_name() -> None:
    values = ["3XX VILLA GRANDE AV S", "I-89 N", "12XX N MAIN ST", "HWY 71 W",
              "MAIN ST & 5TH AVE", "US-1 S"] * 20  # fmt: skip
    assert top("street_address", values) is C.POSTAL_ADDRESS
    assert top("col_4", values) is None


def test_middle_initials_are_person_names_under_their_name() -> None:
    initials = list("ABCDEFGHJKLMNPRSTW") * 6 + ["J.", "M."] * 5
    assert top("MI", initials) is C.PERSON_NAME
    assert top("middle_initial", initials) is C.PERSON_NAME
    assert top("col_9", initials) is None


# -- 3. person names need people --------------------------------------------------------------


def test_facilities_storms_species_languages_and_conditions_are_not_people() -> None:
    f = fake()
    facilities = [f"{f.city()} {k}" for k in ["WIC Clinic", "Public Library", "Fire Station",
                                               "Health Center"] for _ in range(30)]  # fmt: skip
    storms = [f"{p} {n}" for p in ("Hurricane", "Tropical Storm") for n in
              ("Dean", "Irene", "Katrina", "Sandy", "Maria", "Laura")] * 10  # fmt: skip
    storms += ["DEAN", "Irene", "Sandy"] * 20
    species = ["English Elm", "Red Maple", "London Plane", "Pin Oak", "Ginkgo"] * 25
    languages = ["English", "Español", "Vietnamese", "Tagalog", "Chinese", "Other"] * 20
    conditions = ["good", "fair", "poor", "Good", "Fair", "dead"] * 20
    for values in (facilities, storms, species, languages, conditions):
        assert top("name", values) is None, values[0]
        assert top("col_2", values) is None, values[0]
        assert top("nombre", values, table="establecimientos") is None, values[0]
    # a bare 'name' with first and last names in a table of people still is one
    people = [f.name() for _ in range(120)]
    assert top("name", people, table="patients") is C.PERSON_NAME
    assert top("col_2", people) is C.PERSON_NAME


def test_surname_columns_are_found_from_values_but_places_made_of_surnames_are_not() -> None:
    f = fake("es_ES")
    surnames = [f.last_name() for _ in range(150)]
    assert top("col_3", surnames) is C.PERSON_NAME
    places = [f"{f.last_name()} {s}" for s in ("del Norte", "de Abajo", "Verde")
              for _ in range(50)]  # fmt: skip
    assert top("col_3", places) is None


# -- 4. values alone, other languages and locales ---------------------------------------------


def test_bare_ssns_spread_over_areas_speak_alone_and_blocks_of_numbers_do_not() -> None:
    f = fake()
    ssns = [f.ssn().replace("-", "") for _ in range(150)]
    assert top("ref", ssns) is C.NATIONAL_IDENTIFIER
    invoices = [str(310_200_000 + 17 * i) for i in range(150)]  # valid as SSNs, one block
    assert top("ref", invoices) is None
    rng = random.Random(2)
    references = [str(rng.randrange(10**8, 10**9)) for _ in range(150)]  # 1 in 9 invalid
    assert top("col_5", references) is None


def test_phone_region_is_found_from_the_values() -> None:
    rng = random.Random(4)
    colombian = [f"3{rng.choice(['00', '10', '15', '20'])} {rng.randrange(1000):03d} "
                 f"{rng.randrange(10000):04d}" for _ in range(120)]  # fmt: skip
    recs = classify_column(ColumnFacts("celular"), colombian, today=TODAY)
    assert recs[0].sensitivity_class is C.PHONE_NUMBER
    assert "region CO" in recs[0].explanation or "region IT" in recs[0].explanation
    # IP networks and SSN-shaped values are no phone numbers in any region
    networks = [f"10.{rng.randrange(256)}.0.0/16" for _ in range(100)]
    assert top("col_6", networks) is None


def test_column_names_in_other_languages() -> None:
    cases = {
        "telefono": C.PHONE_NUMBER, "movil": C.PHONE_NUMBER, "Teléfono": C.PHONE_NUMBER,
        "correo_electronico": C.EMAIL_ADDRESS, "courriel": C.EMAIL_ADDRESS,
        "apellido": C.PERSON_NAME, "nachname": C.PERSON_NAME, "voornaam": C.PERSON_NAME,
        "direccion": C.POSTAL_ADDRESS, "anschrift": C.POSTAL_ADDRESS, "morada": C.POSTAL_ADDRESS,
        "fecha_de_nacimiento": C.DATE_OF_BIRTH, "geburtsdatum": C.DATE_OF_BIRTH,
        "codigo_postal": C.POSTAL_ADDRESS, "numero_cuenta": C.BANK_ACCOUNT_NUMBER,
        "kundennummer": C.CUSTOMER_IDENTIFIER, "id_cliente": C.CUSTOMER_IDENTIFIER,
        "numero_tarjeta": C.PAYMENT_CARD_NUMBER, "burgerservicenummer": C.NATIONAL_IDENTIFIER,
        "numero_tva": C.TAX_IDENTIFIER, "direccion_ip": C.IP_ADDRESS,
    }  # fmt: skip
    for name, cls in cases.items():
        assert top(name) is cls, name


def test_glued_names_with_one_unknown_word_are_split() -> None:
    assert tokenise("principaladdress") == ("principal", "address")
    assert tokenise("sturmname") == ("sturm", "name")
    assert tokenise("mainphone")[-1] == "phone"
    assert tokenise("hostname") == ("hostname",)  # a known word stays whole


def test_national_and_tax_identifiers_with_check_digits_speak_alone() -> None:
    br = fake("pt_BR")
    assert top("col_1", [br.cpf() for _ in range(100)]) is C.NATIONAL_IDENTIFIER
    assert top("col_1", [br.cnpj() for _ in range(100)]) is C.TAX_IDENTIFIER
    fr = fake("fr_FR")
    assert top("col_1", [fr.ssn() for _ in range(100)]) is C.NATIONAL_IDENTIFIER
    rng = random.Random(5)
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    dnis = [f"{n:08d}{letters[n % 23]}" for n in (rng.randrange(10**8) for _ in range(100))]
    assert top("col_1", dnis) is C.NATIONAL_IDENTIFIER


# -- 5. secondary detectors -------------------------------------------------------------------


def test_upper_case_words_are_no_bic_codes() -> None:
    words = ["PHARMACY", "PUTUMAYO", "RESIDENT", "HOSPITAL", "DELIVERED", "TRANSFER"] * 20
    assert top("col_8", words) is None
    assert top("type_code", words) is None


def test_issue_and_expiry_dates_spread_over_decades_are_no_births() -> None:
    rng = random.Random(6)
    issued = [(TODAY - timedelta(days=rng.randrange(0, 40 * 365))).strftime("%Y-%m-%d 00:00:00")
              for _ in range(150)]  # fmt: skip
    assert top("license_first_issue_date", issued) is None
    expiry = [(TODAY + timedelta(days=rng.randrange(-3000, 3000))).isoformat() for _ in range(150)]
    assert top("col_3", expiry) is None
    f = fake()
    births = [f.date_of_birth(minimum_age=18, maximum_age=90).isoformat() for _ in range(150)]
    assert top("col_3", births) is C.DATE_OF_BIRTH
    assert top("fecha_nacimiento", births) is C.DATE_OF_BIRTH


def test_yes_no_flags_are_never_the_class_their_name_mentions() -> None:
    for values in (
        ["Yes", "No"] * 50,
        ["Y", "N", "N"] * 30,
        ["Sí", "No"] * 40,
        ["ja", "nein"] * 40,
    ):
        assert top("ssn_provided", values) is None
        assert top("has_phone", values) is None
        assert top("email", values) is None


def test_luhn_valid_cards_are_found_under_any_name() -> None:
    rng = random.Random(8)
    cards = []
    for _ in range(100):
        body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
        cards.append(body + luhn.calc_check_digit(body))
    for name in ("x", "ref", "valor", "field_3"):
        assert top(name, cards) is C.PAYMENT_CARD_NUMBER


def test_a_customer_word_after_a_phrase_says_whose_it_is() -> None:
    rng = random.Random(9)
    postcodes = [f"{rng.randrange(1000, 9999)} {rng.choice(['AB', 'KL', 'XZ'])}" for _ in range(80)]
    assert top("postcode_klant", postcodes) is C.POSTAL_ADDRESS
    assert top("email_cliente") is C.EMAIL_ADDRESS
    assert top("telefoonnummer_klant") is C.PHONE_NUMBER
    # the customer word alone or first still names the customer
    assert top("id_cliente") is C.CUSTOMER_IDENTIFIER
    assert top("klantcode") is C.CUSTOMER_IDENTIFIER


def test_flag_names_in_other_languages_and_identity_cards_are_not_the_class() -> None:
    for name in ("tiene_telefono", "possui_cartao", "heeftTelefoon", "hat_email", "ssnProvided"):
        assert top(name) is None, name
    assert top("personalausweis_nr") is C.NATIONAL_IDENTIFIER
    assert top("cartao_cidadao") is C.NATIONAL_IDENTIFIER
