"""The member's timeline stays readable: monthly dues and points fold into one line per year."""

import datetime
import re
from decimal import Decimal

from members.dues.models import DuesPayment
from members.points import services as points
from members.points.models import PointEntry, PointRule
from tests.factories import MemberFactory


def _two_years_of_routine(member, building):
    points.ensure_default_rules(building)
    rule = PointRule.objects.filter(building=building).first()
    for year in (2024, 2025):
        for m in range(1, 13):
            day = datetime.date(year, m, 5)
            DuesPayment.objects.create(
                member=member, amount=Decimal("120.00"), paid_on=day, first_month=day.replace(day=1),
                last_month=day.replace(day=1),
            )  # fmt: skip
            PointEntry.objects.create(
                member=member, rule=rule, year=year, occurred_on=day, points=2, source=f"test:{year}-{m}"
            )


def test_rule_monthly_dues_and_points_fold_into_one_line_per_year_so_joining_stays_in_view(
    secretary_a_client, branch_a, building
):
    member = MemberFactory(
        organization=branch_a, joined_on=datetime.date(2023, 7, 1), full_member_on=datetime.date(2024, 7, 1)
    )
    _two_years_of_routine(member, building)

    response = secretary_a_client.get(member.get_absolute_url())

    body = response.content.decode()
    timeline = body.split('data-testid="timeline"', 1)[1].split("</ol>\n    </section>", 1)[0]
    folds = re.findall(r'<li class="list-group-item" data-testid="timeline-fold">.*?</details>', timeline, re.S)
    assert len(folds) == 4  # dues 2024, dues 2025, points 2024, points 2025
    summaries = sorted(re.search(r"<summary>.*?</i> (.*?)</summary>", fold, re.S).group(1) for fold in folds)
    assert summaries == ["2024年党费交纳（12条）", "2024年积分（12条）", "2025年党费交纳（12条）", "2025年积分（12条）"]
    # Outside the folded lines, the milestones: joining and becoming a full member.
    outside = re.sub(r"<details>.*?</details>", "", timeline, flags=re.S)
    assert "入党" in outside and "转为正式党员" in outside
    assert outside.count("<li") == 2 + 4
    # Each fold opens (no script) on the year's twelve payments or entries.
    assert all(fold.count('<li class="d-flex gap-2 py-1">') == 12 for fold in folds)


def test_a_fold_sits_where_its_newest_event_falls(secretary_a_client, branch_a, building):
    member = MemberFactory(
        organization=branch_a, joined_on=datetime.date(2024, 6, 1), full_member_on=datetime.date(2025, 6, 1)
    )
    _two_years_of_routine(member, building)

    lines = secretary_a_client.get(member.get_absolute_url()).context["timeline"]

    dates = [line.date for line in lines]
    assert dates == sorted(dates, reverse=True)
    assert [getattr(line, "year", None) for line in lines if hasattr(line, "events")] == [2025, 2025, 2024, 2024]
