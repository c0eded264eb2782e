"""Points pages: my points, a member's ledger, claiming with evidence, the claims queue, deductions, the
leaderboard, rules and base scores, and the home-page panels."""

import datetime

import pytest
from django.urls import reverse

from buildingparty.models import Notification
from members.dues.tests.factories import bill_paid as paid_bill  # points earned by paying dues on time
from members.points import services as points
from members.points.models import PointEntry, PointRule, PointYear
from members.points.tests.factories import PDF, PNG, claim, days_ago, this_year, upload
from members.points.tests.factories import member_a as member_a  # fixtures (see points_factories)
from members.points.tests.factories import rule as rule
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = PointEntry.Status
MAX = points.MAX_EVIDENCE_SIZE


@pytest.fixture
def claim_a(rule, member_a):
    return claim(member_a, rule["honour"], note="获评优秀志愿者")


@pytest.fixture
def member_b(branch_b):
    user = UserFactory(username="member_b", role="member", building=branch_b.building)
    return MemberFactory(organization=branch_b, user=user)


def url(name, *args):
    return reverse(f"points:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, claim_a, member_a, rule):
    for target in [
        url("mine"),
        url("claim"),
        url("claims"),
        url("member", member_a.pk),
        url("deduct", member_a.pk),
        url("evidence", claim_a.pk),
        url("board"),
        url("rules"),
        url("rule_create"),
        url("rule_edit", rule["honour"].pk),
        url("years"),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    for target in [url("decide", claim_a.pk), url("rule_retire", rule["honour"].pk)]:
        assert client.post(target)["Location"].startswith(reverse("login")), target


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_are_refused_the_points_pages(request, login_as, persona, claim_a, member_a):
    client = login_as(request.getfixturevalue(persona))
    for target in [
        url("mine"),
        url("claim"),
        url("claims"),
        url("member", member_a.pk),
        url("deduct", member_a.pk),
        url("board"),
        url("rules"),
        url("years"),
    ]:
        assert client.get(target).status_code == 403, target
    assert client.post(url("decide", claim_a.pk), {"decision": "approve"}).status_code == 403


def test_a_member_cannot_decide_deduct_or_change_rules(member_client, claim_a, member_a, rule):
    assert member_client.post(url("decide", claim_a.pk), {"decision": "approve"}).status_code == 403
    assert member_client.get(url("deduct", member_a.pk)).status_code == 403
    assert member_client.get(url("claims")).status_code == 403
    assert member_client.get(url("rule_create")).status_code == 403
    assert member_client.get(url("rule_edit", rule["honour"].pk)).status_code == 403
    assert member_client.post(url("rule_retire", rule["honour"].pk)).status_code == 403
    assert member_client.get(url("years")).status_code == 403
    claim_a.refresh_from_db()
    assert claim_a.status == Status.PENDING


def test_another_branchs_secretary_finds_nothing(login_as, secretary_b, claim_a, member_a):
    client = login_as(secretary_b)
    assert client.get(url("member", member_a.pk)).status_code == 404
    assert client.get(url("deduct", member_a.pk)).status_code == 404
    assert client.get(url("evidence", claim_a.pk)).status_code == 404
    assert client.post(url("decide", claim_a.pk), {"decision": "approve"}).status_code == 404
    assert claim_a.pk not in [e.pk for e in client.get(url("claims")).context["page"]]
    claim_a.refresh_from_db()
    assert claim_a.status == Status.PENDING


def test_another_member_finds_nothing(login_as, member_b, claim_a, member_a):
    client = login_as(member_b.user)
    assert client.get(url("member", member_a.pk)).status_code == 404
    assert client.get(url("evidence", claim_a.pk)).status_code == 404


def test_another_buildings_admin_finds_nothing(login_as, claim_a, member_a, rule):
    other = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))
    client = login_as(other)
    assert client.get(url("member", member_a.pk)).status_code == 404
    assert client.get(url("rule_edit", rule["honour"].pk)).status_code == 404
    assert client.post(url("rule_retire", rule["honour"].pk)).status_code == 404
    assert client.post(url("decide", claim_a.pk), {"decision": "approve"}).status_code == 404


