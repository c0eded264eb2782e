import datetime

import pytest
from django.core.exceptions import ValidationError

from members.validators import (
    id_birth_date,
    id_check_char,
    id_gender,
    mask_id_number,
    validate_id_number,
    validate_mobile,
)

VALID = ["440524188001010014", "320106198808081232", "330203199503152047"]


@pytest.mark.parametrize("value", VALID)
def test_published_examples_are_valid(value):
    assert validate_id_number(value) == value


def test_lower_case_x_is_accepted_and_stored_upper_case():
    first17 = "11010519491231002"
    assert id_check_char(first17) == "X"
    assert validate_id_number(first17 + "x") == first17 + "X"


def test_surrounding_spaces_are_ignored():
    assert validate_id_number(" 320106198808081232 ") == "320106198808081232"


@pytest.mark.parametrize(
    "value, code",
    [
        ("320106198808081233", "check_digit"),  # one digit off in the check character
        ("320106198808180232", "check_digit"),  # two digits swapped
        ("32010619880808123", "length"),
        ("3201061988080812321", "length"),
        ("", "length"),
        ("32010619880808123A", "characters"),
        ("3201061988O8081232", "characters"),
        ("320106198802301232", "birth_date"),  # 30 February
        ("320106198813011232", "birth_date"),  # month 13
    ],
)
def test_bad_id_numbers_are_rejected_with_a_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == code


def test_a_birth_date_in_the_future_is_rejected():
    first17 = "33028220991231001"
    with pytest.raises(ValidationError) as exc:
        validate_id_number(first17 + id_check_char(first17), today=datetime.date(2026, 11, 27))
    assert exc.value.code == "birth_date"


def test_birth_date_and_gender_come_from_the_number():
    assert id_birth_date("320106198808081232") == datetime.date(1988, 8, 8)
    assert id_gender("320106198808081232") == "M"  # 17th character 3: odd
    assert id_gender("330203199503152047") == "F"  # 17th character 4: even


def test_masking_keeps_region_and_last_four_only():
    assert mask_id_number("330282199001011231") == "330282********1231"


@pytest.mark.parametrize("value", ["13912345678", "19800001111"])
def test_mainland_mobiles_are_valid(value):
    assert validate_mobile(value) == value


@pytest.mark.parametrize("value", ["1391234567", "23912345678", "12012345678", "139-1234-5678", "+8613912345678"])
def test_other_phone_numbers_are_not_mobiles(value):
    with pytest.raises(ValidationError):
        validate_mobile(value)
