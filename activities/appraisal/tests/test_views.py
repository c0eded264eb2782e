"""The appraisal pages: the rounds, one round with its grades and the cap, opening, grading, closing, the export,
the member's own page on her phone, and the home-page panels."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities.appraisal import services
from activities.appraisal.models import Appraisal, AppraisalRound, Grade, PeerAssessment
from activities.appraisal.tests.factories import YEAR, appraisals, grade_all, members, open_round
from buildingparty.models import AuditRecord
from members.models import Member
from tests.factories import BuildingFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    *("年度", "党支部", "党小组", "姓名", "党员类别", "自我评价", "自我评价提交时间", "互评人数"),
    *("互评：优秀", "互评：合格", "互评：基本合格", "互评：不合格", "评定等次", "组织处置", "评定时间"),
]


def url(name, *args):
    return reverse(f"appraisal:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def member_a(member_user):
    return member_user.member


@pytest.fixture
def round_a(member_a, branch_a, group_a):
    """Branch A's round: member_a, three more full members (one in the party group) and a probationary member."""
    members(branch_a, full=2, probationary=1)
    members(group_a, full=1)
    return services.round_open(organization=branch_a, year=YEAR, by=None)


@pytest.fixture
def member_b(branch_b):
    user = UserFactory(username="member_b", role="member", building=branch_b.building)
    return MemberFactory(organization=branch_b, user=user)


@pytest.fixture
def round_b(member_b, branch_b):
    return open_round(branch_b, full=2)


def mine_of(round, member) -> Appraisal:
    return round.appraisals.get(member=member)


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, round_a):
    appraisal = round_a.appraisals.first()
    for target in [url("list"), url("open"), url("detail", round_a.pk), url("export", round_a.pk), url("mine")]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    for target in [url("grade", appraisal.pk), url("close", round_a.pk), url("peer"), url("mine")]:
        assert client.post(target)["Location"].startswith(reverse("login")), target


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_are_refused_every_appraisal_page(request, login_as, persona, round_a):
    client = login_as(request.getfixturevalue(persona))
    for target in [url("list"), url("open"), url("detail", round_a.pk), url("export", round_a.pk), url("mine")]:
        assert client.get(target).status_code == 403, target
    appraisal = round_a.appraisals.first()
    assert client.post(url("grade", appraisal.pk), {"grade": Grade.QUALIFIED}).status_code == 403
    assert client.post(url("close", round_a.pk)).status_code == 403
    assert client.post(url("peer")).status_code == 403


def test_a_member_sees_only_her_own_page_not_the_rounds(member_client, round_a, member_a):
    for target in [url("list"), url("open"), url("detail", round_a.pk), url("export", round_a.pk)]:
        assert member_client.get(target).status_code == 403, target
    other = round_a.appraisals.exclude(member=member_a).filter(takes_grade=True).first()
    assert member_client.post(url("grade", other.pk), {"grade": Grade.EXCELLENT}).status_code == 403
    assert member_client.post(url("close", round_a.pk)).status_code == 403
    assert member_client.get(url("mine")).status_code == 200
    assert not Appraisal.objects.exclude(grade="").exists()


def test_the_street_reads_rounds_and_changes_nothing(login_as, street_user, round_a):
    client = login_as(street_user)
    assert client.get(url("list")).status_code == 200
    detail = client.get(url("detail", round_a.pk))
    assert detail.status_code == 200 and not detail.context["can_grade"]
    assert b'data-testid="grade-form"' not in detail.content
    assert client.get(url("open")).status_code == 403
    appraisal = appraisals(round_a)[0]
    assert client.post(url("grade", appraisal.pk), {"grade": Grade.QUALIFIED}).status_code == 403
    assert client.post(url("close", round_a.pk)).status_code == 403
    assert client.get(url("export", round_a.pk), {"format": "csv"}).status_code == 200
    assert not Appraisal.objects.exclude(grade="").exists()


