"""Name lexicon: abbreviation expansions, class phrases and the words that cancel them.

A rule's weight is the confidence its phrase gives on its own (column name, no sample).
Phrases are matched on whole canonical tokens, never on substrings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from classifier.engine.classes import SensitivityClass as C


@dataclass(frozen=True, slots=True)
class Rule:
    cls: C
    phrase: tuple[str, ...]
    weight: float
    not_after: frozenset[str] = frozenset()
    """A phrase directly preceded by one of these tokens does not count (``company name``)."""
    not_before: frozenset[str] = frozenset()
    """Extra tokens that cancel the phrase when they follow it (besides ``NEGATORS``)."""
    allow_after: frozenset[str] = frozenset()
    """Tokens of ``NEGATORS`` that do not cancel this phrase (``birth date``)."""
    note: str | None = None
    """Caveat repeated in the explanation."""


def _fs(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _words_to(canon: str, words: str) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(words.split(), tuple(canon.split()))


FOREIGN_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # Spanish, French, German, Portuguese, Dutch (accents are folded before lookup)
        **_words_to("name", "nombre nombres nom noms nome nomes naam namen"),
        **_words_to(
            "first name",
            "prenom prenoms vorname vornamen rufname prenome voornaam voornamen roepnaam",
        ),
        **_words_to(
            "last name",
            "apellido apellidos nachname zuname familienname sobrenome apelido achternaam "
            "familienaam geslachtsnaam patronimico",
        ),
        **_words_to("full", "completo complet completa vollstaendiger vollstandiger volledige"),
        **_words_to("first", "primer primero premier erster primeiro eerste"),
        **_words_to("second", "segundo second zweiter segunda tweede"),
        **_words_to("middle", "meio medio milieu mitte midden"),
        **_words_to("family", "famille familia familie"),
        **_words_to("holder", "titular titulaire inhaber houder"),
        "kontoinhaber": ("account", "holder"),
        "rekeninghouder": ("account", "holder"),
        **_words_to("contact person", "ansprechpartner contactpersoon"),
        **_words_to("person", "persona personne personen pessoa persoon"),
        **_words_to("beneficiary", "beneficiario beneficiaire begunstigde beguenstigter"),
        **_words_to("email", "correo courriel mel correio"),
        **_words_to("electronic", "electronico electronique eletronico elektronisch"),
        **_words_to("phone", "telefono telefone telephone telefoon fono rufnummer"),
        **_words_to("mobile", "movil celular portable handy mobiel telemovel cel gsm"),
        **_words_to(
            "address",
            "direccion domicilio adresse anschrift endereco morada adres domicile wohnadresse "
            "woonadres",
        ),
        **_words_to("street", "calle rue strasse logradouro straat"),
        **_words_to("house number", "hausnummer huisnummer"),
        **_words_to("postal code", "cep postleitzahl codepostal codigopostal cp"),
        "postadres": ("postal", "address"),
        **_words_to("code", "codigo cod codice"),
        **_words_to("date", "fecha datum"),
        **_words_to("contact", "contacto kontakt contato"),
        **_words_to("birth", "nacimiento naissance nascimento geburt geburts geboorte"),
        **_words_to("birth date", "geburtsdatum geboortedatum geburtstag"),
        **_words_to("born", "geboren nacido nascido"),
        **_words_to("number", "numero nummer nro nr num numro"),
        **_words_to("customer", "cliente clientes kunde kunden klant klanten"),
        **_words_to("account", "cuenta compte konto conta rekening"),
        **_words_to("bank", "bancaria bancario bancaire bancaria bancario bank banco banque"),
        **_words_to("checking", "corrente courant"),
        **_words_to("card", "tarjeta carte karte karten cartao kaart"),
        **_words_to("credit", "credito kredit"),
        "kreditkarte": ("credit", "card"),
        "creditcard": ("credit", "card"),
        **_words_to("national id", "dni cedula curp nir bsn burgerservicenummer sofinummer cpf"),
        **_words_to("identity", "identidad identite identitaet identidade identiteit"),
        **_words_to("citizen", "cidadao ciudadano citoyen burger buerger"),
        **_words_to("civil", "civil"),
        **_words_to("document", "documento document dokument"),
        **_words_to("identification", "identificacion identificacao identifikation"),
        **_words_to("identity card", "ausweis personalausweis"),
        **_words_to("passport", "pasaporte passeport reisepass passaporte paspoort"),
        **_words_to("social security", "secu insee"),
        **_words_to("social", "sociale sociale"),
        **_words_to("security", "securite seguridad"),
        **_words_to("tax id", "nif nit rfc cnpj nipc siren siret steuernummer steuerid"),
        **_words_to("vat", "tva iva btw ust umsatzsteuer mwst"),
        **_words_to("taxpayer", "contribuinte contribuyente"),
        **_words_to("ip", "ip"),
        **_words_to("", "de del la las los le les du des da do dos das van der den von y et und"),
    }
)
"""Words of other languages, mapped to the English tokens the phrases use."""

ABBREVIATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **dict.fromkeys(("cust", "cst", "custmr", "cus"), ("customer",)),
        **dict.fromkeys(("clnt", "clt"), ("client",)),
        **dict.fromkeys(("nm", "nme"), ("name",)),
        **dict.fromkeys(("acct", "acc", "accnt", "acnt", "accno"), ("account",)),
        **dict.fromkeys(("no", "num", "nbr", "nr", "nmbr", "numb", "nro"), ("number",)),
        "bnk": ("bank",),
        **dict.fromkeys(("dob", "dtofbirth"), ("date", "of", "birth")),
        **dict.fromkeys(("birthdate", "bdate", "birthday", "bday"), ("birth", "date")),
        **dict.fromkeys(("dt", "dte"), ("date",)),
        **dict.fromkeys(("addr", "adr", "adrs", "addrs", "adress", "addres"), ("address",)),
        **dict.fromkeys(
            ("ph", "tel", "telephone", "phn", "phon", "fone", "telefon", "telefono", "telefone"),
            ("phone",),
        ),
        "telno": ("phone", "number"),
        **dict.fromkeys(("mob", "mobil"), ("mobile",)),
        "cellphone": ("cell", "phone"),
        "cardholder": ("card", "holder"),
        "fname": ("first", "name"),
        **dict.fromkeys(("lname", "sname", "surname"), ("last", "name")),
        "mname": ("middle", "name"),
        **dict.fromkeys(("forename", "givenname"), ("first", "name")),
        "familyname": ("last", "name"),
        "fullname": ("full", "name"),
        "rtn": ("routing", "number"),
        "sortcode": ("sort", "code"),
        "ccn": ("card", "number"),
        **dict.fromkeys(("postcode", "zipcode", "postalcode", "zip", "plz"), ("postal", "code")),
        **dict.fromkeys(("ident", "identifier"), ("id",)),
        **dict.fromkeys(("ref", "refno"), ("reference",)),
        "natl": ("national",),
        "emailaddress": ("email", "address"),
        "ipaddress": ("ip", "address"),
        "ssno": ("ssn",),
        "socsec": ("social", "security"),
        "taxid": ("tax", "id"),
        "ts": ("timestamp",),
        "cnt": ("count",),
        "amt": ("amount",),
        "qty": ("quantity",),
        "mi": ("middle", "initial"),
        **dict.fromkeys(("init", "inits", "initiale", "inicial", "initiaal"), ("initial",)),
        **FOREIGN_WORDS,
    }
)
"""Abbreviation, glued word or word of another language -> canonical tokens (an empty
expansion drops the word)."""

NEGATORS = _fs(
    """
    count total sum quantity flag ind indicator yn bool enabled disabled active opt optin optout
    consent pref preference permission allowed subscribed unsubscribed bounce bounced sent opened
    clicked delivered verified verification validated valid invalid confirmed confirmation status
    type kind category class format template domain provider server length len size pct percent
    percentage rate ratio score rank amount balance fee price cost limit date time timestamp at on
    updated created changed modified expiry exp expiration expires issued hash hashed md5 sha sha1
    sha256 digest token tokenized tokenised masked mask last4 bin iin brand network issuer scheme
    country city region geo location lat lon latitude longitude range subnet block version ver app
    device os browser agent file files archive folder path dir url link uri level source reason
    error message msg desc description comment note notes subject body attempt attempts retry
    code name holder prefix suffix extension ext cvv cvc cvv2 pin last first provided supplied
    """
)
"""Tokens that, following a phrase, show the column describes something else
(``email_sent_count``, ``zip_file_count``, ``card_type``)."""

ID_LIKE = _fs("id key fk pk uuid guid sk")
"""Following a phrase these make it a surrogate key (``address_id``), except for identifiers."""

NEUTRAL = _fs(
    """
    line primary secondary main alt alternate other home work personal business office mobile
    cell raw orig original full value val txt text str string clean cleaned norm normalized
    normalised formatted fmt std standard current curr new old prev previous latest plain clear
    cleartext e164 intl international national local number list data info details field col
    column encrypted enc billing shipping mailing residential permanent postal contact electronic
    fijo fixe vast festnetz usuel usual usage preferred preferido principal residencia residence
    residencial residentiel
    """
)
"""Tokens that may follow a phrase without weakening it (``address_line_1``)."""

LEADING_NEGATORS = _fs(
    "is has hashed hash masked mask tokenized tokenised token md5 sha sha1 sha256 "
    "tiene tienen tem possui heeft hat ist es a"
)
"""Words before a phrase that make the column a flag or a digest of it (``has_phone``,
``tiene_telefono``, ``heeft_telefoon``, ``possui_cartao``)."""
COUNT_PREFIXES = _fs(
    "num no nbr n number count cnt total qty pct percent avg min max sum distinct unique"
)
"""A name starting with one of these counts things (``num_emails``, ``n_accounts``)."""

NON_PERSON_QUALIFIERS = _fs(
    """
    company business firm org organisation organization corp corporate bank branch product item
    file table column col field db database schema host hostname domain server user login screen
    nick merchant vendor supplier store shop brand city town country state region province county
    street building place site location venue category event campaign job role group team dept
    department project app application service device model plan tier attribute key type status
    tag label entity legal trade fund security instrument portfolio asset currency ledger metric
    report template class course program package module function method variable param parameter
    bucket queue topic stream cluster zone network channel source target sheet tab document doc
    image sku menu option feature rule policy permission tenant workspace unit display short
    long code cost center profit carrier airline hotel partner provider issuer employer payer
    """
)
_ADDRESS_NOT_AFTER = _fs(
    "email mail ip ipv4 ipv6 mac web remote wallet memory url server host internet network "
    "bitcoin crypto contract hardware e mac ethernet"
)
_PERSON_ALLOW = _fs("name first last middle full given family")
_DOB_ALLOW = _fs("date time timestamp on")
_CARD_NOT = _fs("last first type brand product program limit report id citizen identity")
_ACCOUNT_NOT = _fs("type name holder open opened closed manager officer branch balance")
_NOT_PAYMENT_CARDS = _fs("identity citizen sim gift loyalty library membership id")
"""Cards that are no payment cards (``identity card number``, ``sim card number``)."""
_OWNED_THINGS = _fs(
    "name first last full code postal post zip sort address street phone mobile email mail "
    "birth date number card account iban tax vat id identity document ip house passport national"
)
"""Words of other classes' phrases: a customer word after them says whose it is."""
_LEDGER_NOTE = (
    "an account identifier may also be a general-ledger account rather than a customer account"
)


