"""Points (积分): default rules, automatic crediting exactly once within the yearly cap, claims, deductions,
the ledger, leaderboards and the timeline."""

import datetime
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from buildingparty.models import Notification
from members import timeline
from members.points import selectors as points_selectors
from members.points import services as points
from members.points.models import PointEntry, PointRule, PointYear
from members.points.tests.factories import claim, days_ago, rules, this_year, upload
from members.points.tests.factories import member_a as member_a  # fixtures (see points_factories)
from members.points.tests.factories import rule as rule
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = PointEntry.Status


def last_year_month(month: int) -> datetime.date:
    return datetime.date(this_year() - 1, month, 1)


def dues_entries(member):
    return PointEntry.objects.filter(member=member, rule__code="dues_on_time").order_by("occurred_on")


# --- default rules ------------------------------------------------------------------------------------------


def test_default_rules_are_added_once_and_an_admins_edits_are_kept(building):
    assert points.ensure_default_rules(building) == len(points.DEFAULT_RULES)
    PointRule.objects.filter(building=building, code="dues_on_time").update(points=3, name="按时交党费")
    assert points.ensure_default_rules(building) == 0
    dues = PointRule.objects.get(building=building, code="dues_on_time")
    assert (dues.points, dues.name, dues.yearly_cap) == (3, "按时交党费", 24)
    assert PointRule.objects.filter(building=building).count() == len(points.DEFAULT_RULES)


def test_default_rules_cover_every_kind_and_are_stored_in_chinese(building):
    with translation.override("en"):
        points.ensure_default_rules(building)
    by_code = {r.code: r for r in PointRule.objects.filter(building=building)}
    assert by_code["dues_on_time"].name == "党费按时交纳" and by_code["dues_on_time"].points == 2
    assert {"meeting_attendance", "volunteering", "study_hours"} <= {
        code for code, r in by_code.items() if r.kind == PointRule.Kind.AUTOMATIC
    }
    assert any(r.kind == PointRule.Kind.CLAIMED for r in by_code.values())
    assert by_code["meeting_absent"].points == -2 and by_code["meeting_absent"].kind == PointRule.Kind.DEDUCTION


def test_each_building_has_its_own_rules(building):
    other = BuildingFactory(name="别的大厦")
    points.ensure_default_rules(building)
    points.ensure_default_rules(other)
    assert PointRule.objects.filter(code="dues_on_time").count() == 2


# --- automatic points from dues -----------------------------------------------------------------------------


def test_a_later_app_plugs_in_its_source_with_a_decorator(rule, member_a, monkeypatch):
    monkeypatch.setattr(points, "_sources", defaultdict(dict, {k: dict(v) for k, v in points._sources.items()}))
    held_on = last_year_month(4)

    @points.source("volunteering")
    def cleanup_day(building_id, since, until):
        yield member_a.pk, "activities.signup:7", held_on, "楼道清洁志愿活动"
        yield member_a.pk, "activities.signup:7", held_on, "楼道清洁志愿活动"  # the same record twice

    counts = points.credit_automatic()

    entry = PointEntry.objects.get(rule__code="volunteering")
    assert (entry.member, entry.points, entry.source, entry.note) == (
        member_a,
        3,
        "activities.signup:7",
        "楼道清洁志愿活动",
    )
    assert counts["credited"] == 1
    assert points.credit_automatic()["credited"] == 0


def test_credit_credits_one_record_at_once_and_only_once(rule, member_a):
    first = points.credit(
        rule_code="volunteering", member=member_a, source="activities.signup:1", occurred_on=days_ago(2), note="义诊"
    )
    again = points.credit(
        rule_code="volunteering", member=member_a, source="activities.signup:1", occurred_on=days_ago(2), note="义诊"
    )
    assert first.pk == again.pk and first.points == 3 and first.status == Status.APPROVED
    assert PointEntry.objects.count() == 1


def test_credit_applies_the_cap_and_answers_none_without_the_rule(rule, member_a):
    PointRule.objects.filter(pk=rule["study_hours"].pk).update(yearly_cap=1, points=1)
    one = points.credit(rule_code="study_hours", member=member_a, source="x:1", occurred_on=days_ago(1))
    two = points.credit(rule_code="study_hours", member=member_a, source="x:2", occurred_on=days_ago(1))
    assert (one.points, two.points) == (1, 0)
    assert points.credit(rule_code="no_such_rule", member=member_a, source="x:3", occurred_on=days_ago(1)) is None


# --- claims -------------------------------------------------------------------------------------------------