def test_another_branchs_secretary_finds_nothing(login_as, secretary_b, round_a, round_b):
    client = login_as(secretary_b)
    appraisal = appraisals(round_a)[0]
    assert client.get(url("detail", round_a.pk)).status_code == 404
    assert client.get(url("export", round_a.pk)).status_code == 404
    assert client.post(url("grade", appraisal.pk), {"grade": Grade.QUALIFIED}).status_code == 404
    assert client.post(url("close", round_a.pk)).status_code == 404
    assert [r.pk for r in client.get(url("list")).context["page"]] == [round_b.pk]
    appraisal.refresh_from_db()
    assert appraisal.grade == ""


def test_another_buildings_admin_finds_nothing(login_as, round_a):
    other = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))
    client = login_as(other)
    assert client.get(url("detail", round_a.pk)).status_code == 404
    assert client.post(url("close", round_a.pk)).status_code == 404
    assert list(client.get(url("list")).context["page"]) == []


def test_the_writing_pages_take_only_posts(secretary_a_client, member_client, round_a):
    appraisal = appraisals(round_a)[0]
    assert secretary_a_client.get(url("grade", appraisal.pk)).status_code == 405
    assert secretary_a_client.get(url("close", round_a.pk)).status_code == 405
    assert member_client.get(url("peer")).status_code == 405


# --- the rounds ---------------------------------------------------------------------------------------------


def test_the_list_shows_each_round_with_how_far_it_has_come_and_filters_by_year(admin_client, round_a, round_b):
    services.self_assess(appraisal=appraisals(round_a)[0], text="自评")
    older = open_round(round_a.organization, year=YEAR - 1)
    response = admin_client.get(url("list"))
    rows = {r.pk: r for r in response.context["page"]}
    assert set(rows) == {round_a.pk, round_b.pk, older.pk}
    assert (rows[round_a.pk].taking_part, rows[round_a.pk].to_grade, rows[round_a.pk].self_submitted) == (5, 4, 1)
    assert b'data-testid="open-round"' in response.content
    filtered = admin_client.get(url("list"), {"year": YEAR - 1})
    assert [r.pk for r in filtered.context["page"]] == [older.pk]


def test_a_secretary_opens_her_branchs_round(secretary_a_client, secretary_a, member_a, branch_a, branch_b):
    form = secretary_a_client.get(url("open")).context["form"]
    assert list(form.fields["organization"].queryset) == [branch_a]
    response = secretary_a_client.post(url("open"), {"organization": branch_a.pk, "year": YEAR})
    round = AppraisalRound.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", round.pk)
    assert round.organization == branch_a and round.opened_by == secretary_a
    assert list(round.appraisals.values_list("member_id", flat=True)) == [member_a.pk]


def test_a_secretary_cannot_open_another_branchs_round_nor_a_second_of_the_year(secretary_a_client, branch_a, branch_b):
    response = secretary_a_client.post(url("open"), {"organization": branch_b.pk, "year": YEAR})
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    secretary_a_client.post(url("open"), {"organization": branch_a.pk, "year": YEAR})
    again = secretary_a_client.post(url("open"), {"organization": branch_a.pk, "year": YEAR})
    assert "year" in again.context["form"].errors
    assert AppraisalRound.objects.count() == 1


def test_an_admin_opens_any_branch_of_the_building_with_its_life_meeting(admin_client, branch_b, member_b):
    from activities.meetings.models import Meeting
    from activities.meetings.tests.factories import MeetingFactory

    meeting = MeetingFactory(organization=branch_b, kind=Meeting.Kind.LIFE_MEETING, topic="年度组织生活会")
    form = admin_client.get(url("open")).context["form"]
    assert meeting in form.fields["life_meeting"].queryset
    admin_client.post(url("open"), {"organization": branch_b.pk, "year": YEAR, "life_meeting": meeting.pk})
    assert AppraisalRound.objects.get(organization=branch_b).life_meeting == meeting