Entry = tuple[str, float] | tuple[str, float, dict[str, Any]]
"""A phrase, its weight and, where it has its own, options of :func:`_r`."""


def _r(
    cls: C,
    phrase: str,
    weight: float,
    *,
    not_after: frozenset[str] = frozenset(),
    not_before: frozenset[str] = frozenset(),
    allow_after: frozenset[str] = frozenset(),
    note: str | None = None,
) -> Rule:
    return Rule(cls, tuple(phrase.split()), weight, not_after, not_before, allow_after, note)


def _rules(cls: C, *entries: Entry, **options: Any) -> tuple[Rule, ...]:
    """The rules of one class: `options` apply to every entry, an entry's own override them."""
    return tuple(
        _r(cls, phrase, weight, **(options | (own[0] if own else {})))
        for phrase, weight, *own in entries
    )


RULES: tuple[Rule, ...] = (
    *_rules(
        C.PERSON_NAME,
        ("first name", 0.75),
        ("last name", 0.75),
        ("middle name", 0.7),
        ("full name", 0.7),
        ("given name", 0.7),
        ("family name", 0.7),
        ("maiden name", 0.7),
        ("person name", 0.75),
        ("customer name", 0.7),
        ("client name", 0.7),
        ("holder name", 0.7),
        ("account holder", 0.6),
        ("card holder", 0.65),
        ("contact name", 0.65),
        ("employee name", 0.7),
        ("beneficiary name", 0.65),
        ("payee name", 0.55),
        ("owner name", 0.6),
        ("patient name", 0.7),
        ("member name", 0.65),
        ("applicant name", 0.7),
        ("borrower name", 0.7),
        ("spouse name", 0.7),
        ("display name", 0.5),
        ("legal name", 0.55),
        ("name full", 0.7),
        ("name first", 0.75),
        ("name last", 0.75),
        ("name customer", 0.7),
        ("name family", 0.75),
        ("initial middle", 0.7),
        ("second name", 0.65),
        ("contact person", 0.65),
        ("holder", 0.55),
        ("beneficiary", 0.55),
        ("middle initial", 0.7),
        ("initial", 0.5, {"allow_after": _PERSON_ALLOW | _fs("middle")}),
        ("name", 0.45, {"not_after": NON_PERSON_QUALIFIERS}),
        allow_after=_PERSON_ALLOW,
    ),
    *_rules(
        C.EMAIL_ADDRESS,
        ("email", 0.7),
        ("e mail", 0.7),
        ("email address", 0.75),
        ("mail", 0.55, {"not_after": _fs("voice snail postal"), "not_before": _fs("stop")}),
        ("address email", 0.75),
    ),
    *_rules(
        C.PHONE_NUMBER,
        ("phone", 0.7),
        ("phone number", 0.75),
        ("mobile", 0.55),
        ("mobile number", 0.7),
        ("mobile phone", 0.7),
        ("cell phone", 0.7),
        ("cell number", 0.65),
        ("fax", 0.6),
        ("msisdn", 0.75),
        ("contact number", 0.6),
        ("number phone", 0.75),
        ("number mobile", 0.7),
        ("call in number", 0.65),
    ),
    *_rules(
        C.CUSTOMER_IDENTIFIER,
        ("customer id", 0.7),
        ("customer number", 0.7),
        ("customer reference", 0.65),
        ("customer key", 0.6),
        ("customer code", 0.6),
        ("customer uuid", 0.65),
        ("customer guid", 0.65),
        ("client id", 0.65),
        ("client number", 0.65),
        ("client reference", 0.6),
        ("client code", 0.55),
        ("member id", 0.6),
        ("member number", 0.6),
        ("party id", 0.55),
        ("cif", 0.65),
        ("cif number", 0.7),
        not_before=_ACCOUNT_NOT,
    ),
    # Romance and Dutch order: ``id_cliente``, ``numero_cliente``, ``klantcode``
    *_rules(
        C.CUSTOMER_IDENTIFIER,
        ("id customer", 0.65),
        ("number customer", 0.65),
        ("code customer", 0.6),
        ("reference customer", 0.6),
        ("id client", 0.65),
        ("number client", 0.65),
        ("code client", 0.6),
        ("reference client", 0.6),
        # a bare customer word names the customer, unless it follows what it qualifies
        # ("postcode klant", "email cliente": the customer's postcode, the client's email)
        ("customer", 0.5),
        ("client", 0.45),
        not_before=_ACCOUNT_NOT,
        not_after=_OWNED_THINGS,
    ),
    *_rules(
        C.CUSTOMER_IDENTIFIER,
        ("account id", 0.6),
        ("account key", 0.55),
        ("account reference", 0.55),
        not_before=_ACCOUNT_NOT,
        note=_LEDGER_NOTE,
    ),
    *_rules(
        C.BANK_ACCOUNT_NUMBER,
        ("bank account", 0.75),
        ("bank account number", 0.8),
        ("account number", 0.65, {"note": _LEDGER_NOTE}),
        not_before=_ACCOUNT_NOT,
    ),
    *_rules(
        C.BANK_ACCOUNT_NUMBER,
        ("bban", 0.75),
        ("dda number", 0.65),
    ),
    *_rules(
        C.BANK_ACCOUNT_NUMBER,
        ("account bank", 0.75),
        ("number account", 0.65),
        ("account checking", 0.65),
        ("checking account", 0.65),
        ("savings account", 0.65),
        ("beneficiary account", 0.65),
        ("debtor account", 0.65),
        ("creditor account", 0.65),
        ("deposit account", 0.65),
        ("payee account", 0.65),
        not_before=_ACCOUNT_NOT,
    ),
    *_rules(
        C.IBAN,
        ("iban", 0.8),
        ("international bank account number", 0.8),
    ),
    *_rules(
        C.BANK_ROUTING_CODE,
        ("routing number", 0.75),
        ("routing", 0.55),
        ("routing transit", 0.75),
        ("aba", 0.7),
        ("sort code", 0.75, {"allow_after": _fs("code")}),
        ("bank code", 0.6, {"allow_after": _fs("code")}),
        ("bic", 0.7),
        ("swift", 0.65),
        ("swift code", 0.7, {"allow_after": _fs("code")}),
        ("bsb", 0.65),
        ("ifsc", 0.65),
        ("transit number", 0.6),
    ),
    *_rules(
        C.PAYMENT_CARD_NUMBER,
        ("card number", 0.75),
        ("credit card", 0.75),
        ("credit card number", 0.8),
        ("debit card", 0.7),
        ("cc number", 0.7),
        ("pan", 0.6),
        ("primary account number", 0.75),
        ("payment card", 0.7),
        ("card credit", 0.75),
        ("number card", 0.75),
        ("card bank", 0.7),
        (
            "card",
            0.5,
            {
                "not_after": _fs(
                    "report score id sim gift loyalty library business key wild flash graphics identity citizen video sd memory network rate"
                )
            },
        ),
        not_before=_CARD_NOT,
        not_after=_NOT_PAYMENT_CARDS,
    ),
    *_rules(
        C.PAYMENT_CARD_NUMBER,
        ("cc", 0.45),
        not_before=_CARD_NOT | _fs("email address"),
    ),
    *_rules(
        C.NATIONAL_IDENTIFIER,
        ("ssn", 0.8),
        ("social security", 0.75),
        ("social security number", 0.8),
        ("soc sec", 0.7),
        ("social sec", 0.7),
        ("social insurance number", 0.75),
        ("national id", 0.75),
        ("national identity", 0.75),
        ("national insurance", 0.7),
        ("national insurance number", 0.75),
        ("nino", 0.75),
        ("ni number", 0.6),
        ("passport", 0.6),
        ("passport number", 0.7),
        ("passport id", 0.7),
        ("driver license", 0.6),
        ("drivers license", 0.6),
        ("driving licence", 0.6),
        ("aadhaar", 0.75),
        ("nric", 0.7),
        ("personnummer", 0.75),
        ("identity document", 0.7),
        ("document identity", 0.7),
        ("identity card", 0.7),
        ("card citizen", 0.7),
        ("citizen card", 0.7),
        ("identification civil", 0.65),
        ("identity number", 0.7),
        ("number document", 0.6),
        ("number security social", 0.8),
        ("number passport", 0.7),
    ),
    *_rules(
        C.TAX_IDENTIFIER,
        ("tin", 0.7),
        ("ein", 0.75),
        ("fein", 0.75),
        ("itin", 0.75),
        ("tax id", 0.75),
        ("tax number", 0.7),
        ("tax identification number", 0.8),
        ("taxpayer id", 0.75),
        ("taxpayer number", 0.75),
        ("tax reference", 0.65),
        ("tax registration", 0.7),
        ("employer identification number", 0.8),
        ("vat", 0.6, {"not_before": _fs("exempt included inclusive treatment group")}),
        ("vat number", 0.75),
        ("vat id", 0.75),
        ("vat registration", 0.7),
        ("vatin", 0.75),
        ("utr", 0.65),
        ("gstin", 0.7),
        ("number vat", 0.75),
        ("taxpayer", 0.6),
        ("number taxpayer", 0.7),
    ),
    *_rules(
        C.POSTAL_ADDRESS,
        ("address", 0.7),
        not_after=_ADDRESS_NOT_AFTER,
        not_before=_fs("ip ipv4 ipv6 mac email mail web url"),
    ),
    *_rules(
        C.POSTAL_ADDRESS,
        ("address line", 0.75),
        ("street", 0.65),
        ("street address", 0.75),
        ("street name", 0.6, {"allow_after": _fs("name")}),
        ("postal address", 0.75),
        ("mailing address", 0.75),
        ("postal code", 0.6, {"allow_after": _fs("code")}),
        ("post code", 0.6, {"allow_after": _fs("code")}),
        ("po box", 0.7),
        ("house number", 0.6),
        ("code postal", 0.6),
        ("street house number", 0.75),
        ("address postal", 0.75),
    ),
    *_rules(
        C.DATE_OF_BIRTH,
        ("date of birth", 0.8),
        ("birth date", 0.8),
        (
            "birth",
            0.55,
            {
                "not_after": _fs("of place country city"),
                "not_before": _fs("place country city weight rank order"),
            },
        ),
        ("born", 0.5),
        ("date birth", 0.8),
        ("data birth", 0.8),
        allow_after=_DOB_ALLOW,
    ),
    *_rules(
        C.IP_ADDRESS,
        ("ip", 0.75),
        ("ip address", 0.8),
        ("ipv4", 0.8),
        ("ipv6", 0.8),
        ("ipv4 address", 0.8),
        ("ipv6 address", 0.8),
        ("remote address", 0.6),
        ("address ip", 0.8),
    ),
)

