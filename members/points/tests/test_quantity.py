"""A source's record may carry a quantity (a study session of 3 hours under "each study hour"): worth the rule's
points times the quantity, within the yearly cap; records without one are worth the rule's points as before."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from members.points import selectors as points_selectors
from members.points import services as points
from members.points.models import PointEntry, PointRule
from members.points.tests.factories import member_a as member_a  # fixtures (see points_factories)
from members.points.tests.factories import rule as rule
from members.points.tests.factories import this_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_sources(monkeypatch):
    """Sources registered by a test stay in that test."""
    monkeypatch.setattr(points, "_sources", defaultdict(dict))


def test_a_record_with_a_quantity_is_worth_the_rules_points_times_the_quantity(rule, member_a, own_sources):
    day = datetime.date(this_year(), 1, 5)

    @points.source("study_hours")
    def sessions(building_id, since, until):
        yield member_a.pk, "study.studyparticipation:1", day, "集中学", Decimal("3.0")
        yield member_a.pk, "study.studyparticipation:2", day, "帮学", Decimal("1.5")  # half up: 2
        yield member_a.pk, "study.studyparticipation:3", day, "送学"  # no quantity: the rule's points

    counts = points.credit_automatic()

    entries = dict(PointEntry.objects.filter(member=member_a).values_list("source", "points"))
    assert entries == {
        "study.studyparticipation:1": 3,
        "study.studyparticipation:2": 2,
        "study.studyparticipation:3": 1,
    }
    assert (counts["credited"], counts["points"], counts["capped"]) == (3, 6, 0)


def test_a_quantity_counts_against_the_yearly_cap(rule, member_a, own_sources):
    PointRule.objects.filter(pk=rule["study_hours"].pk).update(yearly_cap=5)
    day = datetime.date(this_year(), 1, 5)

    @points.source("study_hours")
    def sessions(building_id, since, until):
        yield member_a.pk, "study.studyparticipation:1", day, "集中学", Decimal("4")
        yield member_a.pk, "study.studyparticipation:2", day, "集中学", Decimal("4")
        yield member_a.pk, "study.studyparticipation:3", day, "集中学", Decimal("4")

    counts = points.credit_automatic()

    assert list(PointEntry.objects.filter(member=member_a).order_by("source").values_list("points", flat=True)) == [
        4,
        1,
        0,
    ]
    assert counts["capped"] == 2


def test_credit_takes_a_quantity_too(rule, member_a):
    day = datetime.date(this_year(), 1, 5)
    entry = points.credit(
        rule_code="study_hours", member=member_a, source="study.studyparticipation:9", occurred_on=day, quantity=2
    )
    assert entry.points == 2
    assert points.worth(rule["study_hours"], Decimal("0.4")) == 0
    assert points.worth(rule["dues_on_time"]) == 2


def test_the_ledger_marks_the_cap_reached_by_the_running_total_not_by_an_entrys_size(
    rule, member_a, member_client, own_sources
):
    PointRule.objects.filter(pk=rule["study_hours"].pk).update(yearly_cap=5)
    day = datetime.date(this_year(), 1, 5)

    @points.source("study_hours")
    def sessions(building_id, since, until):
        yield member_a.pk, "study.studyparticipation:1", day, "集中学", Decimal("3")
        yield member_a.pk, "study.studyparticipation:2", day, "集中学", Decimal("3")
        yield member_a.pk, "study.studyparticipation:3", day, "集中学", Decimal("3")

    points.credit_automatic()

    ledger = points_selectors.member_ledger(member_a, this_year())
    capped = {e.source: e.capped for e in ledger.entries}
    assert capped == {
        "study.studyparticipation:1": False,  # 3 points from a 1-point rule: not the cap
        "study.studyparticipation:2": True,  # reached 5
        "study.studyparticipation:3": True,  # nothing left
    }
    body = member_client.get(reverse("points:mine")).content.decode()
    assert body.count("已达年度上限") == 2  # two entries, in the one table (its rows are the phone's cards)