def test_the_round_shows_the_cap_the_self_assessments_and_peer_counts_but_not_who_suggested_what(
    secretary_a_client, round_a, member_a
):
    mine = mine_of(round_a, member_a)
    services.self_assess(appraisal=mine, text="认真履行党员义务")
    others = [a for a in appraisals(round_a) if a.pk != mine.pk]
    services.peer_assess(assessor=member_a, appraisal=others[0], grade=Grade.EXCELLENT, comment="带头作用突出的悄悄话")
    services.peer_assess(assessor=others[1].member, appraisal=others[0], grade=Grade.QUALIFIED, comment="")
    services.grade(appraisal=others[0], grade=Grade.EXCELLENT, follow_up="", by=None)

    response = secretary_a_client.get(url("detail", round_a.pk))
    body = response.content.decode()
    assert "已评优秀 1 / 上限 1" in body  # 4 full members graded: at most 1
    rows = {a.pk: a for a in response.context["page"]}
    assert dict(rows[others[0].pk].peer_counts)["优秀"] == 1 and rows[others[0].pk].peer_total == 2
    assert "认真履行党员义务" in body  # the secretary reads the self-assessments
    assert "带头作用突出的悄悄话" not in body  # a peer's words are not shown with her name
    assert body.count('data-testid="grade-form"') == 4  # none for the probationary member


def test_a_secretary_grades_a_member(secretary_a_client, secretary_a, round_a):
    appraisal = appraisals(round_a)[0]
    response = secretary_a_client.post(url("grade", appraisal.pk), {"grade": Grade.QUALIFIED, "page": "1"})
    assert response["Location"] == f"{url('detail', round_a.pk)}?page=1#appraisal-{appraisal.pk}"
    appraisal.refresh_from_db()
    assert appraisal.grade == Grade.QUALIFIED and appraisal.graded_by == secretary_a and appraisal.graded_at


def test_grading_past_the_cap_is_refused_with_the_figures(secretary_a_client, round_a):
    first, second, *_ = appraisals(round_a)
    secretary_a_client.post(url("grade", first.pk), {"grade": Grade.EXCELLENT})
    response = secretary_a_client.post(url("grade", second.pk), {"grade": Grade.EXCELLENT}, follow=True)
    assert any("参评 4 人，至多 1 人评为优秀" in m for m in messages_of(response))
    second.refresh_from_db()
    assert second.grade == ""


def test_the_grade_form_refuses_a_probationary_member_and_unqualified_without_follow_up(secretary_a_client, round_a):
    probationary = appraisals(round_a, graded=False)[0]
    response = secretary_a_client.post(url("grade", probationary.pk), {"grade": Grade.QUALIFIED}, follow=True)
    assert any("预备党员参加评议，不评定等次" in m for m in messages_of(response))
    full = appraisals(round_a)[0]
    response = secretary_a_client.post(url("grade", full.pk), {"grade": Grade.UNQUALIFIED}, follow=True)
    assert any("组织处置" in m for m in messages_of(response))
    assert not Appraisal.objects.exclude(grade="").exists()
    secretary_a_client.post(url("grade", full.pk), {"grade": Grade.UNQUALIFIED, "follow_up": "限期改正"})
    full.refresh_from_db()
    assert full.grade == Grade.UNQUALIFIED and full.follow_up == "限期改正"


def test_a_round_is_closed_only_once_every_full_member_is_graded(secretary_a_client, round_a):
    response = secretary_a_client.post(url("close", round_a.pk), follow=True)
    assert any("4 名正式党员未评定等次" in m for m in messages_of(response))
    round_a.refresh_from_db()
    assert round_a.is_open
    grade_all(round_a)
    secretary_a_client.post(url("close", round_a.pk))
    round_a.refresh_from_db()
    assert not round_a.is_open
    after = secretary_a_client.get(url("detail", round_a.pk))
    assert not after.context["can_grade"] and b'data-testid="close-form"' not in after.content