HEAD_COMPATIBLE: Mapping[C, frozenset[str]] = MappingProxyType(
    {
        C.PERSON_NAME: _fs("name first last holder initial"),
        C.EMAIL_ADDRESS: _fs("contact"),
        C.PHONE_NUMBER: _fs("number line contact"),
        C.CUSTOMER_IDENTIFIER: _fs("id key number code reference"),
        C.BANK_ACCOUNT_NUMBER: _fs("number reference"),
        C.IBAN: _fs("number reference code"),
        C.BANK_ROUTING_CODE: _fs("code number"),
        C.PAYMENT_CARD_NUMBER: _fs("number reference"),
        C.NATIONAL_IDENTIFIER: _fs("number id code reference"),
        C.TAX_IDENTIFIER: _fs("number id code reference"),
        C.POSTAL_ADDRESS: _fs("location code"),
        C.DATE_OF_BIRTH: frozenset(),
        C.IP_ADDRESS: _fs("source"),
    }
)
"""Head words of a column name that say what the column is without contradicting the class:
``name_first`` may hold first names, ``Location`` street lines, ``Public Call-In Number``
phone numbers. Other heads from ``NEGATORS`` discount values-only evidence."""

PERSON_ENTITIES = _fs(
    """
    customer client person people user employee staff contact member patient student holder party
    individual applicant borrower beneficiary payee cardholder owner subscriber guest passenger
    driver spouse emp
    """
)
"""Table-name words that make a bare ``name`` column a person's name."""

