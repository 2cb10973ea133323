"""Address-shape rules: street lines, PO boxes, unit designators and postcodes."""

from __future__ import annotations

import re
import unicodedata

from classifier.engine.validators import Strength

# Street suffixes (USPS Publication 28 style, full words and standard abbreviations).
_SUFFIXES = """
alley aly allee annex anx arcade arc avenue ave av bayou byu beach bch bend bnd bluff blf bluffs
bottom btm boulevard blvd branch br bridge brg brook brk brooks burg burgs bypass byp camp cp
canyon cyn cape cpe causeway cswy center ctr centre centers circle cir circles cliff clf cliffs
clfs close club clb common cmn commons corner cor corners cors course crse court ct courts cts
cove cv coves creek crk crescent cres crest crst crossing xing crossroad curve dale dl dam dm
divide dv drive dr drives drs estate est estates ests expressway expy extension ext extensions
fall falls fls ferry fry field fld fields flds flat flt flats flts ford frd fords forest frst
forge frg forges fork frk forks frks fort ft freeway fwy garden gdn gardens gdns gateway gtwy
glen gln glens green grn greens grove grv groves harbor hbr harbour harbors haven hvn heights
hts highway hwy hill hl hills hls hollow holw inlet inlt island is islands iss isle junction jct
junctions key ky keys kys knoll knl knolls lake lk lakes lks land landing lndg lane ln light lgt
lights loaf lf lock lck locks lcks lodge ldg loop mall manor mnr manors meadow mdw meadows mdws
mews mill ml mills mls mission msn motorway mtwy mount mt mountain mtn mountains neck nck orchard
orch oval overpass opas park pk parks parkway pkwy parkways pass passage psge path pike pine pne
pines pnes place pl plain pln plains plns plaza plz point pt points pts port prt ports prts
prairie pr radial radl ramp ranch rnch rapid rpd rapids rpds rest rst ridge rdg ridges rdgs river
riv road rd roads rds route rte row rue run shoal shl shoals shls shore shr shores shrs skyway
spring spg springs spgs spur spurs square sq squares sqs station sta stravenue stra stream strm
street st streets sts summit smt terrace ter throughway trwy trace trce track trak trafficway
trfy trail trl tunnel tunl turnpike tpke underpass upas union un unions uns valley vly valleys
vlys via viaduct via view vw views vws village vlg villages vlgs ville vl vista vis walk walks
wall way wy ways well wl wells wls wynd
"""
_SUFFIX_SET = frozenset(_SUFFIXES.split())
# Street words that come first (French, Spanish, Italian, Portuguese...).
_PREFIX_WORDS = frozenset(
    str.split(
        "rue avenue av boulevard bd chemin allee impasse place via viale piazza corso calle avenida "
        "plaza paseo carrer rua travessa largo praca vicolo strada ronda camino carretera travesia "
        "glorieta cuesta quai route cours square voie passage pasaje callejon rambla calzada "
        "cerrada privada prolongacion peatonal andador circuito retorno diagonal transversal "
        "carrera alameda estrada rodovia ladeira beco viela vila praceta urbanizacion"
    )
)
# Street types that are also ordinary words (Brazilian logradouro types, Spanish vias):
# a street only with a house number (``Jardim Alves, 30``, ``Cañada Salvador Jiménez 60``).
_NUMBERED_PREFIX_WORDS = frozenset(
    str.split(
        "aeroporto area campo chacara colonia condominio conjunto distrito esplanada estacao "
        "favela fazenda feira jardim lago lagoa loteamento morro nucleo parque passarela patio "
        "quadra recanto residencial setor sitio trecho trevo vale vereda viaduto praia "
        "canada acceso vial pasadizo circunvalacion ampliacion continuacion callejon c"
    )
)
# Colombian and other Latin American grid addresses: ``Cl. 144S # 8-8``, ``Cra 7 No. 40-62``.
_GRID_ADDRESS = re.compile(
    r"^(?:calle|cl|cll|carrera|cra|cr|kr|kra|transversal|tv|tr|diagonal|dg|avenida|av|ak|ac|"
    r"autopista|circular|cq)\.?\s*\d+\s*[a-z]{0,4}\s*(?:#|no\.?|n°|nº)\s*\d+\s*[a-z]?\s*-\s*\d+",
    re.IGNORECASE,
)
# Highways, masked house numbers and intersections, as published open data writes them:
# ``I-89 N``, ``HWY 71 W``, ``3XX VILLA GRANDE AV S``, ``MAIN ST & 5TH AVE``.
_HIGHWAY = re.compile(
    r"^(?:I|US|SR|CR|HWY|HIGHWAY|ROUTE|RTE|STATE ROUTE|INTERSTATE)[-\s]?\d{1,4}\b", re.IGNORECASE
)
_MASKED_NUMBER = re.compile(r"^\d{0,5}[Xx*]{1,4}\s+\S")
_NAME_COMMA_NUMBER = re.compile(
    r"^[^\W\d_][^\W\d_'.\- ]*(?:\s+[^\W\d_'.\-]+){1,5},\s*\d{1,5}[A-Za-z]?$"
)
# Street-name endings of compound words (German, Dutch, Scandinavian).
_COMPOUND_ENDINGS = re.compile(
    r"(strasse|straße|str\.?|weg|gasse|platz|allee|ring|damm|ufer|straat|laan|gracht|plein|"
    r"gade|vej|gatan|vägen|veien|gata|kade|dijk|singel|steeg|hof|baan)$",
    re.IGNORECASE,
)
_HOUSE_NUMBER = re.compile(r"^\d{1,6}[a-zA-Z]?(?:[-/]\d{1,5}[a-zA-Z]?)?,?$")
_PO_BOX = re.compile(r"\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|apartado)\s*\d+", re.I)
_UNIT = re.compile(
    r"(?:\b(?:apt|apartment|suite|ste|unit|fl|floor|bldg|rm|room|flat|studio)\b\.?|#)\s*\w+", re.I
)
_MILITARY = re.compile(
    r"\b(?:(?:PSC|CMR|Unit)\s+\d+,?\s+Box\s+\d+|[ADF]PO\s+A[AEP]\s+\d{5})", re.IGNORECASE
)
_CITY_STATE_ZIP = re.compile(r",\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?$")

