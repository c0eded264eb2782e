"""Meeting pages: the list, planning, editing, the detail, recording as held, cancelling and the printable record,
and who may open each."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.meetings import services
from activities.meetings.models import Attendance, Meeting
from buildingparty.models import Notification
from members.models import Member
from tests.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

Kind = Meeting.Kind
Status = Attendance.Status


def url(name, *args):
    return reverse(f"meetings:{name}", args=args)


def plan(organization, *, kind=Kind.GENERAL_MEETING, starts_in=datetime.timedelta(days=3), **kwargs):
    return services.meeting_plan(
        organization=organization,
        kind=kind,
        topic=kwargs.pop("topic", "学习贯彻党的二十大精神"),
        starts_at=timezone.now() + starts_in,
        by=kwargs.pop("by", None),
        **kwargs,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def set_status(meeting, status, *, voting=None):
    qs = meeting.attendances.all() if voting is None else meeting.attendances.filter(is_voting=voting)
    qs.update(status=status)


@pytest.fixture
def members_a(branch_a, member_user):
    """Branch A: the member persona and two more full members, a probationary member, a mobile member."""
    MemberFactory(organization=branch_a, name="张三")
    MemberFactory(organization=branch_a, name="李四")
    MemberFactory(organization=branch_a, name="王预备", category=Member.Category.PROBATIONARY, full_member_on=None)
    MemberFactory(organization=branch_a, name="赵流动", is_mobile=True)
    return Member.objects.filter(organization=branch_a)


@pytest.fixture
def meeting_a(branch_a, members_a, secretary_a):
    return plan(branch_a, by=secretary_a)


@pytest.fixture
def begun_a(branch_a, members_a, secretary_a):
    return plan(branch_a, starts_in=-datetime.timedelta(hours=2), by=secretary_a, topic="季度支部党员大会")


@pytest.fixture
def meeting_b(branch_b):
    MemberFactory(organization=branch_b)
    return plan(branch_b)


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, meeting_a, begun_a):
    attendance = meeting_a.attendances.first()
    for target in [
        url("list"),
        url("mine"),
        url("create"),
        url("detail", meeting_a.pk),
        url("edit", meeting_a.pk),
        url("hold", begun_a.pk),
        url("attendance", begun_a.pk),
        url("leave_request", meeting_a.pk),
        url("record", meeting_a.pk),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    for target in [
        url("cancel", meeting_a.pk),
        url("leave_decide", attendance.pk),
        url("photo_upload", meeting_a.pk),
    ]:
        assert client.post(target)["Location"].startswith(reverse("login")), target


def test_post_only_views_refuse_get(secretary_a_client, meeting_a):
    attendance = meeting_a.attendances.first()
    for target in [url("cancel", meeting_a.pk), url("leave_decide", attendance.pk), url("photo_upload", meeting_a.pk)]:
        assert secretary_a_client.get(target).status_code == 405, target


def test_a_member_cannot_open_the_list_or_plan_a_meeting(member_client):
    assert member_client.get(url("list")).status_code == 403
    assert member_client.get(url("create")).status_code == 403
    assert member_client.post(url("create"), {}).status_code == 403


def test_a_street_viewer_reads_the_list_but_cannot_plan(login_as, street_user, meeting_a):
    client = login_as(street_user)
    response = client.get(url("list"))
    assert response.status_code == 200 and not response.context["can_plan"]
    assert [m.pk for m in response.context["page"]] == [meeting_a.pk]
    assert client.get(url("create")).status_code == 403


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_have_no_meeting_pages(request, login_as, persona, meeting_a):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(url("list")).status_code == 403
    assert client.get(url("create")).status_code == 403
    assert client.get(url("detail", meeting_a.pk)).status_code == 404


def test_another_branchs_meeting_is_not_found(login_as, secretary_b, meeting_a, begun_a):
    client = login_as(secretary_b)
    for target in [
        url("detail", meeting_a.pk),
        url("edit", meeting_a.pk),
        url("hold", begun_a.pk),
        url("attendance", begun_a.pk),
        url("record", meeting_a.pk),
        url("leave_request", meeting_a.pk),
    ]:
        assert client.get(target).status_code == 404, target
    assert client.post(url("cancel", meeting_a.pk), {"reason": "改期"}).status_code == 404
    meeting_a.refresh_from_db()
    assert meeting_a.is_planned


def test_a_street_viewer_reads_a_meeting_but_changes_nothing(login_as, street_user, meeting_a, begun_a):
    client = login_as(street_user)
    response = client.get(url("detail", meeting_a.pk))
    assert response.status_code == 200 and not response.context["can_manage"]
    assert client.get(url("record", meeting_a.pk)).status_code == 200
    for target in [url("edit", meeting_a.pk), url("hold", begun_a.pk), url("attendance", begun_a.pk)]:
        assert client.get(target).status_code == 403, target
    assert client.post(url("cancel", meeting_a.pk), {"reason": "改期"}).status_code == 403


# --- the list -----------------------------------------------------------------------------------------------


def test_the_secretary_sees_her_branchs_meetings_with_attendance_counts(
    secretary_a_client, branch_a, begun_a, meeting_b
):
    set_status(begun_a, Status.PRESENT, voting=True)
    response = secretary_a_client.get(url("list"))
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [m.pk for m in rows] == [begun_a.pk]
    assert (rows[0].present, rows[0].expected) == (4, 5)
    assert "4 / 5" in response.content.decode()
    assert response.context["can_plan"]


def test_a_held_general_meeting_shows_its_quorum_badge(secretary_a_client, begun_a):
    set_status(begun_a, Status.PRESENT, voting=True)
    services.meeting_hold(meeting=begun_a, by=None, minutes="会议记录")
    body = secretary_a_client.get(url("list")).content.decode()
    assert 'data-quorum="yes"' in body


def test_a_held_general_meeting_without_quorum_is_badged_on_the_list(secretary_a_client, begun_a):
    services.meeting_hold(meeting=begun_a, by=None, minutes="会议记录")
    body = secretary_a_client.get(url("list")).content.decode()
    assert 'data-quorum="no"' in body


def test_the_list_filters_by_kind_status_organisation_and_year(secretary_a_client, branch_a, group_a, members_a):
    lesson = plan(branch_a, kind=Kind.LESSON, starts_in=-datetime.timedelta(days=1))
    group_meeting = plan(group_a, kind=Kind.GROUP)
    last_year = plan(branch_a, starts_in=-datetime.timedelta(days=400))
    cancelled = plan(branch_a)
    services.meeting_cancel(meeting=cancelled, by=None, reason="改期")

    def shown(**query):
        return {m.pk for m in secretary_a_client.get(url("list"), query).context["page"]}

    assert shown(kind="lesson") == {lesson.pk}
    assert shown(status="cancelled") == {cancelled.pk}
    assert shown(organization=group_a.pk) == {group_meeting.pk}
    assert shown(organization=branch_a.pk) == {lesson.pk, group_meeting.pk, last_year.pk, cancelled.pk}
    year = timezone.localtime(last_year.starts_at).year
    assert last_year.pk in shown(year=year)
    assert shown(year=year) == {m.pk for m in Meeting.objects.filter(starts_at__year=year)}


def test_the_organisation_filter_offers_only_the_organisations_in_reach(
    secretary_a_client, branch_a, group_a, branch_b
):
    field = secretary_a_client.get(url("list")).context["form"].fields["organization"]
    assert set(field.queryset) == {branch_a, group_a}


@pytest.mark.parametrize("scale", [1, 3])
def test_the_list_runs_the_same_queries_at_1x_and_3x_meetings(
    secretary_a_client, branch_a, members_a, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        meeting = plan(branch_a, starts_in=-datetime.timedelta(days=n + 1))
        set_status(meeting, Status.PRESENT)
    secretary_a_client.get(url("list"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = secretary_a_client.get(url("list"))
    assert len(response.context["page"]) == 3 * scale


def test_the_second_page_counts_the_attendance_of_its_own_meetings(secretary_a_client, branch_a, members_a):
    from activities.meetings.views.meetings import PAGE_SIZE

    for n in range(PAGE_SIZE + 1):
        meeting = plan(branch_a, starts_in=-datetime.timedelta(days=n + 1))
        if n == PAGE_SIZE:  # the oldest, alone on page 2
            set_status(meeting, Status.PRESENT, voting=True)
    rows = list(secretary_a_client.get(url("list"), {"page": 2}).context["page"])
    expected = members_a.count()
    present = members_a.exclude(category=Member.Category.PROBATIONARY).count()
    assert [(m.present, m.expected) for m in rows] == [(present, expected)]
    assert rows[0].has_quorum


# Session read, user, scope (the branch and the level below it), the years, the organisations offered, count and
# page of meetings, the page's attendance counts, the unread-notification count, and the session write in its
# savepoint (3).
LIST_QUERIES = 13


# --- planning -----------------------------------------------------------------------------------------------


def plan_data(organization, **overrides):
    start = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "kind": Kind.GENERAL_MEETING,
        "organization": organization.pk,
        "topic": "第三季度支部党员大会",
        "day": start.date().isoformat(),
        "starts_at": "14:30",
        "ends_at": "16:00",
        "place": "党支部活动室",
        "host": "王书记",
        "recorder": "李委员",
    }
    data.update(overrides)
    return data


def test_the_secretary_plans_a_meeting_and_her_branchs_members_are_expected(
    secretary_a_client, secretary_a, branch_a, members_a
):
    response = secretary_a_client.get(url("create"))
    assert response.status_code == 200
    assert response.context["form"]["place"].value() == "党支部活动室"
    response = secretary_a_client.post(url("create"), plan_data(branch_a))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", meeting.pk)
    assert meeting.created_by == secretary_a and meeting.host == "王书记"
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "14:30"
    assert timezone.localtime(meeting.ends_at).strftime("%H:%M") == "16:00"
    assert meeting.attendances.count() == 5
    assert not meeting.attendances.get(member__name="王预备").is_voting
    assert meeting.attendances.get(member__name="赵流动").is_mobile


def test_a_secretary_can_plan_only_for_her_branch_and_its_groups(secretary_a_client, branch_a, group_a, branch_b):
    field = secretary_a_client.get(url("create")).context["form"].fields["organization"]
    assert set(field.queryset) == {branch_a, group_a}
    response = secretary_a_client.post(url("create"), plan_data(branch_b))
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_an_admin_may_plan_for_the_general_branch_the_branches_and_the_groups(
    admin_client, general_branch, branch_a, group_a, branch_b
):
    field = admin_client.get(url("create")).context["form"].fields["organization"]
    assert set(field.queryset) == {general_branch, branch_a, group_a, branch_b}


def test_a_group_meeting_must_be_held_by_a_group(secretary_a_client, branch_a, group_a):
    with_branch = secretary_a_client.post(url("create"), plan_data(branch_a, kind=Kind.GROUP))
    assert "党小组" in " ".join(with_branch.context["form"].errors["organization"])
    with_group = secretary_a_client.post(url("create"), plan_data(group_a, kind=Kind.GROUP))
    assert with_group.status_code == 302


def test_a_committee_meeting_is_not_held_by_a_group(secretary_a_client, group_a, branch_a):
    response = secretary_a_client.post(url("create"), plan_data(group_a, kind=Kind.COMMITTEE))
    assert "支委会" in " ".join(response.context["form"].errors["organization"])
    assert secretary_a_client.post(url("create"), plan_data(branch_a, kind=Kind.COMMITTEE)).status_code == 302


def test_a_meeting_cannot_end_before_it_starts(secretary_a_client, branch_a):
    response = secretary_a_client.post(url("create"), plan_data(branch_a, starts_at="15:00", ends_at="14:00"))
    assert response.context["form"].errors["ends_at"]


def test_a_party_lesson_keeps_its_lecturer_and_study_hours(secretary_a_client, branch_a, members_a):
    data = plan_data(
        branch_a, kind=Kind.LESSON, lecturer="陈老师", lecturer_affiliation="慈溪市委党校", study_hours="3"
    )
    secretary_a_client.post(url("create"), data)
    meeting = Meeting.objects.get()
    assert (meeting.lecturer, meeting.lecturer_affiliation, meeting.study_hours) == (
        "陈老师",
        "慈溪市委党校",
        Decimal(3),
    )
    body = secretary_a_client.get(url("detail", meeting.pk)).content.decode()
    assert "陈老师" in body and "慈溪市委党校" in body


def test_a_meeting_that_is_not_a_study_kind_carries_no_study_hours(secretary_a_client, branch_a):
    secretary_a_client.post(url("create"), plan_data(branch_a, study_hours="2"))
    assert Meeting.objects.get().study_hours == 0


def test_a_meeting_already_held_can_be_entered_after_the_fact(secretary_a_client, branch_a, members_a):
    past = timezone.localdate() - datetime.timedelta(days=10)
    response = secretary_a_client.post(url("create"), plan_data(branch_a, day=past.isoformat()))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.is_planned
    assert secretary_a_client.get(url("hold", meeting.pk)).status_code == 200


# --- editing ------------------------------------------------------------------------------------------------


def test_the_secretary_changes_a_planned_meeting(secretary_a_client, meeting_a, branch_a):
    response = secretary_a_client.get(url("edit", meeting_a.pk))
    assert response.status_code == 200 and "organization" not in response.context["form"].fields
    data = plan_data(branch_a, topic="改为学习党章")
    del data["organization"]
    response = secretary_a_client.post(url("edit", meeting_a.pk), data)
    meeting_a.refresh_from_db()
    assert response.status_code == 302 and meeting_a.topic == "改为学习党章"


def test_editing_a_meeting_expects_members_who_joined_since(secretary_a_client, meeting_a, branch_a):
    MemberFactory(organization=branch_a, name="新党员")
    data = plan_data(branch_a)
    del data["organization"]
    secretary_a_client.post(url("edit", meeting_a.pk), data)
    assert meeting_a.attendances.filter(member__name="新党员").exists()
    assert meeting_a.attendances.count() == 6


def test_a_held_meeting_cannot_be_edited_only_its_minutes(secretary_a_client, begun_a, branch_a):
    services.meeting_hold(meeting=begun_a, by=None, minutes="会议记录")
    response = secretary_a_client.get(url("edit", begun_a.pk), follow=True)
    assert response.redirect_chain == [(url("detail", begun_a.pk), 302)]
    assert messages_of(response) == ["只有计划中的会议可以修改。"]
    data = plan_data(branch_a, topic="偷偷改")
    del data["organization"]
    secretary_a_client.post(url("edit", begun_a.pk), data)
    begun_a.refresh_from_db()
    assert begun_a.topic == "季度支部党员大会"


def test_a_member_cannot_edit_a_meeting_she_is_expected_at(member_client, meeting_a):
    assert member_client.get(url("edit", meeting_a.pk)).status_code == 403


# --- recording as held --------------------------------------------------------------------------------------


def test_the_secretary_records_a_meeting_as_held_with_its_minutes(secretary_a_client, secretary_a, begun_a):
    response = secretary_a_client.post(
        url("hold", begun_a.pk),
        {"minutes": "传达学习文件，讨论发展党员工作。", "resolutions": "同意接收张三为预备党员", "ends_at": "23:59"},
    )
    begun_a.refresh_from_db()
    assert response.status_code == 302
    assert begun_a.is_held and begun_a.held_recorded_by == secretary_a and begun_a.held_recorded_at
    assert begun_a.resolutions == "同意接收张三为预备党员"
    assert timezone.localtime(begun_a.ends_at).strftime("%H:%M") == "23:59"


def test_minutes_are_required(secretary_a_client, begun_a):
    response = secretary_a_client.post(url("hold", begun_a.pk), {"minutes": "  "})
    assert response.status_code == 200 and response.context["form"].errors["minutes"]
    begun_a.refresh_from_db()
    assert begun_a.is_planned


def test_a_held_meetings_minutes_can_still_be_corrected(secretary_a_client, begun_a):
    services.meeting_hold(meeting=begun_a, by=None, minutes="初稿")
    response = secretary_a_client.get(url("hold", begun_a.pk))
    assert response.context["form"]["minutes"].value() == "初稿"
    secretary_a_client.post(url("hold", begun_a.pk), {"minutes": "定稿"})
    begun_a.refresh_from_db()
    assert begun_a.minutes == "定稿" and begun_a.is_held


def test_a_meeting_that_has_not_started_cannot_be_recorded_as_held(secretary_a_client, meeting_a):
    response = secretary_a_client.post(url("hold", meeting_a.pk), {"minutes": "提前写"})
    assert response.status_code == 302
    meeting_a.refresh_from_db()
    assert meeting_a.is_planned


def test_a_held_lesson_keeps_the_study_hours_entered(secretary_a_client, branch_a, members_a):
    lesson = plan(branch_a, kind=Kind.LESSON, starts_in=-datetime.timedelta(hours=3))
    secretary_a_client.post(url("hold", lesson.pk), {"minutes": "党课内容", "study_hours": "1.5"})
    lesson.refresh_from_db()
    assert lesson.study_hours == Decimal("1.5")


# --- cancelling ---------------------------------------------------------------------------------------------


def test_the_secretary_cancels_a_planned_meeting_with_a_reason_and_members_are_told(
    secretary_a_client, meeting_a, member_user
):
    response = secretary_a_client.post(url("cancel", meeting_a.pk), {"reason": "上级临时召开会议，改期"})
    meeting_a.refresh_from_db()
    assert response.status_code == 302
    assert meeting_a.status == Meeting.Status.CANCELLED and meeting_a.cancel_reason == "上级临时召开会议，改期"
    note = Notification.objects.get(user=member_user, event="meeting_cancelled")
    assert "上级临时召开会议" in note.body


def test_cancelling_needs_a_reason(secretary_a_client, meeting_a):
    secretary_a_client.post(url("cancel", meeting_a.pk), {"reason": ""})
    meeting_a.refresh_from_db()
    assert meeting_a.is_planned


def test_a_held_meeting_cannot_be_cancelled(secretary_a_client, begun_a):
    services.meeting_hold(meeting=begun_a, by=None, minutes="会议记录")
    secretary_a_client.post(url("cancel", begun_a.pk), {"reason": "误操作"})
    begun_a.refresh_from_db()
    assert begun_a.is_held


def test_a_member_cannot_cancel_a_meeting(member_client, meeting_a):
    assert member_client.post(url("cancel", meeting_a.pk), {"reason": "不想开"}).status_code == 403


# --- the detail ---------------------------------------------------------------------------------------------


def test_the_detail_marks_probationary_members_without_a_vote_and_mobile_members(secretary_a_client, meeting_a):
    response = secretary_a_client.get(url("detail", meeting_a.pk))
    assert response.status_code == 200
    body = response.content.decode()
    non_voting = meeting_a.attendances.get(member__name="王预备")
    mobile = meeting_a.attendances.get(member__name="赵流动")
    row = body.split(f'data-attendance="{non_voting.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="non-voting"' in row
    row = body.split(f'data-attendance="{mobile.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="mobile"' in row
    assert url("checkin_qr", meeting_a.pk) in body


def test_the_quorum_line_counts_members_with_a_vote(secretary_a_client, begun_a):
    # Four members with a vote (the probationary member has none); three present is more than half.
    begun_a.attendances.filter(is_voting=True).exclude(member__name="张三").update(status=Status.PRESENT)
    response = secretary_a_client.get(url("detail", begun_a.pk))
    assert response.context["quorum"] == {"voting": 4, "present_voting": 3, "has_quorum": True}
    assert "应到有表决权党员 4 人，实到 3 人，超过半数" in response.content.decode()


def test_exactly_half_is_no_quorum_and_the_held_meeting_is_flagged(secretary_a_client, begun_a):
    # Two of the four with a vote, and the probationary member too: still only half of those who vote.
    begun_a.attendances.filter(member__name__in=["张三", "李四", "王预备"]).update(status=Status.PRESENT)
    services.meeting_hold(meeting=begun_a, by=None, minutes="会议记录")
    response = secretary_a_client.get(url("detail", begun_a.pk))
    body = response.content.decode()
    assert response.context["quorum"]["has_quorum"] is False
    assert "应到有表决权党员 4 人，实到 2 人，未超过半数" in body
    assert 'data-testid="no-quorum-warning"' in body
    assert 'data-quorum="no"' in secretary_a_client.get(url("list")).content.decode()


def test_a_planned_general_meeting_is_not_flagged_before_it_is_held(secretary_a_client, meeting_a):
    body = secretary_a_client.get(url("detail", meeting_a.pk)).content.decode()
    assert 'data-testid="no-quorum-warning"' not in body


def test_a_party_lesson_has_no_quorum_line(secretary_a_client, branch_a, members_a):
    lesson = plan(branch_a, kind=Kind.LESSON)
    response = secretary_a_client.get(url("detail", lesson.pk))
    assert response.context["quorum"] is None


def test_a_member_reads_a_meeting_she_is_expected_at_without_others_leave_reasons(
    member_client, member_user, meeting_a
):
    other = meeting_a.attendances.get(member__name="张三")
    services.leave_request(attendance=other, reason="家中老人住院", by=None)
    response = member_client.get(url("detail", meeting_a.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert not response.context["can_manage"] and response.context["own"].member.user == member_user
    assert "家中老人住院" not in body
    assert url("leave_request", meeting_a.pk) in body
    assert url("edit", meeting_a.pk) not in body


def test_a_member_cannot_see_a_meeting_she_is_not_expected_at(member_client, meeting_b, branch_a, group_a):
    group_only = plan(group_a, kind=Kind.GROUP)
    assert member_client.get(url("detail", meeting_b.pk)).status_code == 404
    assert member_client.get(url("detail", group_only.pk)).status_code == 404


def test_the_admin_sees_every_meeting_of_the_building(admin_client, meeting_a, meeting_b, outsider):
    assert admin_client.get(url("detail", meeting_a.pk)).status_code == 200
    assert admin_client.get(url("detail", meeting_b.pk)).status_code == 200
    elsewhere = plan(outsider.member.organization)
    assert admin_client.get(url("detail", elsewhere.pk)).status_code == 404


# --- the printable record -----------------------------------------------------------------------------------


def test_the_record_names_who_came_who_was_on_leave_and_who_was_absent(secretary_a_client, begun_a):
    begun_a.attendances.filter(member__name__in=["张三", "李四", "王预备"]).update(status=Status.PRESENT)
    begun_a.attendances.filter(member__name="赵流动").update(
        status=Status.LEAVE, leave=Attendance.Leave.APPROVED, leave_reason="出差"
    )
    begun_a.attendances.filter(member__user__isnull=False).update(status=Status.ABSENT)
    services.meeting_hold(meeting=begun_a, by=None, minutes="讨论发展党员", resolutions="同意")
    response = secretary_a_client.get(url("record", begun_a.pk))
    assert response.status_code == 200
    body = response.content.decode()
    absent_name = begun_a.attendances.get(member__user__isnull=False).member.name
    assert "张三、李四、王预备" in body
    assert "赵流动" in body and absent_name in body
    assert "讨论发展党员" in body and "css/print.css" in body
    assert "未超过半数" in body
    assert "出差" not in body


def test_the_record_is_not_for_members(member_client, meeting_a):
    assert member_client.get(url("record", meeting_a.pk)).status_code == 403


def test_printing_the_record_is_not_audited(secretary_a_client, begun_a):
    from buildingparty.models import AuditRecord

    before = AuditRecord.objects.count()
    secretary_a_client.get(url("record", begun_a.pk))
    assert AuditRecord.objects.count() == before


# --- a new organisation with no members ---------------------------------------------------------------------


def test_a_meeting_of_an_organisation_without_members_expects_nobody(secretary_a_client, branch_a):
    empty_group = OrganizationFactory(building=branch_a.building, parent=branch_a, kind="group", name="空党小组")
    meeting = plan(empty_group, kind=Kind.GROUP)
    response = secretary_a_client.get(url("detail", meeting.pk))
    assert response.status_code == 200 and response.context["attendances"] == []


def test_a_plan_link_from_the_compliance_page_opens_the_form_with_organisation_and_kind(secretary_a_client, group_a):
    response = secretary_a_client.get(url("create") + f"?organization={group_a.pk}&kind={Kind.GROUP}")
    form = response.context["form"]
    assert form["organization"].value() == str(group_a.pk)
    assert form["kind"].value() == Kind.GROUP