def test_a_claim_waits_for_the_secretary_who_is_told(rule, member_a, secretary_a, secretary_b):
    entry = claim(member_a, rule["honour"], note="获评优秀志愿者")
    assert (entry.status, entry.points, entry.year) == (Status.PENDING, 5, entry.occurred_on.year)
    assert entry.created_by == member_a.user
    assert not entry.evidence.name.endswith("证书.pdf")  # stored under a random name
    assert Notification.objects.filter(user=secretary_a, event="points_claim_submitted").count() == 1
    assert not Notification.objects.filter(user=secretary_b).exists()
    assert points_selectors.member_ledger(member_a, entry.year).total == 60


def test_a_claim_in_a_group_goes_to_the_branch_secretary(rule, group_a, secretary_a):
    user = UserFactory(username="group_member", role="member", building=group_a.building)
    member = MemberFactory(organization=group_a, user=user)
    claim(member, rule["study_claimed"])
    assert Notification.objects.filter(user=secretary_a, event="points_claim_submitted").exists()


def test_approving_a_claim_counts_it_and_tells_the_member(rule, member_a, secretary_a):
    entry = claim(member_a, rule["honour"], note="获评优秀志愿者")
    points.claim_decide(entry=entry, approve=True, decided_by=secretary_a)
    entry.refresh_from_db()
    assert (entry.status, entry.points, entry.decided_by) == (Status.APPROVED, 5, secretary_a)
    assert points_selectors.member_ledger(member_a, entry.year).total == 65
    note = Notification.objects.get(user=member_a.user, event="points_claim_approved")
    assert "获得表彰奖励（申报）" in note.title and "5" in note.title


def test_a_claim_is_decided_once(rule, member_a, secretary_a):
    entry = claim(member_a, rule["honour"])
    points.claim_decide(entry=entry, approve=True, decided_by=secretary_a)
    with pytest.raises(ValidationError):
        points.claim_decide(entry=entry, approve=False, decided_by=secretary_a, note="重复")
    assert Notification.objects.filter(user=member_a.user).count() == 1


def test_rejecting_needs_a_reason_which_the_member_is_told(rule, member_a, secretary_a):
    entry = claim(member_a, rule["study_claimed"])
    with pytest.raises(ValidationError) as error:
        points.claim_decide(entry=entry, approve=False, decided_by=secretary_a, note="  ")
    assert "decision_note" in error.value.message_dict
    points.claim_decide(entry=entry, approve=False, decided_by=secretary_a, note="证书不清晰，请重新上传")
    entry.refresh_from_db()
    assert entry.status == Status.REJECTED and entry.decision_note == "证书不清晰，请重新上传"
    note = Notification.objects.get(user=member_a.user, event="points_claim_rejected")
    assert "证书不清晰，请重新上传" in note.body
    ledger = points_selectors.member_ledger(member_a, entry.year)
    assert ledger.total == 60 and ledger.rejected == [entry]


def test_an_approved_claim_gets_only_what_the_cap_leaves(rule, member_a, secretary_a):
    PointRule.objects.filter(pk=rule["honour"].pk).update(yearly_cap=7)
    first, second = claim(member_a, rule["honour"]), claim(member_a, rule["honour"], note="第二项荣誉")
    points.claim_decide(entry=first, approve=True, decided_by=secretary_a)
    points.claim_decide(entry=second, approve=True, decided_by=secretary_a)
    second.refresh_from_db()
    assert second.points == 2
    assert "年度上限" in Notification.objects.filter(user=member_a.user).order_by("pk").last().body


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rule": "meeting_absent"}, "rule"),
        ({"rule": "volunteering"}, "rule"),
        # dates as functions: taken when the test runs, not when the module is imported
        ({"occurred_on": lambda: timezone.localdate() + datetime.timedelta(days=1)}, "occurred_on"),
        ({"occurred_on": lambda: datetime.date(timezone.localdate().year - 2, 12, 31)}, "occurred_on"),
        ({"note": "   "}, "note"),
    ],
)
def test_a_claim_must_use_a_claimed_rule_a_sensible_date_and_say_what_for(rule, member_a, change, field):
    kwargs = {"rule": rule["honour"], "occurred_on": days_ago(1), "note": "荣誉"}
    kwargs.update({k: rule[v] if k == "rule" else v() if callable(v) else v for k, v in change.items()})
    with pytest.raises(ValidationError) as error:
        points.claim_submit(member=member_a, evidence=upload(), by=member_a.user, **kwargs)
    assert field in error.value.message_dict
    assert not PointEntry.objects.exists()


def test_a_rule_of_another_building_cannot_be_claimed(member_a):
    foreign = rules(BuildingFactory(name="别的大厦"))["honour"]
    with pytest.raises(ValidationError):
        claim(member_a, foreign)