_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_CA_POSTCODE = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d\b")
_NL_POSTCODE = re.compile(r"^[1-9]\d{3}\s?[A-Z]{2}$")
_ZIP_PLUS4 = re.compile(r"^\d{5}-\d{4}$")
_ZIP5 = re.compile(r"^\d{5}$")
_POSTCODE4 = re.compile(r"^\d{4}$")
_POSTCODE6 = re.compile(r"^\d{6}$")
_CEP_OR_PT = re.compile(r"^\d{4,5}-\d{3}$")


def _street_line(line: str) -> bool:
    """``123 Main St``, ``4B North Oak Avenue Apt. 5``, ``12 rue de la Paix``,
    ``Hauptstraße 5``."""
    parts = line.replace(",", " , ").split()
    words = [p for p in parts if p != ","]
    if len(words) < 2 or len(words) > 14:
        return False
    has_number = any(_HOUSE_NUMBER.match(w) for w in words)
    if not has_number:
        return False
    if _HOUSE_NUMBER.match(words[0]):
        # number first: a street suffix or prefix word must follow among the next words
        for w in words[1:8]:
            bare = w.rstrip(".,").lower()
            if bare in _SUFFIX_SET or bare in _PREFIX_WORDS:
                return True
        return False
    # number last (continental style): "Hauptstraße 5", "Via Roma 10"
    first = words[0].rstrip(".,").lower()
    if first in _PREFIX_WORDS or first in _NUMBERED_PREFIX_WORDS:
        return True
    return any(
        w[0].isupper() and len(w) >= 5 and _COMPOUND_ENDINGS.search(w.rstrip(","))
        for w in words[:-1]
    )


def _postcode(text: str) -> bool:
    upper = text.upper()
    return bool(
        _ZIP_PLUS4.match(text)
        or _NL_POSTCODE.match(upper)
        or (len(text) <= 8 and (_UK_POSTCODE.fullmatch(upper) or _CA_POSTCODE.fullmatch(upper)))
    )


def _fold(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def check_address(value: str) -> Strength:
    """Street lines, PO boxes and distinctive postcodes are DISTINCTIVE; a five-digit ZIP is
    only VALID and a four-digit code PLAUSIBLE."""
    text = _fold(value.strip())
    if not text or len(text) > 300:
        return Strength.NONE
    if _ZIP5.match(text) or _CEP_OR_PT.match(text):
        return Strength.VALID
    if _POSTCODE4.match(text) or _POSTCODE6.match(text):
        return Strength.PLAUSIBLE
    if _GRID_ADDRESS.match(text):
        return Strength.DISTINCTIVE
    if _PO_BOX.search(text) or _MILITARY.search(text):
        return Strength.DISTINCTIVE
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any(_postcode(line) for line in lines) or _CITY_STATE_ZIP.search(lines[-1]):
        return Strength.DISTINCTIVE
    for line in re.split(r"[\n;]|,(?=\s*\d)", text):
        line = _UNIT.sub(" ", line).strip(" ,")
        if line and _street_line(line):
            return Strength.DISTINCTIVE
        words = line.split()
        if len(words) >= 2 and (
            words[0].lower().rstrip(".") in _PREFIX_WORDS
            or (_UNIT.search(text) and words[-1].lower().rstrip(".") in _SUFFIX_SET)
        ):
            return Strength.DISTINCTIVE
    return _free_form(text)


def _free_form(text: str) -> Strength:
    """Highways, masked house numbers, intersections and other street words: PLAUSIBLE
    (they support an address name, never decide alone)."""
    if _HIGHWAY.match(text) or _MASKED_NUMBER.match(text) or _NAME_COMMA_NUMBER.match(text):
        return Strength.PLAUSIBLE
    words = [w.strip(".,").lower() for w in text.replace("&", " & ").split()]
    if len(words) < 2 or len(words) > 14:
        return Strength.NONE
    if "&" in words or " and " in text.lower():
        return Strength.PLAUSIBLE if any(w in _SUFFIX_SET for w in words) else Strength.NONE
    has_digit = any(c.isdigit() for c in text)
    street_word = any(w in _SUFFIX_SET or w in _PREFIX_WORDS for w in words)
    return Strength.PLAUSIBLE if has_digit and street_word else Strength.NONE