# --- the export ---------------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_is_the_rounds_members_with_peer_counts_and_grades_and_is_recorded(
    secretary_a_client, secretary_a, round_a, round_b, member_a, group_a
):
    mine = mine_of(round_a, member_a)
    services.self_assess(appraisal=mine, text="自评")
    target = next(a for a in appraisals(round_a) if a.member.organization_id == group_a.pk)
    services.peer_assess(assessor=member_a, appraisal=target, grade=Grade.BASIC, comment="")
    services.grade(appraisal=target, grade=Grade.UNQUALIFIED, follow_up="限期改正", by=None)

    rows = csv_rows(secretary_a_client.get(url("export", round_a.pk), {"format": "csv"}))
    assert rows[0] == HEADERS and len(rows) == 1 + 5
    by_name = {r[3]: dict(zip(HEADERS, r)) for r in rows[1:]}
    row = by_name[target.member.name]
    assert (row["党小组"], row["互评人数"], row["互评：基本合格"]) == (group_a.name, "1", "1")
    assert (row["评定等次"], row["组织处置"]) == ("不合格", "限期改正")
    assert by_name[member_a.name]["自我评价"] == "已提交"
    assert sorted(r["党员类别"] for r in by_name.values()).count("预备党员") == 1
    assert "不评定等次" in [r["评定等次"] for r in by_name.values()]

    response = secretary_a_client.get(url("export", round_a.pk), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == HEADERS and sheet.max_row == 6

    records = AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT, actor=secretary_a)
    assert records.count() == 2
    assert records.first().filters == {"year": YEAR, "organization": round_a.organization_id}
    assert {r.row_count for r in records} == {5}


def test_an_unknown_export_format_is_refused(secretary_a_client, round_a):
    assert secretary_a_client.get(url("export", round_a.pk), {"format": "pdf"}).status_code == 400
    assert not AuditRecord.objects.exists()