LEDGER_WORDS = _fs("gl ledger journal posting postings coa subledger accounting chart trial")

REGION_HINTS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("uk", "gb", "gbr", "britain", "british", "england"), "GB"),
        **dict.fromkeys(("ie", "irl", "ireland", "irish"), "IE"),
        **dict.fromkeys(("germany", "german", "deu"), "DE"),
        **dict.fromkeys(("france", "french", "fra"), "FR"),
        **dict.fromkeys(("nl", "netherlands", "dutch"), "NL"),
        **dict.fromkeys(("au", "aus", "australia", "australian"), "AU"),
        **dict.fromkeys(("nz", "zealand"), "NZ"),
        **dict.fromkeys(("canada", "canadian"), "CA"),
        **dict.fromkeys(("mx", "mexico", "mexican"), "MX"),
        **dict.fromkeys(("br", "brazil", "brazilian"), "BR"),
        **dict.fromkeys(("india", "indian"), "IN"),
        **dict.fromkeys(("spain", "spanish", "esp"), "ES"),
        **dict.fromkeys(("italy", "italian", "ita"), "IT"),
        **dict.fromkeys(("us", "usa", "american"), "US"),
    }
)
"""Context words that change the default region used to parse phone numbers."""

KEEP_WHOLE = _fs("ipv4 ipv6 e164 last4 sha1 sha256 cvv2 md5")
"""Tokens mixing letters and digits that are not split."""

SEGMENT_SHORT_PIECES = _fs("no id ip nm dt cc of ph nr")
"""Two-letter pieces allowed when splitting glued words such as ``custid`` or ``acctno``."""
