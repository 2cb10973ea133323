"""A labelled corpus of columns that look like real open-data and business tables.

Unlike ``corpus.py`` (finance columns written the way the engine expects), this corpus is
built to look like what producers actually publish: tables in several locales (en_US, en_GB,
es_ES, es_CO, es_MX, fr_FR, de_DE, pt_BR, pt_PT, nl_NL), column names in the local language
and in every naming habit (snake, camel, glued, upper case, spaced titles, abbreviations),
messy values (nulls and placeholders, masked digits, test card numbers, upper-cased names,
middle initials, free-form and highway addresses, mixed date formats) and look-alike negatives
(facility, storm, species, language and product names; order, invoice and reference numbers;
issue, expiry and event dates; yes/no flags; codes in capitals).

Values come from Faker's locale providers (MIT licence) and python-stdnum (check digits),
through small generators of the messy forms. Everything is seeded: ``columns(split, n)``
returns the same columns on every call.

Two splits: ``dev`` (tune on it) and ``heldout`` (report only). They are generated from
disjoint seeds, and each concept's name variants are dealt alternately to the two splits, so
the held-out split also has column names the dev split never shows.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import phonenumbers
from faker import Faker
from stdnum import luhn, vatin
from stdnum.co import nit as co_nit
from stdnum.es import dni
from stdnum.iso7064 import mod_11_10
from stdnum.pt import cc as pt_cc
from stdnum.us import rtn

from classifier.engine import SensitivityClass

C = SensitivityClass
TODAY = date(2026, 11, 1)
SPLITS = ("dev", "heldout")

LOCALES = (
    "en_US", "en_GB", "es_ES", "es_CO", "es_MX", "fr_FR", "de_DE", "pt_BR", "pt_PT", "nl_NL",
)  # fmt: skip
LANG = {loc: loc.split("_")[0] for loc in LOCALES}


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    type: str
    label: C | None
    values: list[str | None]
    locale: str
    comment: str | None = None
    siblings: tuple[str, ...] = ()
    checksum: bool = False
    """Values carry a checksum or validation rules (IBAN, card, ABA, US SSN) that decide
    whatever the column is called."""


@dataclass
class Ctx:
    rng: random.Random
    fake: Faker
    locale: str
    pools: dict[str, list[str]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return LANG[self.locale]


Gen = Callable[[Ctx], str]


# -- naming habits --------------------------------------------------------------------------


def style(words: Sequence[str], rng: random.Random) -> str:
    """One of the naming habits seen in published tables."""
    habit = rng.choice(["snake", "snake", "snake", "camel", "pascal", "glued", "upper", "title"])
    if habit == "snake":
        return "_".join(words)
    if habit == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    if habit == "pascal":
        return "".join(w.capitalize() for w in words)
    if habit == "glued":
        return "".join(words)
    if habit == "upper":
        return "_".join(words).upper()
    return " ".join(w.capitalize() for w in words)


# Concept -> language -> name variants (words separated by spaces). Variants are dealt
# alternately to the dev and held-out splits.
NAMES: dict[str, dict[str, list[str]]] = {
    "first_name": {
        "en": ["first name", "given name", "name first", "fname", "firstname", "forename"],
        "es": ["nombre", "nombres", "primer nombre", "nombre pila"],
        "fr": ["prenom", "prénom", "prenom usuel", "prenoms"],
        "de": ["vorname", "vornamen", "rufname", "vorname person"],
        "pt": ["nome", "primeiro nome", "prenome", "nome proprio"],
        "nl": ["voornaam", "voornamen", "roepnaam", "voorletters naam"],
    },
    "last_name": {
        "en": ["last name", "surname", "name last", "lname", "family name", "lastname"],
        "es": ["apellido", "apellidos", "primer apellido", "segundo apellido"],
        "fr": ["nom", "nom famille", "nom de famille", "nom usage"],
        "de": ["nachname", "familienname", "name", "zuname"],
        "pt": ["sobrenome", "apelido", "ultimo nome", "nome familia"],
        "nl": ["achternaam", "familienaam", "geslachtsnaam", "achter naam"],
    },
    "full_name": {
        "en": [
            "full name",
            "customer name",
            "contact name",
            "patient name",
            "owner name",
            "employee name",
            "applicant",
            "contact person",
            "name",
        ],
        "es": [
            "nombre completo",
            "nombre cliente",
            "razon contacto",
            "nombre paciente",
            "titular",
            "nombre y apellidos",
            "beneficiario",
        ],
        "fr": [
            "nom complet",
            "nom client",
            "nom prenom",
            "titulaire",
            "nom du contact",
            "beneficiaire",
        ],
        "de": [
            "vollstaendiger name",
            "kundenname",
            "ansprechpartner",
            "name kunde",
            "kontoinhaber",
            "inhaber",
        ],
        "pt": [
            "nome completo",
            "nome cliente",
            "titular",
            "nome do paciente",
            "responsavel",
            "beneficiario",
        ],
        "nl": [
            "volledige naam",
            "klantnaam",
            "contactpersoon",
            "naam klant",
            "rekeninghouder",
            "naam",
        ],
    },
    "middle_initial": {
        "en": ["mi", "middle initial", "mid init", "middle"],
        "es": ["inicial segundo nombre", "segundo nombre inicial"],
        "fr": ["initiale", "initiale second prenom"],
        "de": ["initiale", "mittelinitiale"],
        "pt": ["inicial meio", "inicial nome meio"],
        "nl": ["tussenletter", "initiaal"],
    },
    "email": {
        "en": ["email", "e mail", "email address", "contact email", "emailaddr", "mail"],
        "es": ["correo", "correo electronico", "email contacto", "e mail", "mail cliente"],
        "fr": ["courriel", "adresse mail", "email", "mel", "adresse electronique"],
        "de": ["email", "e mail adresse", "mail", "emailadresse", "kontakt email"],
        "pt": ["email", "correio eletronico", "e mail", "endereco email"],
        "nl": ["email", "e mailadres", "emailadres", "mail"],
    },
    "phone": {
        "en": [
            "phone",
            "phone number",
            "telephone",
            "public call in number",
            "contact phone",
            "mobile",
            "cell",
            "tel no",
            "home phone",
            "fax",
        ],
        "es": [
            "telefono",
            "teléfono",
            "movil",
            "celular",
            "tel contacto",
            "numero telefono",
            "telefono fijo",
        ],
        "fr": ["telephone", "téléphone", "portable", "tel", "num tel", "tel mobile"],
        "de": ["telefon", "telefonnummer", "handy", "tel", "mobilnummer", "rufnummer"],
        "pt": ["telefone", "celular", "telemovel", "tel", "numero telefone", "fone"],
        "nl": ["telefoon", "telefoonnummer", "mobiel", "tel", "telefoonnr"],
    },
    "customer_id": {
        "en": [
            "customer id",
            "cust no",
            "client ref",
            "customer number",
            "custid",
            "account id",
            "member id",
        ],
        "es": ["id cliente", "codigo cliente", "numero cliente", "cliente id"],
        "fr": ["id client", "numero client", "code client", "ref client"],
        "de": ["kundennummer", "kunden id", "kundennr", "kunde id"],
        "pt": ["id cliente", "codigo cliente", "numero cliente", "cliente id"],
        "nl": ["klantnummer", "klant id", "klantnr", "klantcode"],
    },
    "bank_account": {
        "en": ["bank account number", "acct no", "account number", "checking account", "bank acct"],
        "es": ["cuenta bancaria", "numero cuenta", "nro cuenta", "cuenta"],
        "fr": ["numero compte", "compte bancaire", "num compte"],
        "de": ["kontonummer", "konto nr", "bankkonto"],
        "pt": ["conta bancaria", "numero conta", "conta corrente"],
        "nl": ["rekeningnummer", "bankrekening", "rekening nr"],
    },
    "iban": {
        "en": ["iban", "payee iban", "iban number", "beneficiary iban"],
        "es": ["iban", "cuenta iban", "iban cuenta"],
        "fr": ["iban", "iban beneficiaire", "code iban"],
        "de": ["iban", "iban empfaenger", "kontoiban"],
        "pt": ["iban", "nib iban", "iban conta"],
        "nl": ["iban", "iban nummer", "rekening iban"],
    },
    "routing": {
        "en": ["routing number", "aba", "rtn", "bank routing", "sort code", "bic", "swift code"],
        "es": ["bic", "codigo swift", "swift", "codigo bic"],
        "fr": ["bic", "code bic", "swift", "code swift"],
        "de": ["bic", "swift code", "bic code", "swift bic"],
        "pt": ["bic", "codigo swift", "swift", "bic swift"],
        "nl": ["bic", "swift code", "bic code", "swift"],
    },
    "card": {
        "en": ["credit card", "card number", "cc num", "pan", "creditcardnumber", "card no"],
        "es": ["tarjeta", "numero tarjeta", "tarjeta credito", "nro tarjeta"],
        "fr": ["carte bancaire", "numero carte", "num carte", "carte credit"],
        "de": ["kreditkarte", "kartennummer", "kreditkartennummer", "karten nr"],
        "pt": ["cartao", "numero cartao", "cartao credito", "num cartao"],
        "nl": ["creditcard", "kaartnummer", "creditcardnummer", "kaart nr"],
    },
    "ssn": {
        "en": ["ssn", "social security number", "soc sec no", "ssn number", "social sec"],
    },
    "national_id": {
        "en": ["ni number", "national insurance no", "nino", "passport number"],
        "es": ["dni", "numero documento", "documento identidad", "cedula", "nro documento"],
        "fr": ["numero securite sociale", "nir", "num secu", "numero insee"],
        "de": ["personalausweis nr", "ausweisnummer", "pass nr", "ausweis nr"],
        "pt": ["cpf", "numero cpf", "cpf cliente", "nr cpf"],
        "nl": ["bsn", "burgerservicenummer", "bsn nummer", "sofinummer"],
    },
    "tax_id": {
        "en": ["tax id", "ein", "fein", "employer id number", "vat number", "tin"],
        "es": ["nif", "cif", "nit", "rfc", "numero iva"],
        "fr": ["numero tva", "tva intracom", "siren", "num tva"],
        "de": ["ust id", "ustidnr", "umsatzsteuer id", "steuernummer"],
        "pt": ["cnpj", "nif", "numero contribuinte", "nipc"],
        "nl": ["btw nummer", "btw nr", "btwnummer", "vat nr"],
    },
    "address": {
        "en": [
            "street address",
            "address",
            "address line 1",
            "location",
            "addr1",
            "site address",
            "principaladdress",
            "mailing address",
            "street",
            "incident address",
        ],
        "es": ["direccion", "dirección", "domicilio", "direccion residencia", "calle"],
        "fr": ["adresse", "adresse postale", "rue", "adresse ligne 1", "domicile"],
        "de": ["adresse", "strasse", "anschrift", "straße hausnummer", "wohnadresse"],
        "pt": ["endereco", "endereço", "morada", "logradouro", "endereco residencial"],
        "nl": ["adres", "straat", "straatnaam huisnummer", "woonadres", "postadres"],
    },
    "postcode": {
        "en": ["zip", "zip code", "postcode", "postal code", "zip5"],
        "es": ["codigo postal", "cp", "cod postal"],
        "fr": ["code postal", "cp", "codepostal"],
        "de": ["plz", "postleitzahl", "plz ort"],
        "pt": ["cep", "codigo postal", "cod postal"],
        "nl": ["postcode", "postcode klant", "pc"],
    },
    "dob": {
        "en": ["date of birth", "dob", "birth date", "birthdate", "born"],
        "es": ["fecha nacimiento", "fecha de nacimiento", "f nacimiento", "nacimiento"],
        "fr": ["date naissance", "date de naissance", "dt naissance", "naissance"],
        "de": ["geburtsdatum", "geb datum", "geburtstag", "geboren am"],
        "pt": ["data nascimento", "data de nascimento", "dt nascimento", "nascimento"],
        "nl": ["geboortedatum", "geb datum", "geboren", "geboorte datum"],
    },
    "ip": {
        "en": ["ip address", "client ip", "source ip", "ipaddress", "remote addr"],
        "es": ["direccion ip", "ip origen", "ip cliente"],
        "fr": ["adresse ip", "ip source", "ip client"],
        "de": ["ip adresse", "quell ip", "ip"],
        "pt": ["endereco ip", "ip origem", "ip"],
        "nl": ["ip adres", "bron ip", "ip"],
    },
    # -- negatives ------------------------------------------------------------------------
    "facility": {
        "en": ["facility name", "name", "site name", "clinic", "location name", "provider name"],
        "es": ["nombre", "nombre establecimiento", "nombre sede", "institucion", "nombre ips"],
        "fr": ["nom", "nom etablissement", "etablissement", "nom site"],
        "de": ["name", "einrichtung", "name einrichtung", "standort name"],
        "pt": ["nome", "nome estabelecimento", "unidade", "nome unidade"],
        "nl": ["naam", "naam instelling", "locatie naam", "vestiging"],
    },
    "storm": {
        "en": ["storm name", "name", "event name", "hurricane"],
        "es": ["nombre huracan", "nombre evento", "nombre"],
        "fr": ["nom tempete", "nom evenement"],
        "de": ["sturmname", "name sturm"],
        "pt": ["nome tempestade", "nome evento"],
        "nl": ["stormnaam", "naam storm"],
    },
    "species": {
        "en": ["species", "common name", "tree name", "spp common", "name common"],
        "es": ["especie", "nombre comun", "nombre cientifico"],
        "fr": ["espece", "nom commun", "essence"],
        "de": ["baumart", "art name", "gattung"],
        "pt": ["especie", "nome popular", "nome cientifico"],
        "nl": ["boomsoort", "soortnaam", "soort"],
    },
    "language": {
        "en": ["language", "primary language", "lang", "spoken language"],
        "es": ["idioma", "lengua", "idioma preferido"],
        "fr": ["langue", "langue parlee"],
        "de": ["sprache", "muttersprache"],
        "pt": ["idioma", "lingua"],
        "nl": ["taal", "voertaal"],
    },
    "condition": {
        "en": ["condition", "status", "rating", "tree condition"],
        "es": ["estado", "condicion"],
        "fr": ["etat", "condition"],
        "de": ["zustand", "status"],
        "pt": ["estado", "condicao"],
        "nl": ["toestand", "staat"],
    },
    "product": {
        "en": ["product name", "item", "description", "product"],
        "es": ["producto", "descripcion", "nombre producto"],
        "fr": ["produit", "libelle", "designation"],
        "de": ["produkt", "artikel", "bezeichnung"],
        "pt": ["produto", "descricao", "nome produto"],
        "nl": ["product", "omschrijving", "artikel"],
    },
    "city": {
        "en": ["city", "town", "municipality", "location", "place"],
        "es": ["ciudad", "municipio", "localidad", "departamento"],
        "fr": ["ville", "commune", "localite"],
        "de": ["ort", "stadt", "gemeinde"],
        "pt": ["cidade", "municipio", "localidade"],
        "nl": ["plaats", "woonplaats", "gemeente"],
    },
    "order_no": {
        "en": [
            "order number",
            "invoice no",
            "reference",
            "ticket number",
            "case number",
            "permit number",
            "ref",
        ],
        "es": ["numero pedido", "numero factura", "referencia", "radicado", "numero caso"],
        "fr": ["numero commande", "num facture", "reference", "numero dossier"],
        "de": ["bestellnummer", "rechnungsnummer", "referenz", "aktenzeichen"],
        "pt": ["numero pedido", "numero nota", "referencia", "protocolo"],
        "nl": ["ordernummer", "factuurnummer", "referentie", "zaaknummer"],
    },
    "event_date": {
        "en": [
            "issue date",
            "expiry date",
            "license first issue date",
            "event date",
            "inspection date",
            "created",
            "date",
        ],
        "es": ["fecha expedicion", "fecha vencimiento", "fecha evento", "fecha"],
        "fr": ["date emission", "date expiration", "date evenement", "date"],
        "de": ["ausstellungsdatum", "ablaufdatum", "datum", "erstellt am"],
        "pt": ["data emissao", "data validade", "data evento", "data"],
        "nl": ["uitgiftedatum", "vervaldatum", "datum", "aangemaakt op"],
    },
    "flag": {
        "en": [
            "ssn provided",
            "email verified",
            "has phone",
            "address on file",
            "card on file",
            "is resident",
        ],
        "es": ["tiene telefono", "correo verificado", "tiene tarjeta"],
        "fr": ["a telephone", "email verifie", "carte enregistree"],
        "de": ["hat telefon", "email bestaetigt", "karte hinterlegt"],
        "pt": ["tem telefone", "email verificado", "possui cartao"],
        "nl": ["heeft telefoon", "email geverifieerd", "kaart bekend"],
    },
    "code": {
        "en": ["code", "dept code", "category", "type code", "district"],
        "es": ["codigo", "tipo", "categoria", "departamento codigo"],
        "fr": ["code", "type", "categorie"],
        "de": ["code", "typ", "kategorie"],
        "pt": ["codigo", "tipo", "categoria"],
        "nl": ["code", "type", "categorie"],
    },
    "amount": {
        "en": ["amount", "total", "fee", "balance"],
        "es": ["monto", "valor", "total"],
        "fr": ["montant", "total"],
        "de": ["betrag", "summe"],
        "pt": ["valor", "total"],
        "nl": ["bedrag", "totaal"],
    },
    "count": {
        "en": ["count", "visits", "num employees", "beds"],
        "es": ["cantidad", "camas"],
        "fr": ["nombre", "quantite"],
        "de": ["anzahl", "menge"],
        "pt": ["quantidade"],
        "nl": ["aantal"],
    },
    "free_text": {
        "en": ["notes", "comments", "remarks", "description"],
        "es": ["observaciones", "comentarios"],
        "fr": ["remarques", "commentaire"],
        "de": ["bemerkung", "kommentar"],
        "pt": ["observacoes", "comentario"],
        "nl": ["opmerkingen", "toelichting"],
    },
}


LOCALE_NAMES: dict[str, dict[str, list[str]]] = {
    "pt_PT": {"national_id": ["numero cc", "cartao cidadao", "num identificacao civil", "num bi"]},
    "es_CO": {
        "national_id": ["cedula", "numero documento", "nro documento", "documento identidad"]
    },
    "es_MX": {"national_id": ["curp", "clave curp", "curp titular", "curp persona"]},
    "en_GB": {"national_id": ["ni number", "national insurance no", "nino", "ni no"]},
}
"""Where a locale names a concept its own way (Portugal has no CPF, Mexico has the CURP)."""


def name_for(concept: str, ctx: Ctx, split: str) -> str:
    by_lang = NAMES[concept]
    variants = (
        LOCALE_NAMES.get(ctx.locale, {}).get(concept) or by_lang.get(ctx.lang) or by_lang["en"]
    )
    half = variants[SPLITS.index(split) :: 2] or variants
    return style(ctx.rng.choice(half).split(), ctx.rng)


# -- value generators -----------------------------------------------------------------------


def faker(method: str) -> Gen:
    return lambda c: str(getattr(c.fake, method)())


def person_full(c: Ctx) -> str:
    r = c.rng.random()
    f = c.fake
    if r < 0.15:
        return f"{f.last_name()}, {f.first_name()}"
    if r < 0.3:
        return f"{f.first_name()} {f.last_name()}".upper()
    if r < 0.4:
        return f"{f.first_name()} {c.rng.choice(string.ascii_uppercase)}. {f.last_name()}"
    return str(f.name())


def first_name(c: Ctx) -> str:
    name = c.fake.first_name()
    return name.upper() if c.rng.random() < 0.2 else name


def last_name(c: Ctx) -> str:
    name = c.fake.last_name()
    return name.upper() if c.rng.random() < 0.2 else name


def middle_initial(c: Ctx) -> str:
    letter = c.rng.choice("ABCDEFGHJKLMNPRSTW")
    return letter + ("." if c.rng.random() < 0.2 else "")


def email(c: Ctx) -> str:
    r = c.rng.random()
    if r < 0.1:
        return c.fake.email().upper()
    if r < 0.15:
        user, domain = c.fake.email().split("@")
        return f"{user[0]}***@{domain}"  # masked by the publisher
    return str(c.fake.email())


def phone(c: Ctx) -> str:
    """The locale's own formats, some bare national digits, some with extensions."""
    r = c.rng.random()
    if c.locale == "en_US":
        area = c.rng.choice(["212", "415", "312", "617", "206", "303", "512", "713", "305",
                             "404", "802", "919", "503"])  # fmt: skip
        ex, line = (
            f"{c.rng.randrange(2, 10)}{c.rng.randrange(100):02d}",
            f"{c.rng.randrange(10000):04d}",
        )
        forms = [f"({area}) {ex}-{line}", f"{area}-{ex}-{line}", f"{area}{ex}{line}",
                 f"{area}.{ex}.{line}", f"{area}-{ex}-{line} x{c.rng.randrange(10, 999)}"]  # fmt: skip
        return c.rng.choice(forms)
    if c.locale == "es_CO":
        mobile = f"3{c.rng.choice(['00', '01', '02', '04', '10', '11', '12', '13', '14', '15', '16', '17', '18', '20', '21', '50'])}{c.rng.randrange(10**7):07d}"
        landline = f"60{c.rng.choice('1245678')}{c.rng.randrange(2, 9)}{c.rng.randrange(10**6):06d}"
        return c.rng.choice(
            [mobile, mobile, landline, f"+57 {mobile}", f"{mobile[:3]} {mobile[3:6]} {mobile[6:]}"]
        )
    if c.locale == "es_MX":
        area = c.rng.choice(["55", "33", "81", "222", "442", "999"])
        number = area + "".join(c.rng.choice(string.digits) for _ in range(10 - len(area)))
        return c.rng.choice([number, f"+52 {number}", f"({area}) {number[len(area) :]}"])
    region = c.locale.split("_")[1]
    value = str(c.fake.phone_number())
    for _ in range(20):  # Faker's formats are not all valid numbers; real columns mostly are
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(value, region)):
                break
        except phonenumbers.NumberParseException:
            pass
        value = str(c.fake.phone_number())
    if r < 0.3:
        return "".join(ch for ch in value if ch.isdigit())
    return value