def test_the_street_viewer_reads_but_changes_nothing(login_as, street_user, claim_a, member_a, rule):
    client = login_as(street_user)
    assert client.get(url("member", member_a.pk)).status_code == 200
    queue = client.get(url("claims"))
    assert queue.status_code == 200 and not queue.context["can_decide"]
    assert "decide-form" not in queue.content.decode()
    assert client.get(url("board")).status_code == 200
    assert client.get(url("rules")).status_code == 200
    assert client.post(url("decide", claim_a.pk), {"decision": "approve"}).status_code == 403
    assert client.get(url("deduct", member_a.pk)).status_code == 403
    assert client.get(url("rule_create")).status_code == 403
    assert client.get(url("mine")).status_code == 403  # no member record of their own


@pytest.mark.parametrize(
    "name, args",
    [("decide", "claim"), ("rule_retire", "rule"), ("rules_defaults", None)],
)
def test_actions_are_post_only(admin_client, claim_a, rule, name, args):
    arg = {"claim": [claim_a.pk], "rule": [rule["honour"].pk], None: []}[args]
    assert admin_client.get(url(name, *arg)).status_code == 405


@pytest.mark.parametrize("name", ["mine", "board", "rules", "claims"])
def test_reading_pages_refuse_a_post(admin_client, member_user, name):
    assert admin_client.post(url(name)).status_code in (403, 405)


# --- my points ----------------------------------------------------------------------------------------------


