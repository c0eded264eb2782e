"""The dues rule of 中组发〔2008〕3号 (DOMAIN.md §6): one rate on the whole base, edges in the lower bracket."""

import decimal
from decimal import Decimal

import pytest

from members.dues.rules import KINDS, monthly_dues, rate_for


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("2000", "10.00"),
        ("3000", "15.00"),  # the edge belongs to the lower bracket: 0.5%
        ("3000.01", "30.00"),  # one fen above: 1% on the whole base, not only on the part above
        ("4000", "40.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),  # 1.5% of 5000.01 = 75.00015
        ("8000", "120.00"),  # the regulation's own example
        ("10000", "150.00"),
        ("10000.01", "200.00"),  # 2% of 10000.01 = 200.0002
        ("25000", "500.00"),
    ],
)
def test_wage_earners_pay_one_rate_on_the_whole_base(base, expected):
    assert monthly_dues(Decimal(base), "employed") == Decimal(expected)


@pytest.mark.parametrize(("base", "expected"), [("3000", "15.00"), ("3000.01", "30.00"), ("10000.01", "200.00")])
def test_the_self_employed_follow_the_wage_brackets(base, expected):
    assert monthly_dues(Decimal(base), "self_employed") == Decimal(expected)


@pytest.mark.parametrize(
    ("base", "expected"),
    [("3000", "15.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00"), ("12000", "120.00")],
)
def test_retirees_have_their_own_brackets(base, expected):
    assert monthly_dues(Decimal(base), "retired") == Decimal(expected)


@pytest.mark.parametrize("kind", ["student", "unemployed", "low_income", "rural"])
def test_students_the_unemployed_members_on_relief_and_rural_members_pay_twenty_fen(kind):
    assert monthly_dues(None, kind) == Decimal("0.20")
    assert monthly_dues(Decimal("9000"), kind) == Decimal("0.20")  # whatever the base
    assert rate_for(None, kind) is None


def test_the_edges_give_the_lower_brackets_rate():
    assert rate_for(Decimal("3000"), "employed") == Decimal("0.005")
    assert rate_for(Decimal("5000"), "employed") == Decimal("0.01")
    assert rate_for(Decimal("10000"), "employed") == Decimal("0.015")
    assert rate_for(Decimal("10000.01"), "employed") == Decimal("0.02")
    assert rate_for(Decimal("5000"), "retired") == Decimal("0.005")
    assert rate_for(Decimal("5000.01"), "retired") == Decimal("0.01")


def test_amounts_are_rounded_half_up_to_the_fen_by_default():
    assert monthly_dues(Decimal("3001"), "employed") == Decimal("30.01")
    # 1% of 3000.50 = 30.005: half a fen goes up.
    assert monthly_dues(Decimal("3000.50"), "employed") == Decimal("30.01")
    # 0.5% of 2999.99 = 14.99995 → 15.00
    assert monthly_dues(Decimal("2999.99"), "employed") == Decimal("15.00")
    # 1.5% of 5000.30 = 75.0045 → 75.00
    assert monthly_dues(Decimal("5000.30"), "employed") == Decimal("75.00")


def test_the_base_may_be_given_as_text_int_or_float():
    assert monthly_dues("8000", "employed") == Decimal("120.00")
    assert monthly_dues(8000, "employed") == Decimal("120.00")
    assert monthly_dues(3000.01, "employed") == Decimal("30.00")


def test_the_rounding_mode_and_quantum_can_be_chosen():
    assert monthly_dues(Decimal("3000.50"), "employed", rounding=decimal.ROUND_HALF_EVEN) == Decimal("30.00")
    assert monthly_dues(Decimal("3000.50"), "employed", rounding=decimal.ROUND_DOWN) == Decimal("30.00")
    assert monthly_dues(Decimal("3001"), "employed", rounding=decimal.ROUND_UP) == Decimal("30.01")
    assert monthly_dues(Decimal("3055"), "employed", quantum="0.1") == Decimal("30.6")
    assert monthly_dues(Decimal("3055"), "employed", quantum="1") == Decimal("31")
    assert monthly_dues(None, "student", quantum="0.1") == Decimal("0.2")


def test_the_rounding_follows_the_settings(settings):
    settings.DUES_ROUNDING_QUANTUM = "0.1"
    settings.DUES_ROUNDING = decimal.ROUND_DOWN
    assert monthly_dues(Decimal("3099"), "employed") == Decimal("30.9")


@pytest.mark.parametrize(
    ("base", "kind"),
    [
        (None, "employed"),
        ("", "retired"),
        ("abc", "employed"),
        (Decimal("-1"), "employed"),
        (Decimal("NaN"), "employed"),
        (Decimal("Infinity"), "employed"),
        (Decimal("8000"), "farmer"),
        (Decimal("8000"), ""),
    ],
)
def test_bad_input_raises_value_error(base, kind):
    with pytest.raises(ValueError):
        monthly_dues(base, kind)


def test_an_unknown_rounding_mode_raises_value_error():
    with pytest.raises(ValueError):
        monthly_dues(Decimal("8000"), "employed", rounding="ROUND_SIDEWAYS")


def test_every_kind_has_an_amount():
    for kind in KINDS:
        assert monthly_dues(Decimal("4000"), kind) > 0
