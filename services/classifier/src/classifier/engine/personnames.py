"""Person-name evidence from a dictionary of first and last names.

``person_names.txt`` (next to this module) holds about 10,000 lower-case, accent-folded
first and last names taken from the person providers of Faker (MIT licence) for the locales
en_US, en_GB, en_IE, en_IN, de_DE, fr_FR, es_ES, es_MX, it_IT, nl_NL, pt_BR and pt_PT, each
marked as a first name, a last name or both; names that are also common words of Faker's
lorem lists (``good``, ``english``, ``grande``) are left out.
It is generated once, not at run time, so Faker stays a test-only dependency (importing its
locale providers costs about 0.2 s and the package is several MB): run
``python tests/unit/classifier/test_engine_name_data.py`` from the repository root to
rebuild it; a test checks that the file matches what that script produces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from classifier.engine.validators import Strength

DATA_FILE = "person_names.txt"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TITLES = _words(
    "mr mrs ms miss mx dr prof sir dame lady lord rev fr hon madam mme mlle herr frau sr sra"
)
_SUFFIXES = _words("jr sr ii iii iv v phd md dds dvm esq mba cpa rn jd do dmd obe mbe")
_BUSINESS_WORDS = _words(
    """
    and inc llc ltd plc gmbh corp corporation company co group sons partners holdings bank
    associates ag sa bv nv limited trust foundation services solutions international industries
    systems technologies enterprises consulting university college school hospital church club
    the of for
    clinic clinica clinique klinik klinikum kliniek center centre centro zentrum centrum
    health salud sante saude gezondheid gesundheit library biblioteca bibliotheque mediatheque
    bibliothek bibliotheek school escuela colegio ecole college lycee schule grundschule
    gymnasium basisschool escola station estacion gare bahnhof pharmacy farmacia pharmacie
    apotheke apotheek farmacia hospital hopital krankenhaus ziekenhuis ips eps ubs puesto posto
    unidad unidade institute instituto institut office oficina bureau buro mairie rathaus
    gemeentehuis ayuntamiento prefeitura alcaldia park parque parc museum museo musee market
    mercado marche markt store tienda shop laden winkel restaurant cafe bar hotel motel inn
    community senior recreation medical fire police post court courthouse department
    hurricane storm typhoon tropical cyclone depression huracan tormenta ouragan tempete
    tempestade orkan sturm storm tornado
    north south east west new lake port fort mount saint san santa sao villa ville city town
    county state province region district municipality village
    """
)
_DOTTED_ABBREVIATION = re.compile(r"^(?:[^\W\d_]{1,5}\.-?){1,3}[^\W\d_]{0,4}\.?$")
"""Degrees and titles such as ``B.Sc.``, ``Univ.Prof.`` (a single initial ``J.`` is kept)."""
_STREET_WORDS = _words(
    "street avenue ave road rd drive boulevard blvd terrace crescent parkway highway plaza "
    "strasse straße"
)
_NAME_TOKEN = re.compile(r"^[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*\.?$")


def fold(word: str) -> str:
    """Lower-case and strip accents: ``José`` -> ``jose``."""
    decomposed = unicodedata.normalize("NFKD", word.replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _dictionary() -> dict[str, str]:
    text = resources.files("classifier.engine").joinpath(DATA_FILE).read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, kinds = line.partition("\t")
            entries[name.strip()] = kinds.strip() or "fl"
    return entries


@cache
def known_names() -> frozenset[str]:
    """Every first and last name of the dictionary."""
    return frozenset(_dictionary())


@cache
def first_names() -> frozenset[str]:
    return frozenset(n for n, kinds in _dictionary().items() if "f" in kinds)


_INITIAL = re.compile(r"^[^\W\d_]\.?$")


def check_person_name(value: str) -> Strength:
    """DISTINCTIVE when the value is made of name-like words and one of them is a known first
    name (``Smith, John``, ``Dr. Jane Doe``, ``MARIA``); VALID when only a known last name
    (``O'Brien``); PLAUSIBLE for 1-3 capitalised words not in the dictionary and for a single
    initial (``J.``). Words of organisations, facilities, places and storms rule a value out."""
    if len(value) > 80:
        return Strength.NONE
    if _INITIAL.match(value):
        return Strength.PLAUSIBLE
    words = value.replace(",", " ").split()
    folded = [fold(w).rstrip(".") for w in words]
    kept = [
        (w, f)
        for w, f in zip(words, folded, strict=True)
        if f not in _TITLES
        and f not in _SUFFIXES
        and not (len(w) > 2 and _DOTTED_ABBREVIATION.match(w))
    ]
    if not 1 <= len(kept) <= 5:
        return Strength.NONE
    if any(not _NAME_TOKEN.match(w) or f in _BUSINESS_WORDS for w, f in kept):
        return Strength.NONE
    if len(kept) > 1 and kept[-1][1] in _STREET_WORDS:
        return Strength.NONE
    names, first = known_names(), first_names()
    known = False
    for _, f in kept:
        for part in f.split("-"):
            if len(part) >= 2 and part in first:
                return Strength.DISTINCTIVE
            known = known or (len(part) >= 2 and part in names)
    if known:
        return Strength.VALID
    if 1 <= len(kept) <= 3 and all(w[0].isupper() and len(w) >= 2 for w, _ in kept):
        return Strength.PLAUSIBLE  # a single capitalised word too: a surname not in the list
    return Strength.NONE


def known_in(value: str) -> set[str]:
    """The dictionary names a value contains (folded)."""
    names = known_names()
    return {
        part
        for word in value.replace(",", " ").split()
        for part in fold(word).rstrip(".").split("-")
        if part in names
    }