def test_a_member_sees_base_entries_and_total_and_claims_apart(member_client, member_a, rule, secretary_a):
    year = this_year()
    approved = claim(member_a, rule["honour"], note="获评优秀志愿者")
    points.claim_decide(entry=approved, approve=True, decided_by=secretary_a)
    claim(member_a, rule["study_claimed"], note="党校培训")
    points.deduction_record(
        member=member_a, rule=rule["meeting_absent"], occurred_on=days_ago(2), note="缺席主题党日", by=secretary_a
    )
    response = member_client.get(url("mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["ledger"].total == 63 and response.context["ledger"].year == year
    assert "我的积分" in html and 'data-testid="points-total">63<' in html
    assert "获评优秀志愿者" in html and "缺席主题党日" in html
    assert [e.note for e in response.context["ledger"].pending] == ["党校培训"]
    assert 'data-testid="pending-claims"' in html and "等待支部书记审核的申报" in html


def test_a_member_picks_another_year(member_client, member_a, rule, building):
    PointYear.objects.create(building=building, year=this_year() - 1, base_score=70)
    paid_bill(member_a, datetime.date(this_year() - 1, 3, 1))
    points.credit_automatic()
    response = member_client.get(url("mine"), {"year": this_year() - 1})
    assert response.context["ledger"].total == 72
    assert this_year() - 1 in response.context["years"]


def test_a_member_account_without_a_record_has_no_points_page(login_as, building):
    user = UserFactory(username="no_record", role="member", building=building)
    assert login_as(user).get(url("mine")).status_code == 403


def test_a_rejected_claim_shows_its_reason_to_the_member(member_client, claim_a, secretary_a):
    points.claim_decide(entry=claim_a, approve=False, decided_by=secretary_a, note="请补充获奖证书")
    html = member_client.get(url("mine")).content.decode()
    assert 'data-testid="rejected-claims"' in html and "请补充获奖证书" in html


# --- claiming -----------------------------------------------------------------------------------------------


def claim_data(rule, **overrides):
    data = {"rule": rule.pk, "occurred_on": days_ago(3).isoformat(), "note": "参加无偿献血", "evidence": upload()}
    data.update(overrides)
    return data


def test_a_member_claims_points_with_evidence(member_client, member_a, rule, secretary_a):
    response = member_client.get(url("claim"))
    assert response.status_code == 200 and 'enctype="multipart/form-data"' in response.content.decode()
    offered = set(response.context["form"].fields["rule"].queryset.values_list("kind", flat=True))
    assert offered == {PointRule.Kind.CLAIMED}

    response = member_client.post(url("claim"), claim_data(rule["volunteer_claimed"]))

    entry = PointEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == url("mine") + f"?year={entry.year}"
    assert (entry.member, entry.status, entry.points, entry.note) == (member_a, Status.PENDING, 3, "参加无偿献血")
    assert entry.evidence and Notification.objects.filter(user=secretary_a, event="points_claim_submitted").exists()


@pytest.mark.parametrize(
    "evidence, code",
    [
        (upload("证书.docx", PDF), "file_type"),
        (upload("证书.pdf", PDF, size=MAX + 1), "file_size"),
        (upload("照片.png", PDF), "file_content"),
        (upload("证书.pdf", b"<html>not a pdf</html>"), "file_content"),
    ],
)
def test_evidence_must_be_a_real_photo_or_pdf_of_at_most_10_mb(member_client, rule, evidence, code):
    response = member_client.post(url("claim"), claim_data(rule["honour"], evidence=evidence))
    assert response.status_code == 200
    assert code in [e.code for e in response.context["form"].errors.as_data()["evidence"]]
    assert not PointEntry.objects.exists()


def test_a_photo_of_exactly_10_mb_is_accepted(member_client, rule):
    response = member_client.post(url("claim"), claim_data(rule["honour"], evidence=upload("p.PNG", PNG, MAX)))
    assert response.status_code == 302 and PointEntry.objects.count() == 1


def test_a_claim_without_evidence_or_in_the_future_is_refused(member_client, rule):
    data = claim_data(rule["honour"])
    del data["evidence"]
    assert "evidence" in member_client.post(url("claim"), data).context["form"].errors
    future = claim_data(rule["honour"], occurred_on="2999-01-01")
    assert "occurred_on" in member_client.post(url("claim"), future).context["form"].errors
    assert not PointEntry.objects.exists()


def test_a_rule_out_of_use_cannot_be_claimed(member_client, rule):
    PointRule.objects.filter(pk=rule["honour"].pk).update(is_active=False)
    response = member_client.post(url("claim"), claim_data(rule["honour"]))
    assert "rule" in response.context["form"].errors


# --- the evidence -------------------------------------------------------------------------------------------


def test_the_member_and_their_secretary_see_the_evidence_in_the_browser(login_as, claim_a, member_user, secretary_a):
    for user in (member_user, secretary_a):
        response = login_as(user).get(url("evidence", claim_a.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline") and response["Content-Security-Policy"] == "sandbox"
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF


def test_an_entry_without_evidence_has_nothing_to_download(admin_client, member_a, rule, secretary_a):
    entry = points.deduction_record(
        member=member_a, rule=rule["meeting_absent"], occurred_on=days_ago(1), note="缺席", by=secretary_a
    )
    assert admin_client.get(url("evidence", entry.pk)).status_code == 404


# --- the claims queue ---------------------------------------------------------------------------------------


def test_the_secretary_sees_their_branchs_claims_waiting(secretary_a_client, claim_a, member_b, rule):
    claim(member_b, rule["honour"], note="第二支部的申报")
    response = secretary_a_client.get(url("claims"))
    assert [e.pk for e in response.context["page"]] == [claim_a.pk]
    html = response.content.decode()
    assert "获评优秀志愿者" in html and "第二支部的申报" not in html
    assert url("evidence", claim_a.pk) in html


def test_the_secretary_approves_a_claim_and_the_member_is_told(secretary_a_client, claim_a, member_a):
    response = secretary_a_client.post(url("decide", claim_a.pk), {"decision": "approve"}, follow=True)
    claim_a.refresh_from_db()
    assert claim_a.status == Status.APPROVED
    assert any("已通过" in m for m in messages_of(response))
    assert Notification.objects.filter(user=member_a.user, event="points_claim_approved").count() == 1
    assert points.base_score(member_a.organization.building_id, claim_a.year) + 5 == (
        secretary_a_client.get(url("member", member_a.pk)).context["ledger"].total
    )


def test_rejecting_without_a_reason_leaves_the_claim_waiting(secretary_a_client, claim_a, member_a):
    response = secretary_a_client.post(url("decide", claim_a.pk), {"decision": "reject"}, follow=True)
    claim_a.refresh_from_db()
    assert claim_a.status == Status.PENDING
    assert any("理由" in m for m in messages_of(response))
    secretary_a_client.post(url("decide", claim_a.pk), {"decision": "reject", "decision_note": "证书模糊"})
    claim_a.refresh_from_db()
    assert (claim_a.status, claim_a.decision_note) == (Status.REJECTED, "证书模糊")
    assert Notification.objects.filter(user=member_a.user, event="points_claim_rejected").count() == 1


def test_an_admin_decides_any_claim_of_the_building(admin_client, member_b, rule):
    entry = claim(member_b, rule["honour"])
    admin_client.post(url("decide", entry.pk), {"decision": "approve"})
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED


@pytest.mark.parametrize("scale", [1, 3])
def test_the_queue_runs_the_same_queries_at_1x_and_3x_claims(
    secretary_a_client, branch_a, rule, django_assert_num_queries, scale
):
    for n in range(4 * scale):
        member = MemberFactory(organization=branch_a)
        entry = claim(member, rule["honour"], note=f"申报{n}")
        if n % 2:
            points.claim_decide(entry=entry, approve=n % 4 == 1, decided_by=None, note="理由")
    secretary_a_client.get(url("claims"))  # warm the session
    with django_assert_num_queries(QUEUE_QUERIES):
        response = secretary_a_client.get(url("claims"))
    assert response.context["page"].paginator.count == 2 * scale


# Session read, user, the secretary's branch and the level below it (scope), count and page of the pending
# claims, the decided claims, the unread-notification count, and the session write in its savepoint (3).
QUEUE_QUERIES = 11


def test_the_queue_shows_the_latest_decided_claims_first_and_no_automatic_entries(
    secretary_a_client, member_a, rule, secretary_a
):
    first, second = claim(member_a, rule["honour"], note="先申报"), claim(member_a, rule["honour"], note="后申报")
    points.claim_decide(entry=first, approve=True, decided_by=secretary_a)
    points.claim_decide(entry=second, approve=False, decided_by=secretary_a, note="证书模糊")
    automatic = PointEntry.objects.create(
        member=member_a, rule=rule["dues_on_time"], year=this_year(), occurred_on=days_ago(1), points=1, source="t:1"
    )
    decided = secretary_a_client.get(url("claims")).context["decided"]
    # Decided claims always carry their decision's date, which the query relies on (its own index).
    assert [e.pk for e in decided] == [second.pk, first.pk] and automatic.decided_at is None


# --- deductions ---------------------------------------------------------------------------------------------


def test_the_secretary_records_a_deduction(secretary_a_client, member_a, rule):
    response = secretary_a_client.get(url("deduct", member_a.pk))
    assert set(response.context["form"].fields["rule"].queryset.values_list("kind", flat=True)) == {"deduction"}
    response = secretary_a_client.post(
        url("deduct", member_a.pk),
        {"rule": rule["meeting_absent"].pk, "occurred_on": days_ago(1).isoformat(), "note": "缺席支部党员大会"},
    )
    entry = PointEntry.objects.get()
    assert response.status_code == 302 and response["Location"].startswith(url("member", member_a.pk))
    assert (entry.points, entry.note, entry.status) == (-2, "缺席支部党员大会", Status.APPROVED)
    assert Notification.objects.filter(user=member_a.user, event="points_deducted").exists()


def test_a_deduction_needs_a_reason(secretary_a_client, member_a, rule):
    response = secretary_a_client.post(
        url("deduct", member_a.pk), {"rule": rule["meeting_absent"].pk, "occurred_on": days_ago(1)}
    )
    assert "note" in response.context["form"].errors and not PointEntry.objects.exists()


# --- a member's ledger --------------------------------------------------------------------------------------


def test_the_secretary_opens_a_members_ledger_with_the_deduction_button(secretary_a_client, member_a, claim_a):
    response = secretary_a_client.get(url("member", member_a.pk))
    assert response.status_code == 200 and response.context["can_deduct"] and not response.context["own"]
    assert url("deduct", member_a.pk) in response.content.decode()


def test_a_member_may_open_their_own_ledger_by_number_but_not_deduct(member_client, member_a):
    response = member_client.get(url("member", member_a.pk))
    assert response.status_code == 200 and response.context["own"] and not response.context["can_deduct"]


@pytest.mark.parametrize("scale", [1, 3])
def test_a_ledger_runs_the_same_queries_at_1x_and_3x_entries(
    secretary_a_client, member_a, rule, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        paid_bill(member_a, datetime.date(this_year() - 1, n + 1, 1))
        claim(member_a, rule["honour"], note=f"荣誉{n}", occurred_on=datetime.date(this_year() - 1, 5, 1))
    points.credit_automatic()
    query = {"year": this_year() - 1}
    secretary_a_client.get(url("member", member_a.pk), query)
    with django_assert_num_queries(LEDGER_QUERIES):
        response = secretary_a_client.get(url("member", member_a.pk), query)
    assert len(response.context["ledger"].entries) == 3 * scale


# Session read, user, scope (the branch and the level below it), the member, the base score, the entries, the
# years offered, the unread count, and the session write in its savepoint (3).
LEDGER_QUERIES = 12


# --- leaderboard --------------------------------------------------------------------------------------------


def board_rows(response):
    return [(row.member.name, row.total, row.rank) for row in response.context["board"].rows]


def test_a_member_sees_their_own_branchs_board_with_themselves_marked(member_client, member_a, branch_a, group_a):
    MemberFactory(organization=group_a, name="组员")
    MemberFactory(organization=OrganizationFactory(building=branch_a.building, name="第三支部"), name="外支部")
    response = member_client.get(url("board"))
    names = [row[0] for row in board_rows(response)]
    assert response.context["branch"] == branch_a and sorted(names) == sorted([member_a.name, "组员"])
    assert response.context["my_member_id"] == member_a.pk
    assert "data-mine" in response.content.decode()
    assert "branch" not in response.context["form"].fields  # a member cannot pick another branch


def test_the_chart_shows_the_same_numbers_as_the_table(secretary_a_client, member_a, branch_a, rule):
    other = MemberFactory(organization=branch_a, name="二号")
    paid_bill(other, datetime.date(this_year() - 1, 1, 1))
    points.credit_automatic()
    response = secretary_a_client.get(url("board"), {"year": this_year() - 1})
    chart = response.context["chart_data"]
    # The chart counts the whole branch's members per band of totals; the table ranks them.
    assert [row[1] for row in board_rows(response)] == [62, 60]
    assert chart["labels"] == ["60–69"] and chart["values"] == [2]
    html = response.content.decode()
    assert 'id="points-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert 'data-testid="board-table"' in html


def test_the_admin_sees_every_branchs_average_or_picks_one(admin_client, member_a, branch_a, branch_b, group_a):
    MemberFactory(organization=branch_b)
    response = admin_client.get(url("board"))
    averages = {row.branch.name: row.members for row in response.context["averages"]}
    assert averages == {"第一党支部": 1, "第二党支部": 1}
    assert response.context["chart_data"]["labels"] == list(averages)
    response = admin_client.get(url("board"), {"year": this_year(), "branch": branch_b.pk})
    assert response.context["branch"] == branch_b and len(response.context["board"].rows) == 1


def test_the_admin_cannot_pick_another_buildings_branch(admin_client):
    foreign = OrganizationFactory(building=BuildingFactory(name="别的大厦"))
    response = admin_client.get(url("board"), {"year": this_year(), "branch": foreign.pk})
    assert response.status_code == 200 and response.context["branch"] is None


@pytest.mark.parametrize("scale", [1, 3])
def test_the_board_runs_the_same_queries_at_1x_and_3x_members(
    secretary_a_client, branch_a, group_a, rule, django_assert_num_queries, scale
):
    for n in range(5 * scale):
        member = MemberFactory(organization=branch_a if n % 2 else group_a)
        paid_bill(member, datetime.date(this_year() - 1, 1 + n % 12, 1))
    points.credit_automatic()
    query = {"year": this_year() - 1}
    secretary_a_client.get(url("board"), query)
    with django_assert_num_queries(BOARD_QUERIES):
        response = secretary_a_client.get(url("board"), query)
    assert len(response.context["board"].rows) == 5 * scale


# Session read, user, the secretary's branch, the years offered, the base score, the branch's subtree (two
# levels), the bands (the chart and the branch's count, average and best in one GROUP BY), the page of ranked
# members, the branch's 党员 count, the viewer's own member record, the unread count, and the session write in
# its savepoint (3).
BOARD_QUERIES = 15


def test_the_board_is_paginated_and_ranks_and_sums_the_whole_branch(secretary_a_client, branch_a, rule, monkeypatch):
    monkeypatch.setattr("members.points.selectors.BOARD_PAGE_SIZE", 2)
    for n in range(3):
        member = MemberFactory(organization=branch_a, name=f"党员{n}")
        for month in range(n):
            paid_bill(member, datetime.date(this_year() - 1, month + 1, 1))
    points.credit_automatic()
    query = {"year": this_year() - 1}
    first = secretary_a_client.get(url("board"), query)
    second = secretary_a_client.get(url("board"), {**query, "page": 2})
    rows = board_rows(first) + board_rows(second)
    assert [(name, rank) for name, _total, rank in rows] == [("党员2", 1), ("党员1", 2), ("党员0", 3)]
    board = second.context["board"]
    assert (board.ranked, board.best) == (3, rows[0][1])
    assert board.average == round(sum(total for _n, total, _r in rows) / 3, 1)
    assert sum(second.context["chart_data"]["values"]) == 3


@pytest.mark.parametrize("scale", [1, 3])
def test_the_averages_run_the_same_queries_at_1x_and_3x_members(
    admin_client, branch_a, branch_b, group_a, django_assert_num_queries, scale
):
    for n in range(4 * scale):
        MemberFactory(organization=(branch_a, branch_b, group_a)[n % 3])
    admin_client.get(url("board"))
    with django_assert_num_queries(AVERAGE_QUERIES):
        response = admin_client.get(url("board"))
    assert sum(row.members for row in response.context["averages"]) == 4 * scale


# Session read, user, the years offered, the branches, the base scores, the members with totals, the branch
# choices of the form, the unread count, and the session write in its savepoint (3).
AVERAGE_QUERIES = 12


# --- rules and base scores ----------------------------------------------------------------------------------


def test_members_read_the_rules_and_admins_get_the_edit_buttons(login_as, member_user, admin_user, rule):
    response = login_as(member_user).get(url("rules"))
    assert response.status_code == 200 and "党费按时交纳" in response.content.decode()
    assert url("rule_create") not in response.content.decode()
    response = login_as(admin_user).get(url("rules"))
    assert url("rule_create") in response.content.decode()
    dues = next(r for r in response.context["rules"] if r.code == "dues_on_time")
    assert dues.has_source


def test_the_admin_adds_the_default_rules_to_a_new_building(admin_client, building):
    assert admin_client.get(url("rules")).context["missing_defaults"]
    admin_client.post(url("rules_defaults"))
    assert PointRule.objects.filter(building=building).count() == len(points.DEFAULT_RULES)
    assert admin_client.get(url("rules")).context["missing_defaults"] == []


def test_the_admin_creates_a_rule(admin_client, building):
    data = {"name": "参加消防演练", "code": "fire_drill", "kind": "claimed", "points": 2, "yearly_cap": 4}
    response = admin_client.post(url("rule_create"), {**data, "description": "", "is_active": "on"})
    assert response.status_code == 302
    rule = PointRule.objects.get(code="fire_drill")
    assert (rule.building, rule.points, rule.yearly_cap, rule.is_active) == (building, 2, 4, True)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "deduction", "points": 2}, "points"),
        ({"kind": "claimed", "points": -2}, "points"),
        ({"kind": "claimed", "points": 0}, "points"),
        ({"code": "honour"}, "code"),
    ],
)
def test_a_rules_points_match_its_kind_and_its_code_is_unique(admin_client, rule, data, field):
    form = {"name": "新规则", "code": "new_rule", "kind": "claimed", "points": 1, "yearly_cap": "", "description": ""}
    response = admin_client.post(url("rule_create"), {**form, **data})
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not PointRule.objects.filter(name="新规则").exists()


def test_a_rule_in_use_is_edited_but_keeps_its_code(admin_client, rule, claim_a):
    honour = rule["honour"]
    response = admin_client.get(url("rule_edit", honour.pk))
    assert response.context["in_use"] and response.context["form"].fields["code"].disabled
    data = {"name": "获得表彰", "code": "changed", "kind": "automatic", "points": 6, "yearly_cap": 18}
    admin_client.post(url("rule_edit", honour.pk), {**data, "description": "", "is_active": "on"})
    honour.refresh_from_db()
    assert (honour.name, honour.code, honour.kind, honour.points) == ("获得表彰", "honour", "claimed", 6)


def test_retiring_a_rule_in_use_takes_it_out_of_use(admin_client, rule, claim_a):
    response = admin_client.post(url("rule_retire", rule["honour"].pk), follow=True)
    assert PointRule.objects.filter(pk=rule["honour"].pk, is_active=False).exists()
    assert any("停用" in m for m in messages_of(response))
    admin_client.post(url("rule_retire", rule["suggestion_adopted"].pk))
    assert not PointRule.objects.filter(pk=rule["suggestion_adopted"].pk).exists()


@pytest.mark.parametrize("persona", ["secretary_a", "street_user"])
def test_only_admins_change_rules_and_base_scores(request, login_as, rule, persona):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(url("rule_create")).status_code == 403
    assert client.get(url("rule_edit", rule["honour"].pk)).status_code == 403
    assert client.post(url("rules_defaults")).status_code == 403
    assert client.get(url("years")).status_code == 403


def test_the_admin_sets_the_base_score_of_a_year(admin_client, building, member_a):
    response = admin_client.post(url("years"), {"year": this_year(), "base_score": 70})
    assert response.status_code == 302
    assert PointYear.objects.get(building=building, year=this_year()).base_score == 70
    assert admin_client.get(url("member", member_a.pk)).context["ledger"].total == 70
    response = admin_client.post(url("years"), {"year": this_year(), "base_score": 101})
    assert "base_score" in response.context["form"].errors


# --- home panels --------------------------------------------------------------------------------------------


def test_a_members_home_shows_their_total_and_rank(member_client, member_a, branch_a, rule, secretary_a):
    MemberFactory(organization=branch_a)
    entry = claim(member_a, rule["honour"])
    points.claim_decide(entry=entry, approve=True, decided_by=secretary_a)
    html = member_client.get(reverse("home")).content.decode()
    assert 'data-testid="points-panel"' in html and 'data-testid="panel-points-total">65<' in html
    assert f"{branch_a.name} 2 人中排第 1 名" in html


def test_a_secretarys_home_shows_the_claims_waiting(login_as, secretary_a, secretary_b, claim_a):
    html = login_as(secretary_a).get(reverse("home")).content.decode()
    assert 'data-testid="claims-panel"' in html and claim_a.member.name in html
    assert 'data-testid="claims-panel"' not in login_as(secretary_b).get(reverse("home")).content.decode()
