import pytest
from django.core.exceptions import ValidationError

from enterprises.validators import credit_check_char, validate_credit_code


@pytest.mark.parametrize("value", ["91330200MA2H4K7Q52", "52330282MJ0000123W"])
def test_published_examples_are_valid(value):
    assert validate_credit_code(value) == value


def test_lower_case_is_accepted_and_stored_upper_case():
    assert validate_credit_code("91330200ma2h4k7q52") == "91330200MA2H4K7Q52"


def test_a_check_value_of_31_means_zero():
    # Search a code whose weighted sum is a multiple of 31: its check character must be "0".
    for n in range(10_000):
        first17 = f"9133028200000{n:04d}"
        if credit_check_char(first17) == "0":
            assert validate_credit_code(first17 + "0")
            return
    pytest.fail("no code with check character 0 found")


@pytest.mark.parametrize(
    "value, code",
    [
        ("91330200MA2H4K7Q53", "check_digit"),
        ("91330200MA2H4K7Q5", "length"),
        ("91330200MA2H4K7Q522", "length"),
        ("91330200MA2H4K7I52", "characters"),  # I is never used
        ("91330200MA2H4K7O52", "characters"),  # nor O
        ("91330200MA2H4S7Q52", "characters"),  # nor S
        ("91330200MA2V4K7Q52", "characters"),  # nor V
        ("91330200MA2Z4K7Q52", "characters"),  # nor Z
    ],
)
def test_bad_credit_codes_are_rejected_with_a_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    assert exc.value.code == code
