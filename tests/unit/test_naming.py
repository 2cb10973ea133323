import pytest

from meshcore.domain.errors import PermanentError
from meshcore.domain.naming import central_database_name, split_central_database_name


def test_two_producers_with_the_same_database_never_collide() -> None:
    assert central_database_name("ar", "sales") != central_database_name("ap", "sales")


def test_central_name_splits_back_even_when_the_source_has_double_underscores() -> None:
    name = central_database_name("ledger_eu", "gl__2026")
    assert name == "ledger_eu__gl__2026"
    assert split_central_database_name(name) == ("ledger_eu", "gl__2026")


@pytest.mark.parametrize("domain", ["AR", "a__b", "1ar", "", "ar-x", "a" * 33])
def test_invalid_domains_are_refused_with_a_hint(domain: str) -> None:
    with pytest.raises(PermanentError, match="lower-case letters"):
        central_database_name(domain, "sales")


def test_names_longer_than_glue_allows_are_refused() -> None:
    with pytest.raises(PermanentError, match="255"):
        central_database_name("ar", "x" * 260)