def digits(n: int, lead: str = "") -> Gen:
    return lambda c: lead + "".join(c.rng.choice(string.digits) for _ in range(n - len(lead)))


def customer_id(c: Ctx) -> str:
    r = c.rng.random()
    if r < 0.3:
        return f"C{c.rng.randrange(10**6):06d}"
    if r < 0.6:
        return str(c.rng.randrange(1000, 999999))
    if r < 0.8:
        return str(uuid.UUID(int=c.rng.getrandbits(128), version=4))
    return f"CLI-{c.rng.randrange(10**5):05d}"


IBAN_LOCALE = {"en_US": "en_GB", "es_CO": "es_ES", "es_MX": "es_ES"}
"""Countries without IBANs (Faker makes invalid ones there) pay to accounts abroad."""


def iban(c: Ctx) -> str:
    value = str(_faker(IBAN_LOCALE.get(c.locale, c.locale)).iban())
    r = c.rng.random()
    if r < 0.3:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value.lower() if r < 0.35 else value


ABA_PREFIXES = [f"{n:02d}" for n in (*range(1, 13), *range(21, 33), *range(61, 73), 80)]


def aba(c: Ctx) -> str:
    body = c.rng.choice(ABA_PREFIXES) + "".join(c.rng.choice(string.digits) for _ in range(6))
    return body + rtn.calc_check_digit(body)


