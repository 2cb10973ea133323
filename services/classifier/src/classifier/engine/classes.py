"""The sensitivity classes the engine recommends, with one-sentence descriptions.

Class values double as Lake Formation tag values: lower-case, at most 50 characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# One class vocabulary: the domain's (its values are the Lake Formation tag values).
from meshcore.domain.classification import SensitivityClass

__all__ = ["CLASS_DESCRIPTIONS", "SensitivityClass"]


CLASS_DESCRIPTIONS: Mapping[SensitivityClass, str] = MappingProxyType(
    {
        SensitivityClass.PERSON_NAME: (
            "First, last or full names of people, found from name phrases such as 'first_name' "
            "or 'customer_name' and from sampled values made of dictionary first and last names."
        ),
        SensitivityClass.EMAIL_ADDRESS: (
            "Email addresses, found from name phrases such as 'email' and from sampled values "
            "that pass email address syntax validation."
        ),
        SensitivityClass.PHONE_NUMBER: (
            "Telephone, mobile and fax numbers, found from name phrases such as 'phone' or "
            "'mobile_no' and from sampled values that are valid numbers for the column's region."
        ),
        SensitivityClass.CUSTOMER_IDENTIFIER: (
            "Identifiers of customers, clients and their accounts, found mostly from name phrases "
            "such as 'customer_id', 'cust_no' or 'client_ref' (values have no fixed format)."
        ),
        SensitivityClass.BANK_ACCOUNT_NUMBER: (
            "Domestic bank account numbers, found from name phrases such as 'bank_account_number' "
            "or 'acct_no' together with digit-string values."
        ),
        SensitivityClass.IBAN: (
            "International bank account numbers, found from the name 'iban' and from sampled "
            "values that pass the IBAN country format and mod-97 checksum."
        ),
        SensitivityClass.BANK_ROUTING_CODE: (
            "Codes that identify a bank or branch (US ABA routing numbers, UK sort codes, "
            "BIC/SWIFT codes), found from name phrases and from the ABA checksum or code shapes."
        ),
        SensitivityClass.PAYMENT_CARD_NUMBER: (
            "Payment card numbers (PANs), found from name phrases such as 'card_number' and from "
            "sampled values that pass the Luhn checksum with a known issuer prefix and length."
        ),
        SensitivityClass.NATIONAL_IDENTIFIER: (
            "Government-issued personal identifiers such as US social security numbers, UK "
            "national insurance numbers, Dutch BSNs, Spanish DNIs, French NIRs, Brazilian CPFs "
            "or passport numbers, found from name phrases, check digits and validated formats."
        ),
        SensitivityClass.TAX_IDENTIFIER: (
            "Tax identification numbers such as US EINs and TINs, VAT numbers, NIFs, NITs or "
            "CNPJs, found from name phrases, EIN rules and check digits."
        ),
        SensitivityClass.POSTAL_ADDRESS: (
            "Street addresses and postal codes, found from name phrases such as 'address_line1' "
            "or 'zip_code' and from address-shaped values (house number, street suffix, unit, "
            "PO box, postcode)."
        ),
        SensitivityClass.DATE_OF_BIRTH: (
            "Dates of birth, found from name phrases such as 'dob' or 'birth_date' together with "
            "sampled dates that give ages between 0 and 120 years."
        ),
        SensitivityClass.IP_ADDRESS: (
            "IPv4 and IPv6 addresses, found from name phrases such as 'ip_address' and from "
            "sampled values that parse as IP addresses."
        ),
    }
)