def test_the_command_exports_a_year_and_a_branch_and_is_recorded(round_a, round_b, tmp_path):
    out = tmp_path / "appraisal.csv"
    stdout = io.StringIO()
    call_command(
        "export_register",
        "appraisal",
        "--format",
        "csv",
        "--output",
        str(out),
        "--filter",
        f"year={YEAR}",
        "--filter",
        f"organization={round_a.organization_id}",
        stdout=stdout,
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADERS and {r[1] for r in rows[1:]} == {round_a.organization.name} and len(rows) == 6
    record = AuditRecord.objects.get()
    assert record.filters == {"year": str(YEAR), "organization": str(round_a.organization_id)}
    call_command("export_register", "appraisal", "--format", "csv", "--output", str(out), stdout=io.StringIO())
    assert len(out.read_text(encoding="utf-8-sig").strip().splitlines()) == 1 + 5 + 3
    by_name = tmp_path / "by-name.csv"
    call_command(
        "export_register",
        "appraisal",
        "--format",
        "csv",
        "--output",
        str(by_name),
        "--filter",
        f"organization={round_b.organization.name}",
        stdout=io.StringIO(),
    )
    assert len(by_name.read_text(encoding="utf-8-sig").strip().splitlines()) == 1 + 3


def test_the_command_with_a_user_exports_only_her_branch(round_a, round_b, secretary_b, tmp_path):
    out = tmp_path / "b.csv"
    call_command(
        "export_register", "appraisal", "--format", "csv", "--output", str(out), "--user", "sec_b", stdout=io.StringIO()
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {round_b.organization.name}


@pytest.mark.parametrize("bad", ["year=twenty", "colour=red"])
def test_the_command_refuses_filters_it_cannot_use(round_a, tmp_path, bad):
    with pytest.raises(CommandError):
        call_command(
            "export_register", "appraisal", "--output", str(tmp_path / "x.xlsx"), "--filter", bad, stdout=io.StringIO()
        )
    assert not AuditRecord.objects.exists()


# --- the member's own page ----------------------------------------------------------------------------------


def test_a_member_writes_her_self_assessment(member_client, round_a, member_a):
    page = member_client.get(url("mine"))
    assert page.status_code == 200 and page.context["appraisal"] == mine_of(round_a, member_a)
    response = member_client.post(url("mine"), {"self_assessment": "按时参加组织生活，带头完成任务。"})
    assert response["Location"] == url("mine") + "#peers"
    mine = mine_of(round_a, member_a)
    assert mine.self_assessment == "按时参加组织生活，带头完成任务。" and mine.self_submitted
    empty = member_client.post(url("mine"), {"self_assessment": ""})
    assert empty.status_code == 200 and "self_assessment" in empty.context["self_form"].errors


def test_a_member_sees_her_peers_names_but_not_their_self_assessments(member_client, round_a, member_a):
    others = [a for a in appraisals(round_a) if a.member_id != member_a.pk]
    services.self_assess(appraisal=others[0], text="别人的自我评价全文")
    body = member_client.get(url("mine")).content.decode()
    assert others[0].member.name in body
    assert "别人的自我评价全文" not in body
    probationary = appraisals(round_a, graded=False)[0]
    assert f'name="grade_{probationary.pk}"' not in body and f'name="comment_{probationary.pk}"' in body
    assert f'name="grade_{mine_of(round_a, member_a).pk}"' not in body  # nobody assesses herself


def test_a_member_saves_her_peer_assessments_at_once_skipping_the_blank(member_client, round_a, member_a):
    others = [a for a in appraisals(round_a) if a.member_id != member_a.pk]
    probationary = appraisals(round_a, graded=False)[0]
    data = {
        f"grade_{others[0].pk}": Grade.EXCELLENT,
        f"comment_{others[0].pk}": "热心志愿服务",
        f"grade_{others[1].pk}": Grade.QUALIFIED,
        f"comment_{probationary.pk}": "虚心学习",
    }
    response = member_client.post(url("peer"), data)
    assert response.status_code == 302
    given = {p.appraisal_id: (p.grade, p.comment) for p in PeerAssessment.objects.filter(assessor=member_a)}
    assert given == {
        others[0].pk: (Grade.EXCELLENT, "热心志愿服务"),
        others[1].pk: (Grade.QUALIFIED, ""),
        probationary.pk: ("", "虚心学习"),
    }
    page = member_client.get(url("mine"))
    assert page.context["assessed"] == 3 and page.context["peer_count"] == 4


def test_a_comment_without_a_grade_for_a_full_member_is_sent_back(member_client, round_a, member_a):
    other = next(a for a in appraisals(round_a) if a.member_id != member_a.pk)
    response = member_client.post(url("peer"), {f"comment_{other.pk}": "只写了意见"})
    assert response.status_code == 200 and f"grade_{other.pk}" in response.context["peer_form"].errors
    assert not PeerAssessment.objects.exists()


def test_a_refused_peer_form_shows_the_error_at_the_grade_and_keeps_what_she_typed(member_client, round_a, member_a):
    # Two peers on the page she sees (30 a page, by branch and name), each with a grade to suggest.
    shown = re.findall(r'name="grade_(\d+)"', member_client.get(url("mine")).content.decode())
    other, graded = (next(a for a in appraisals(round_a) if str(a.pk) == pk) for pk in shown[:2])
    response = member_client.post(
        url("peer"), {f"comment_{other.pk}": "只写了意见<b>", f"grade_{graded.pk}": Grade.EXCELLENT}
    )
    html = response.content.decode()
    row = html[html.index(f'data-peer="{other.pk}"') :]
    row = row[: row.find('data-peer="', 1)]  # up to the next peer's row, or to the end when hers is the last
    assert f'class="form-select form-select-sm is-invalid" id="id_grade_{other.pk}" name="grade_{other.pk}"' in row
    assert '<div class="invalid-feedback d-block">' in row and "只写了意见&lt;b&gt;</textarea>" in row
    assert f"<strong>{other.member.name}</strong>" in row and " selected>" not in row  # as the template drew it
    chosen = html[html.index(f'name="grade_{graded.pk}"') :]
    assert chosen.index(f'<option value="{Grade.EXCELLENT}" selected>') < chosen.index("</select>")


def test_a_member_of_another_branch_cannot_peer_assess(login_as, member_b, round_a, round_b):
    target = appraisals(round_a)[0]
    client = login_as(member_b.user)
    client.post(url("peer"), {f"grade_{target.pk}": Grade.UNQUALIFIED, f"comment_{target.pk}": "不认识"})
    assert not PeerAssessment.objects.filter(appraisal__round=round_a).exists()
    assert target.member.name not in client.get(url("mine")).content.decode()


def test_a_member_with_nothing_open_sees_her_past_grades(member_client, member_a, branch_a):
    round = open_round(branch_a, full=2, year=YEAR - 1)
    grade_all(round)
    services.round_close(round=round, by=None)
    response = member_client.get(url("mine"))
    assert response.context["appraisal"] is None
    assert b'data-testid="nothing-open"' in response.content and "合格" in response.content.decode()
    assert member_client.post(url("mine"), {"self_assessment": "迟到的自评"}).status_code == 404
    assert member_client.post(url("peer"), {}).status_code == 404


def test_an_officer_without_a_member_record_has_no_page_of_her_own(secretary_a_client, round_a):
    assert secretary_a_client.get(url("mine")).status_code == 403


# --- the home-page panels -----------------------------------------------------------------------------------


@pytest.fixture
def only_appraisal_panels(monkeypatch):
    """The home page with this app's panels alone, so another app's panel cannot hide or break what is tested."""
    from buildingparty import dashboard

    mine = [p for p in dashboard._panels if p.template.startswith("appraisal/")]
    assert len(mine) == 2
    monkeypatch.setattr(dashboard, "_panels", mine)


@pytest.mark.usefixtures("only_appraisal_panels")
def test_the_member_panel_shows_while_her_self_or_peer_assessment_is_pending(member_client, round_a, member_a):
    home = member_client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-self-pending"' in home and 'data-testid="panel-peers-pending"' in home
    services.self_assess(appraisal=mine_of(round_a, member_a), text="自评")
    home = member_client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-self-pending"' not in home and 'data-testid="panel-peers-pending"' in home
    for other in round_a.appraisals.exclude(member=member_a):
        services.peer_assess(
            assessor=member_a,
            appraisal=other,
            grade=Grade.QUALIFIED if other.takes_grade else "",
            comment="" if other.takes_grade else "好",
        )
    assert 'data-testid="appraisal-panel"' not in member_client.get(reverse("home")).content.decode()


@pytest.mark.usefixtures("only_appraisal_panels")
def test_the_secretary_panel_shows_her_round_while_members_are_ungraded(secretary_a_client, round_a, round_b):
    home = secretary_a_client.get(reverse("home"))
    assert b'data-testid="appraisal-staff-panel"' in home.content
    assert round_a.organization.name in home.content.decode()
    assert round_b.organization.name not in home.content.decode()
    grade_all(round_a)
    assert b'data-testid="appraisal-staff-panel"' not in secretary_a_client.get(reverse("home")).content


def test_the_member_timeline_keeps_the_grade_of_a_closed_round(member_a, branch_a):
    from members import timeline

    round = open_round(branch_a, full=2)
    grade_all(round, Grade.BASIC)
    services.round_close(round=round, by=None)
    titles = [e.title for e in timeline.events_for(member_a)]
    assert f"{YEAR} 年度民主评议党员：基本合格" in titles


# --- queries do not grow with rows --------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 3])
def test_the_round_list_runs_the_same_queries_at_1x_and_3x_rounds(
    secretary_a_client, branch_a, group_a, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        open_round(branch_a, full=2, probationary=1, year=2010 + n)
    secretary_a_client.get(url("list"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = secretary_a_client.get(url("list"))
    assert response.context["page"].paginator.count == 3 * scale


# Session, user, the secretary's branch and the two levels below it (scope), the years of the filter, count and
# page of the rounds, the page's counts of appraisals, the unread-notification count, the session write in its
# savepoint (3).
LIST_QUERIES = 13


@pytest.mark.parametrize("scale", [1, 3])
def test_the_round_detail_runs_the_same_queries_at_1x_and_3x_members(
    secretary_a_client, branch_a, group_a, django_assert_num_queries, scale
):
    round = open_round(branch_a, full=3 * scale, probationary=scale)
    everyone = list(round.appraisals.select_related("member"))
    for appraisal in everyone:
        services.self_assess(appraisal=appraisal, text="自评")
        other = next(a for a in everyone if a.pk != appraisal.pk)
        services.peer_assess(
            assessor=appraisal.member,
            appraisal=other,
            grade=Grade.QUALIFIED if other.takes_grade else "",
            comment="" if other.takes_grade else "好",
        )
    secretary_a_client.get(url("detail", round.pk))
    with django_assert_num_queries(DETAIL_QUERIES):
        response = secretary_a_client.get(url("detail", round.pk))
    assert len(response.context["page"]) == 4 * scale


# Session, user, the secretary's branch and the two levels below it (scope), the round, count and page of the
# members with their peer counts, the cap, the unread-notification count, the session write in its savepoint (3).
DETAIL_QUERIES = 13


@pytest.mark.parametrize("scale", [1, 3])
def test_the_members_page_runs_the_same_queries_at_1x_and_3x_peers(
    member_client, member_a, branch_a, django_assert_num_queries, scale
):
    round = open_round(branch_a, full=3 * scale, probationary=scale)
    for other in round.appraisals.exclude(member=member_a)[:2]:
        services.peer_assess(
            assessor=member_a,
            appraisal=other,
            grade=Grade.QUALIFIED if other.takes_grade else "",
            comment="" if other.takes_grade else "好",
        )
    member_client.get(url("mine"))
    with django_assert_num_queries(MINE_QUERIES):
        response = member_client.get(url("mine"))
    assert response.context["peer_count"] == 4 * scale
    assert response.context["assessed"] == 2


# Session, user, her member record, her open appraisal, count and page of her peers, what she gave the page's
# peers, how many she assessed, her past grades, the unread-notification count, the session write in its
# savepoint (3).
MINE_QUERIES = 13


def test_probationary_members_in_the_list_are_counted_as_taking_part_not_graded(admin_client, branch_a):
    open_round(branch_a, full=1, probationary=2)
    row = admin_client.get(url("list")).context["page"][0]
    assert (row.taking_part, row.to_grade) == (3, 1)
    assert Member.objects.filter(category=Member.Category.PROBATIONARY).count() == 2


def test_a_large_branchs_peers_come_a_page_at_a_time_and_each_page_saves_its_own(member_client, member_a, branch_a):
    """At district scale a branch's round must not be one form of a thousand fields: 30 peers a page."""
    from activities.appraisal.views import PEERS_PER_PAGE

    round_ = open_round(branch_a, full=PEERS_PER_PAGE + 4)
    first = member_client.get(url("mine"))
    assert len(first.context["peer_form"].peers) == PEERS_PER_PAGE
    assert first.context["peer_count"] == PEERS_PER_PAGE + 4
    second = member_client.get(url("mine") + "?page=2")
    peers = second.context["peer_form"].peers
    assert len(peers) == 4 and not {p.pk for p in peers} & {p.pk for p in first.context["peer_form"].peers}
    response = member_client.post(url("peer"), {"page": "2", f"grade_{peers[0].pk}": Grade.QUALIFIED})
    assert response.status_code == 302 and response["Location"] == url("mine") + "?page=2#peers"
    assert PeerAssessment.objects.get(assessor=member_a).appraisal_id == peers[0].pk
    assert member_client.get(url("mine")).context["assessed"] == 1
    assert round_.appraisals.count() == PEERS_PER_PAGE + 5