def sort_code(c: Ctx) -> str:
    return f"{c.rng.randrange(1, 100):02d}-{c.rng.randrange(100):02d}-{c.rng.randrange(100):02d}"


def bic(c: Ctx) -> str:
    return str(c.fake.swift(length=c.rng.choice([8, 11])))


def card(c: Ctx) -> str:
    prefix, length = c.rng.choice([("4", 16), ("51", 16), ("55", 16), ("37", 15), ("6011", 16),
                                   ("2221", 16), ("4", 13), ("3528", 16)])  # fmt: skip
    body = prefix + "".join(c.rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    number = body + luhn.calc_check_digit(body)
    r = c.rng.random()
    if r < 0.3:
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    if r < 0.4:
        return "-".join(number[i : i + 4] for i in range(0, len(number), 4))
    return number


TEST_CARDS = ("4111111111111111", "4111111111111112", "4242424242424241", "5555555555554444",
              "1234567812345678", "4000000000000000", "5105105105105100", "4012888888881882")  # fmt: skip


def test_or_masked_card(c: Ctx) -> str:
    """A payments extract from a test system: test numbers (some failing Luhn) and masks."""
    r = c.rng.random()
    if r < 0.35:
        return c.rng.choice(TEST_CARDS)
    if r < 0.65:
        number = card(c).replace(" ", "").replace("-", "")
        return number[:4] + "X" * (len(number) - 8) + number[-4:]
    return card(c)


def us_ssn(c: Ctx) -> str:
    area = c.rng.choice([a for a in range(1, 900) if a != 666])
    value = f"{area:03d}-{c.rng.randrange(1, 100):02d}-{c.rng.randrange(1, 10000):04d}"
    r = c.rng.random()
    if r < 0.4:
        return value.replace("-", "")
    if r < 0.45:
        return value.replace("-", " ")
    return value


def nino(c: Ctx) -> str:
    a, b = c.rng.choice("ABCEGHJKLMNPRSTWXY"), c.rng.choice("ABCEGHJKLMNPRSTWXY")
    body = f"{c.rng.randrange(10**6):06d}"
    sep = c.rng.choice(["", " "])
    return f"{a}{b}{sep}{body[:2]}{sep}{body[2:4]}{sep}{body[4:]}{sep}{c.rng.choice('ABCD')}"


def es_dni(c: Ctx) -> str:
    number = f"{c.rng.randrange(10**8):08d}"
    return number + dni.calc_check_digit(number)


def co_cedula(c: Ctx) -> str:
    number = str(c.rng.randrange(10**6, 1_300_000_000))
    return f"{int(number):,}".replace(",", ".") if c.rng.random() < 0.3 else number


def national_id(c: Ctx) -> str:
    if c.locale == "en_GB":
        return nino(c)
    if c.locale == "es_ES":
        return es_dni(c)
    if c.locale == "es_CO":
        return co_cedula(c)
    if c.locale == "es_MX":
        return str(c.fake.curp()) if hasattr(c.fake, "curp") else str(c.fake.ssn())
    if c.locale in ("fr_FR", "nl_NL", "pt_BR"):
        return str(c.fake.ssn()) if c.locale != "pt_BR" else str(c.fake.cpf())
    if c.locale == "de_DE":
        return "".join(c.rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(9))
    if c.locale == "pt_PT":
        body = f"{c.rng.randrange(10**7, 10**8)}{c.rng.randrange(10)}{c.rng.choice('ZXYW')}{c.rng.choice('ZXYW')}"
        number = body + pt_cc.calc_check_digit(body)
        return f"{number[:8]} {number[8]} {number[9:]}"
    return f"{c.rng.choice(string.ascii_uppercase)}{c.rng.randrange(10**7, 10**8)}"  # passport


def _valid(make: Callable[[], str], check: Callable[[str], bool]) -> str:
    while True:
        value = make()
        if check(value):
            return value


def tax_id(c: Ctx) -> str:
    rng = c.rng
    if c.locale == "en_US":
        return str(c.fake.ein()) if rng.random() < 0.7 else str(c.fake.ein()).replace("-", "")
    if c.locale == "pt_BR":
        return str(c.fake.cnpj())
    if c.locale == "es_CO":
        base = f"{rng.randrange(800_000_000, 901_000_000)}"
        return f"{base}-{co_nit.calc_check_digit(base)}"
    if c.locale == "es_MX":
        return str(c.fake.rfc())
    country = {"en_GB": "GB", "es_ES": "ES", "fr_FR": "FR", "de_DE": "DE", "pt_PT": "PT",
               "nl_NL": "NL"}[c.locale]  # fmt: skip
    if country == "DE":
        body = f"{rng.randrange(1, 10)}{rng.randrange(10**7):07d}"
        return f"DE{body}{mod_11_10.calc_check_digit(body)}"
    if country == "NL":
        return _valid(
            lambda: f"NL{rng.randrange(10**8, 10**9)}B0{rng.randrange(1, 10)}", vatin.is_valid
        )
    if country == "ES":
        return _valid(lambda: "ES" + es_dni(c), vatin.is_valid)
    if country == "FR":
        return _valid(
            lambda: f"FR{rng.randrange(10, 99)}{rng.randrange(10**8, 10**9)}", vatin.is_valid
        )
    if country == "PT":
        return _valid(
            lambda: f"PT{rng.randrange(1, 3)}{rng.randrange(10**7, 10**8)}", vatin.is_valid
        )
    return _valid(lambda: f"GB{rng.randrange(10**8, 10**9)}", vatin.is_valid)


STREET_SUFFIX = ["AV", "ST", "RD", "BLVD", "DR", "LN", "WAY", "CT"]


def address(c: Ctx) -> str:
    """Street lines as publishers write them: Faker's own, upper case, masked house numbers,
    highways and intersections, one-line full addresses."""
    r = c.rng.random()
    f = c.fake
    if c.locale == "en_US":
        if r < 0.15:
            return f"{c.rng.randrange(1, 99)}XX {f.last_name().upper()} {c.rng.choice(STREET_SUFFIX)}{c.rng.choice(['', ' S', ' N', ' E'])}"
        if r < 0.22:
            return c.rng.choice(["I-89 N", "I-95 S", "US-1 N", "SR 520", "I-5 MM 123", "HWY 71 W"])
        if r < 0.3:
            return f"{f.street_name().upper()} & {f.street_name().upper()}"
        if r < 0.45:
            return str(f.address()).replace("\n", ", ")
        return str(f.street_address()).upper() if r < 0.6 else str(f.street_address())
    if r < 0.25:
        return str(f.address()).replace("\n", ", ")
    if r < 0.35:
        return str(f.street_address()).upper()
    return str(f.street_address())


def postcode(c: Ctx) -> str:
    return str(c.fake.postcode())


def birth(c: Ctx) -> str:
    born = c.fake.date_of_birth(minimum_age=1, maximum_age=95)
    fmt = {"en_US": "%m/%d/%Y", "de_DE": "%d.%m.%Y", "nl_NL": "%d-%m-%Y"}.get(c.locale, "%d/%m/%Y")
    return born.strftime(c.rng.choice([fmt, fmt, "%Y-%m-%d"]))


def ip(c: Ctx) -> str:
    r = c.rng.random()
    if r < 0.2:
        return str(c.fake.ipv6())
    return str(c.fake.ipv4_private() if r < 0.4 else c.fake.ipv4_public())


# -- negatives -------------------------------------------------------------------------------

FACILITY_WORDS = {
    "en": [
        "WIC Clinic",
        "Health Center",
        "Public Library",
        "Elementary School",
        "Fire Station",
        "Community Center",
        "Senior Center",
        "Recreation Center",
        "Medical Clinic",
        "Pharmacy",
    ],
    "es": [
        "Centro de Salud",
        "Hospital",
        "IPS",
        "Colegio",
        "Biblioteca",
        "Clínica",
        "Puesto de Salud",
        "Farmacia",
        "Escuela Rural",
        "Parroquia",
    ],
    "fr": [
        "Centre Hospitalier",
        "Médiathèque",
        "École",
        "Mairie",
        "Pharmacie",
        "Clinique",
        "Collège",
        "Gymnase",
    ],
    "de": [
        "Klinikum",
        "Stadtbibliothek",
        "Grundschule",
        "Apotheke",
        "Rathaus",
        "Sporthalle",
        "Feuerwache",
        "Gymnasium",
    ],
    "pt": [
        "Posto de Saúde",
        "Hospital",
        "Escola Estadual",
        "Biblioteca",
        "Farmácia",
        "UBS",
        "Centro de Saúde",
        "Clínica",
    ],
    "nl": [
        "Apotheek",
        "Huisartsenpraktijk",
        "Bibliotheek",
        "Basisschool",
        "Ziekenhuis",
        "Gemeentehuis",
        "Sporthal",
    ],
}


def facility(c: Ctx) -> str:
    kind = c.rng.choice(FACILITY_WORDS[c.lang])
    place = c.fake.city() if c.rng.random() < 0.6 else c.fake.last_name()
    r = c.rng.random()
    if c.lang == "en":
        return f"{place} {kind}" if r < 0.7 else f"{kind} of {place}"
    return f"{kind} {place}" if r < 0.6 else f"{kind} {c.fake.name()}"


STORMS = ["Hurricane", "Tropical Storm", "Tropical Depression", "Storm", "Typhoon"]


def storm(c: Ctx) -> str:
    """Storm tracks: many observations of a few named storms per table."""
    if "storm" not in c.pools:
        c.pools["storm"] = [c.fake.first_name() for _ in range(12)]
    pool = c.pools["storm"]
    name = c.rng.choice(pool)
    r = c.rng.random()
    if r < 0.4:
        return f"{c.rng.choice(STORMS)} {name}"
    return name.upper() if r < 0.6 else name


SPECIES = ["English Elm", "Red Maple", "Norway Maple", "London Plane", "Honey Locust", "Pin Oak",
           "Silver Linden", "Callery Pear", "Ginkgo", "American Elm", "Black Cherry",
           "Quercus robur", "Tilia cordata", "Acer platanoides", "Fraxinus excelsior",
           "Platanus x hispanica", "Betula pendula", "Eucalyptus globulus", "Ceiba pentandra",
           "Jacaranda mimosifolia", "Carolina Silverbell", "Japanese Zelkova", "Sweetgum",
           "Washington Hawthorn", "Kentucky Coffeetree", "Tulip Tree", "Douglas Fir"]  # fmt: skip
LANGUAGES = ["English", "Español", "Spanish", "Français", "French", "Deutsch", "German",
             "Português", "Nederlands", "Vietnamese", "Chinese", "Tagalog", "Arabic", "Russian",
             "Korean", "Haitian Creole", "Italiano", "Polish", "Somali", "Other"]  # fmt: skip
CONDITIONS = {
    "en": ["good", "fair", "poor", "excellent", "dead", "critical", "Good", "Fair", "Poor"],
    "es": ["bueno", "regular", "malo", "excelente", "Bueno", "Regular"],
    "fr": ["bon", "moyen", "mauvais", "excellent"],
    "de": ["gut", "mittel", "schlecht", "sehr gut"],
    "pt": ["bom", "regular", "ruim", "ótimo"],
    "nl": ["goed", "matig", "slecht", "uitstekend"],
}


def product(c: Ctx) -> str:
    r = c.rng.random()
    if r < 0.5:
        return f"{c.fake.word().capitalize()} {c.rng.choice(['1L', '500g', 'XL', 'Pack 6', 'Pro', 'Max'])}"
    return str(c.fake.catch_phrase()) if c.lang == "en" else c.fake.word().capitalize()


def city(c: Ctx) -> str:
    return str(c.fake.city())


def order_no(c: Ctx) -> str:
    r = c.rng.random()
    base = c.rng.randrange(10**8, 9 * 10**8)
    if r < 0.5:
        return str(base + c.rng.randrange(10**5))  # 9 digits, one block
    return f"{c.rng.choice(['INV', 'PO', 'ORD', 'FAC', 'PED'])}-{c.rng.randrange(10**6):06d}"


def event_date(c: Ctx) -> str:
    """Issue, expiry and event dates, some at midnight and spread over decades."""
    r = c.rng.random()
    day = TODAY - timedelta(days=c.rng.randrange(-3000, 365 * 40))
    if r < 0.3:
        return day.strftime("%Y-%m-%d 00:00:00")
    if r < 0.6:
        return day.strftime("%m/%d/%Y" if c.locale == "en_US" else "%d/%m/%Y")
    return day.isoformat()


def recent_date(c: Ctx) -> str:
    day = TODAY - timedelta(days=c.rng.randrange(0, 900))
    return day.isoformat() if c.rng.random() < 0.5 else day.strftime("%d/%m/%Y %H:%M")


YES_NO = {"en": ["Yes", "No", "Y", "N"], "es": ["Si", "No", "SI", "NO"], "fr": ["Oui", "Non"],
          "de": ["Ja", "Nein"], "pt": ["Sim", "Não"], "nl": ["Ja", "Nee"]}  # fmt: skip


def flag(c: Ctx) -> str:
    return c.rng.choice(YES_NO[c.lang] + ["true", "false"] * (c.rng.random() < 0.2))


def code(c: Ctx) -> str:
    """Codes in capitals: department and region names, category codes."""
    r = c.rng.random()
    if r < 0.4:
        return c.fake.city().upper().replace(" ", "")[:10]
    if r < 0.7:
        return c.rng.choice(["PHARMACY", "PUTUMAYO", "ANTIOQUIA", "RESIDENT", "COMMERCIAL",
                             "PERMANENT", "INACTIVE", "TRANSFER", "HOSPITAL", "DELIVERED",
                             "CUNDINAMARCA", "SANTANDER", "HUMBERTO"])  # fmt: skip
    return "".join(c.rng.choice(string.ascii_uppercase) for _ in range(c.rng.choice([3, 4, 8])))


def amount(c: Ctx) -> str:
    return f"{c.rng.uniform(1, 50000):.2f}"


def count(c: Ctx) -> str:
    return str(c.rng.randrange(0, 500))


def free_text(c: Ctx) -> str:
    return str(c.fake.sentence()) if c.rng.random() < 0.9 else ""


# -- tables ---------------------------------------------------------------------------------

# concept -> (label, generator, type)
CONCEPTS: dict[str, tuple[C | None, Gen, str]] = {
    "first_name": (C.PERSON_NAME, first_name, "string"),
    "last_name": (C.PERSON_NAME, last_name, "string"),
    "full_name": (C.PERSON_NAME, person_full, "string"),
    "middle_initial": (C.PERSON_NAME, middle_initial, "string"),
    "email": (C.EMAIL_ADDRESS, email, "string"),
    "phone": (C.PHONE_NUMBER, phone, "string"),
    "customer_id": (C.CUSTOMER_IDENTIFIER, customer_id, "string"),
    "bank_account": (C.BANK_ACCOUNT_NUMBER, digits(10), "string"),
    "iban": (C.IBAN, iban, "string"),
    "routing": (C.BANK_ROUTING_CODE, bic, "string"),
    "card": (C.PAYMENT_CARD_NUMBER, card, "string"),
    "ssn": (C.NATIONAL_IDENTIFIER, us_ssn, "string"),
    "national_id": (C.NATIONAL_IDENTIFIER, national_id, "string"),
    "tax_id": (C.TAX_IDENTIFIER, tax_id, "string"),
    "address": (C.POSTAL_ADDRESS, address, "string"),
    "postcode": (C.POSTAL_ADDRESS, postcode, "string"),
    "dob": (C.DATE_OF_BIRTH, birth, "string"),
    "ip": (C.IP_ADDRESS, ip, "string"),
    "facility": (None, facility, "string"),
    "storm": (None, storm, "string"),
    "species": (None, lambda c: c.rng.choice(SPECIES), "string"),
    "language": (None, lambda c: c.rng.choice(LANGUAGES), "string"),
    "condition": (None, lambda c: c.rng.choice(CONDITIONS[c.lang]), "string"),
    "product": (None, product, "string"),
    "city": (None, city, "string"),
    "order_no": (None, order_no, "string"),
    "event_date": (None, event_date, "string"),
    "flag": (None, flag, "string"),
    "code": (None, code, "string"),
    "amount": (None, amount, "decimal(12,2)"),
    "count": (None, count, "int"),
    "free_text": (None, free_text, "string"),
    "opaque_ssn": (C.NATIONAL_IDENTIFIER, us_ssn, "string"),
    "opaque_card": (C.PAYMENT_CARD_NUMBER, card, "string"),
    "opaque_iban": (C.IBAN, iban, "string"),
    "opaque_aba": (C.BANK_ROUTING_CODE, aba, "string"),
    "opaque_order": (None, order_no, "string"),
    "opaque_amount": (None, amount, "string"),
    "opaque_code": (None, code, "string"),
}

# Table themes: a table-name word per language and the concepts its columns hold.
THEMES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "customers": (
        {
            "en": "customers",
            "es": "clientes",
            "fr": "clients",
            "de": "kunden",
            "pt": "clientes",
            "nl": "klanten",
        },
        (
            "customer_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "postcode",
            "dob",
            "city",
            "flag",
            "amount",
        ),
    ),
    "people": (
        {
            "en": "registrations",
            "es": "inscritos",
            "fr": "inscriptions",
            "de": "anmeldungen",
            "pt": "inscricoes",
            "nl": "inschrijvingen",
        },
        (
            "full_name",
            "middle_initial",
            "national_id",
            "dob",
            "email",
            "phone",
            "language",
            "event_date",
            "city",
        ),
    ),
    "payments": (
        {
            "en": "payments",
            "es": "pagos",
            "fr": "paiements",
            "de": "zahlungen",
            "pt": "pagamentos",
            "nl": "betalingen",
        },
        (
            "order_no",
            "iban",
            "routing",
            "card",
            "bank_account",
            "amount",
            "tax_id",
            "full_name",
            "event_date",
            "code",
        ),
    ),
    "employees": (
        {
            "en": "employees",
            "es": "empleados",
            "fr": "salaries",
            "de": "mitarbeiter",
            "pt": "funcionarios",
            "nl": "medewerkers",
        },
        (
            "last_name",
            "first_name",
            "national_id",
            "dob",
            "address",
            "phone",
            "email",
            "event_date",
            "code",
            "count",
        ),
    ),
    "facilities": (
        {
            "en": "facilities",
            "es": "establecimientos",
            "fr": "etablissements",
            "de": "einrichtungen",
            "pt": "estabelecimentos",
            "nl": "instellingen",
        },
        (
            "facility",
            "address",
            "phone",
            "city",
            "postcode",
            "code",
            "count",
            "event_date",
            "condition",
        ),
    ),
    "environment": (
        {
            "en": "street_trees",
            "es": "arbolado",
            "fr": "arbres",
            "de": "baumkataster",
            "pt": "arvores",
            "nl": "bomen",
        },
        ("species", "condition", "address", "event_date", "count", "city", "free_text"),
    ),
    "events": (
        {
            "en": "storm_events",
            "es": "eventos",
            "fr": "evenements",
            "de": "ereignisse",
            "pt": "eventos",
            "nl": "gebeurtenissen",
        },
        ("storm", "event_date", "city", "amount", "count", "code", "free_text"),
    ),
    "orders": (
        {
            "en": "orders",
            "es": "pedidos",
            "fr": "commandes",
            "de": "bestellungen",
            "pt": "pedidos",
            "nl": "bestellingen",
        },
        (
            "order_no",
            "product",
            "amount",
            "event_date",
            "customer_id",
            "ip",
            "flag",
            "email",
            "code",
        ),
    ),
    "meetings": (
        {
            "en": "public_meetings",
            "es": "reuniones",
            "fr": "reunions",
            "de": "sitzungen",
            "pt": "reunioes",
            "nl": "vergaderingen",
        },
        ("facility", "address", "phone", "event_date", "language", "free_text"),
    ),
    "web": (
        {
            "en": "web_logs",
            "es": "accesos",
            "fr": "journaux",
            "de": "zugriffe",
            "pt": "acessos",
            "nl": "logboek",
        },
        ("ip", "event_date", "code", "count", "email", "flag"),
    ),
}
# Legacy exports and spreadsheets: opaque column names over checksum-validated values and
# look-alike negatives.
_OPAQUE_NAMES = {
    "en": ["field 1", "col b", "value", "ref", "attr2", "data 3", "x", "var 7", "key",
           "column 12", "id2", "f4"],
    "es": ["campo 1", "valor", "dato 2", "columna 3", "ref", "campo x", "var 4"],
    "fr": ["champ 1", "valeur", "donnee 2", "colonne 3", "ref", "champ x", "var 4"],
    "de": ["feld 1", "wert", "daten 2", "spalte 3", "ref", "feld x", "var 4"],
    "pt": ["campo 1", "valor", "dado 2", "coluna 3", "ref", "campo x", "var 4"],
    "nl": ["veld 1", "waarde", "gegeven 2", "kolom 3", "ref", "veld x", "var 4"],
}  # fmt: skip
for _concept in ("opaque_ssn", "opaque_card", "opaque_iban", "opaque_aba", "opaque_order",
                 "opaque_amount", "opaque_code"):  # fmt: skip
    NAMES[_concept] = _OPAQUE_NAMES