# --- deductions ---------------------------------------------------------------------------------------------


def test_a_deduction_takes_points_off_and_tells_the_member(rule, member_a, secretary_a):
    entry = points.deduction_record(
        member=member_a, rule=rule["meeting_absent"], occurred_on=days_ago(4), note="缺席主题党日", by=secretary_a
    )
    assert (entry.points, entry.status, entry.created_by) == (-2, Status.APPROVED, secretary_a)
    assert points_selectors.member_ledger(member_a, entry.year).total == 58
    note = Notification.objects.get(user=member_a.user, event="points_deducted")
    assert "缺席主题党日" in note.body


def test_deductions_stop_at_their_cap(rule, member_a, secretary_a):
    PointRule.objects.filter(pk=rule["meeting_absent"].pk).update(yearly_cap=3)
    made = [
        points.deduction_record(
            member=member_a, rule=rule["meeting_absent"], occurred_on=days_ago(n), note=f"缺席{n}", by=secretary_a
        ).points
        for n in (1, 2, 3)
    ]
    assert made == [-2, -1, 0]


def test_a_deduction_needs_a_deduction_rule_and_a_reason(rule, member_a, secretary_a):
    for kwargs in ({"rule": rule["honour"], "note": "原因"}, {"rule": rule["meeting_absent"], "note": ""}):
        with pytest.raises(ValidationError):
            points.deduction_record(member=member_a, occurred_on=days_ago(1), by=secretary_a, **kwargs)


# --- rules --------------------------------------------------------------------------------------------------


def test_a_rule_in_use_is_taken_out_of_use_and_an_unused_one_deleted(rule, member_a, secretary_a):
    claim(member_a, rule["honour"])
    assert points.rule_retire(rule=rule["honour"]) is False
    rule["honour"].refresh_from_db()
    assert not rule["honour"].is_active
    assert points.rule_retire(rule=rule["suggestion_adopted"]) is True
    assert not PointRule.objects.filter(pk=rule["suggestion_adopted"].pk).exists()


def test_a_rule_in_use_keeps_its_code_and_kind(rule, member_a):
    claim(member_a, rule["honour"])
    honour = PointRule.objects.get(pk=rule["honour"].pk)
    honour.code = "honours"
    with pytest.raises(ValidationError):
        points.rule_save(rule=honour)
    honour = PointRule.objects.get(pk=rule["honour"].pk)
    honour.points, honour.name = 6, "获得表彰"
    points.rule_save(rule=honour)
    assert PointRule.objects.get(pk=honour.pk).points == 6


def test_the_base_score_of_a_year_comes_from_the_building_or_the_setting(building, settings):
    settings.POINTS_BASE_SCORE = 65
    assert points.base_score(building.pk, 2030) == 65
    points.point_year_set(building=building, year=2030, base_score=70)
    points.point_year_set(building=building, year=2030, base_score=68)
    assert points.base_score(building.pk, 2030) == 68 and PointYear.objects.count() == 1


# --- reading ------------------------------------------------------------------------------------------------


def test_the_ledger_adds_approved_entries_to_the_base_score(rule, member_a, secretary_a, building):
    year = this_year()
    points.point_year_set(building=building, year=year, base_score=70)
    approved = claim(member_a, rule["honour"])
    points.claim_decide(entry=approved, approve=True, decided_by=secretary_a)
    pending = claim(member_a, rule["study_claimed"])
    points.deduction_record(
        member=member_a, rule=rule["meeting_absent"], occurred_on=days_ago(1), note="缺席", by=secretary_a
    )
    ledger = points_selectors.member_ledger(member_a, year)
    assert (ledger.base, ledger.earned, ledger.deducted, ledger.total) == (70, 5, -2, 73)
    assert ledger.pending == [pending]


def test_approved_points_appear_on_the_members_timeline(rule, member_a, secretary_a):
    approved = claim(member_a, rule["honour"], note="获评优秀志愿者")
    points.claim_decide(entry=approved, approve=True, decided_by=secretary_a)
    claim(member_a, rule["study_claimed"], note="还在等审核")
    events = [e for e in timeline.events_for(member_a) if "积分" in e.title]
    assert [(e.title, e.detail) for e in events] == [("积分+5：获得表彰奖励（申报）", "获评优秀志愿者")]
    assert events[0].url.endswith(f"?year={approved.year}")


def test_another_buildings_member_does_not_count_on_the_board(rule, branch_a):
    other_branch = OrganizationFactory(building=BuildingFactory(name="别的大厦"))
    MemberFactory(organization=other_branch)
    MemberFactory(organization=branch_a)
    assert len(points_selectors.branch_board(branch_a, this_year()).rows) == 1