THEMES["extract"] = (
    {"en": "extract", "es": "extraccion", "fr": "extraction", "de": "auszug", "pt": "extracao",
     "nl": "uittreksel"},
    ("opaque_ssn", "opaque_ssn", "opaque_card", "opaque_iban", "opaque_aba", "opaque_order",
     "opaque_amount", "opaque_code"),
)  # fmt: skip
US_ONLY = {"ssn": "national_id", "routing": "routing"}


_FAKERS: dict[str, Faker] = {}


def _faker(locale: str) -> Faker:
    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


def _tables(split: str) -> list[tuple[str, str]]:
    """(theme, locale) pairs: every theme in every locale for both splits."""
    return [(theme, loc) for loc in LOCALES for theme in THEMES]


def _values(gen: Gen, ctx: Ctx, n: int, nulls: float) -> list[str | None]:
    out: list[str | None] = []
    for _ in range(n):
        if ctx.rng.random() < nulls:
            out.append(ctx.rng.choice([None, "", "", "NULL", "N/A", "-", "null"]))
        else:
            out.append(gen(ctx))
    return out


def columns(split: str = "dev", n: int = 200, variant: int = 0) -> list[Column]:
    """Every column of one split with ``n`` values each (the same on every call). Another
    ``variant`` draws the same kinds of tables and the split's column names from other seeds."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    seed = 18_000 + 7 * SPLITS.index(split) + 1000 * variant
    rng = random.Random(seed)
    out: list[Column] = []
    for theme, locale in _tables(split):
        fake = _faker(locale)
        fake.seed_instance(rng.randrange(10**9))
        ctx = Ctx(random.Random(rng.randrange(10**9)), fake, locale)
        words, concepts = THEMES[theme]
        table = style([*(["tbl"] if rng.random() < 0.2 else []), words[LANG[locale]]], rng).replace(
            " ", "_"
        )
        # a table holds most of its theme's concepts, in a random order
        chosen = [k for k in concepts if rng.random() < 0.8]
        if locale == "en_US" and theme in ("people", "employees"):
            chosen = ["ssn" if k == "national_id" else k for k in chosen]
        if locale == "en_US" and theme == "payments":
            chosen = [*chosen, "ssn"]
        rng.shuffle(chosen)
        names: list[str] = []
        specs: list[tuple[str, C | None, Gen, str]] = []
        for concept in chosen:
            label, gen, type_ = CONCEPTS[concept]
            if concept == "routing" and locale == "en_US":
                gen = aba
            elif concept == "routing" and locale == "en_GB":
                gen = sort_code
            name = name_for(concept, ctx, split)
            if name.lower() in {x.lower() for x in names}:
                name = f"{name}_2"
            names.append(name)
            specs.append((name, label, gen, type_))
        if theme == "payments" and rng.random() < 0.5:
            # an extract of a test system: its card column holds test and masked numbers
            specs = [(n, lab, test_or_masked_card if g is card else g, t) for n, lab, g, t in specs]
        for name, label, gen, type_ in specs:
            nulls = rng.choice([0.0, 0.0, 0.05, 0.2, 0.5])
            values = _values(gen, ctx, n, nulls)
            siblings = tuple(x for x in names if x != name)
            checksum = gen in (iban, aba, card, us_ssn)
            out.append(Column(table, name, type_, label, values, locale, None, siblings, checksum))
    return out
