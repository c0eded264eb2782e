"""Study pages: the session list, recording and editing a session with its participants, one session and its
materials file, a branch's study hours, a member's own year, and the home-page panels."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.meetings.models import Attendance
from activities.study.models import StudyParticipation, StudySession
from activities.study.services import MAX_MATERIAL_SIZE
from activities.study.tests.factories import PDF, PNG, StudySessionFactory, session_with, study_meeting, this_year
from members.committees.tests.factories import CommitteeSeatFactory, CommitteeTermFactory
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_YEAR = this_year() - 1


def url(name, *args):
    return reverse(f"study:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def upload(name="课件.pdf", content=PDF, size=None):
    if size is not None:
        content = content + b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def member_a(member_user):
    return member_user.member


@pytest.fixture
def session_a(member_a, branch_a):
    """A session of branch A that the member took part in, with a PDF of its materials."""
    session = session_with([member_a], organization=branch_a, topic="学习党章", hours=Decimal("3.0"))
    session.material_file.save("slides.pdf", io.BytesIO(PDF))
    return session


@pytest.fixture
def session_b(branch_b):
    session = session_with([MemberFactory(organization=branch_b)], organization=branch_b, topic="第二支部学习")
    session.material_file.save("slides.pdf", io.BytesIO(PDF))
    return session


def form_data(**changes):
    data = {
        "kind": StudySession.Kind.CONCENTRATED,
        "topic": "学习《中国共产党党员教育管理工作条例》",
        "held_on": timezone.localdate().isoformat(),
        "hours": "2.5",
        "led_by": "王海燕",
        "place": "党支部活动室",
        "materials": "《中国共产党党员教育管理工作条例》",
    }
    data.update(changes)
    return data


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, session_a):
    for target in [
        url("session_list"),
        url("session_create"),
        url("session_detail", session_a.pk),
        url("session_edit", session_a.pk),
        url("material", session_a.pk),
        url("hours"),
        url("mine"),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target
    response = client.post(url("session_create"), form_data())
    assert response["Location"].startswith(reverse("login"))
    assert StudySession.objects.count() == 1


@pytest.mark.parametrize("persona", ["liaison_user", "contact_user"])
def test_liaisons_and_contacts_are_refused_the_study_pages(request, login_as, persona, session_a):
    client = login_as(request.getfixturevalue(persona))
    for target in [
        url("session_list"),
        url("session_create"),
        url("session_detail", session_a.pk),
        url("session_edit", session_a.pk),
        url("material", session_a.pk),
        url("hours"),
        url("mine"),
    ]:
        assert client.get(target).status_code == 403, target


def test_a_member_sees_her_own_sessions_and_hours_but_not_the_officers_pages(member_client, session_a):
    for target in [url("session_list"), url("session_create"), url("session_edit", session_a.pk), url("hours")]:
        assert member_client.get(target).status_code == 403, target
    assert member_client.post(url("session_edit", session_a.pk), form_data()).status_code == 403
    detail = member_client.get(url("session_detail", session_a.pk))
    assert detail.status_code == 200 and "学习党章" in detail.content.decode()
    assert "page" not in detail.context  # she sees that she took part, not who else did
    assert member_client.get(url("material", session_a.pk)).status_code == 200
    assert member_client.get(url("mine")).status_code == 200


def test_a_member_finds_nothing_of_sessions_she_did_not_take_part_in(member_client, branch_a, session_b):
    other = StudySessionFactory(organization=branch_a)
    other.material_file.save("slides.pdf", io.BytesIO(PDF))
    for session in (other, session_b):
        assert member_client.get(url("session_detail", session.pk)).status_code == 404
        assert member_client.get(url("material", session.pk)).status_code == 404


def test_another_branchs_secretary_finds_nothing(login_as, secretary_b, session_a, branch_a):
    client = login_as(secretary_b)
    assert client.get(url("session_detail", session_a.pk)).status_code == 404
    assert client.get(url("session_edit", session_a.pk)).status_code == 404
    assert client.post(url("session_edit", session_a.pk), form_data(topic="改掉")).status_code == 404
    assert client.get(url("material", session_a.pk)).status_code == 404
    assert client.get(url("session_create"), {"organization": branch_a.pk}).status_code == 404
    assert client.post(url("session_create"), form_data(organization=branch_a.pk)).status_code == 404
    assert session_a.pk not in [s.pk for s in client.get(url("session_list")).context["page"]]
    hours = client.get(url("hours"), {"organization": branch_a.pk, "show": "all"})
    assert hours.context["organization"] == secretary_b.organization
    session_a.refresh_from_db()
    assert session_a.topic == "学习党章"


def test_another_buildings_admin_finds_nothing(login_as, session_a):
    other = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))
    client = login_as(other)
    assert client.get(url("session_detail", session_a.pk)).status_code == 404
    assert client.get(url("session_edit", session_a.pk)).status_code == 404
    assert client.get(url("material", session_a.pk)).status_code == 404
    assert client.get(url("session_list")).context["page"].paginator.count == 0


def test_street_viewers_read_everything_and_record_nothing(login_as, street_user, session_a, session_b, branch_a):
    client = login_as(street_user)
    assert client.get(url("session_list")).context["page"].paginator.count == 2
    detail = client.get(url("session_detail", session_a.pk))
    assert detail.status_code == 200 and not detail.context["can_edit"]
    assert client.get(url("material", session_b.pk)).status_code == 200
    assert client.get(url("hours"), {"organization": branch_a.pk}).status_code == 200
    assert client.get(url("session_create")).status_code == 403
    assert client.get(url("session_edit", session_a.pk)).status_code == 403
    assert client.get(url("mine")).status_code == 403  # no member record of her own


def test_the_read_only_pages_answer_only_get(login_as, secretary_a, member_user, session_a):
    client = login_as(secretary_a)
    for target in [url("session_list"), url("session_detail", session_a.pk), url("material", session_a.pk)]:
        assert client.post(target).status_code == 405, target
    assert client.post(url("hours")).status_code == 405
    assert client.put(url("session_create")).status_code == 405
    assert client.put(url("session_edit", session_a.pk)).status_code == 405
    assert login_as(member_user).post(url("mine")).status_code == 405


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_filters_by_form_year_and_organisation(secretary_a_client, branch_a, group_a):
    StudySessionFactory(organization=branch_a, topic="集中学习A", held_on=datetime.date(this_year(), 1, 5))
    StudySessionFactory(
        organization=group_a,
        topic="送学上门B",
        kind=StudySession.Kind.DELIVERED,
        held_on=datetime.date(this_year(), 1, 5),
    )
    StudySessionFactory(organization=branch_a, topic="去年学习C", held_on=datetime.date(LAST_YEAR, 6, 1))

    def topics(**query):
        return {s.topic for s in secretary_a_client.get(url("session_list"), query).context["page"]}

    assert topics() == {"集中学习A", "送学上门B", "去年学习C"}
    assert topics(kind="delivered") == {"送学上门B"}
    assert topics(year=LAST_YEAR) == {"去年学习C"}
    assert topics(organization=group_a.pk) == {"送学上门B"}


@pytest.mark.parametrize("scale", [1, 3])
def test_the_list_runs_the_same_queries_at_1x_and_3x_sessions(
    secretary_a_client, branch_a, group_a, django_assert_num_queries, scale
):
    for n in range(4 * scale):
        session_with([MemberFactory(organization=branch_a), MemberFactory(organization=group_a)], topic=f"专题{n}")
    secretary_a_client.get(url("session_list"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = secretary_a_client.get(url("session_list"))
    assert response.context["page"].paginator.count == 4 * scale
    assert {s.participant_count for s in response.context["page"]} == {2}


# Session read, user, scope (the branch and the level below it), the organisations (rendered twice) and the
# years for the filters, count and page of the sessions, the page's participant counts, the unread-notification
# count, and the session write (3).
LIST_QUERIES = 14


# --- recording and editing ----------------------------------------------------------------------------------


def test_the_secretary_records_a_session_ticking_who_took_part(secretary_a_client, secretary_a, branch_a):
    came, stayed_away = MemberFactory(organization=branch_a, name="张一"), MemberFactory(organization=branch_a)
    form = secretary_a_client.get(url("session_create")).context["form"]
    assert set(form.fields["participants"].queryset) == {came, stayed_away}
    assert form.initial["held_on"] == timezone.localdate()

    response = secretary_a_client.post(url("session_create"), form_data(participants=[came.pk]))

    session = StudySession.objects.get()
    assert response.status_code == 302 and response["Location"] == url("session_detail", session.pk)
    assert (session.organization, session.hours, session.created_by) == (branch_a, Decimal("2.5"), secretary_a)
    assert list(session.participations.values_list("member", flat=True)) == [came.pk]
    followed = secretary_a_client.get(response["Location"])
    assert "张一" in followed.content.decode()
    assert messages_of(followed) == ["已记录学习：1名党员参加。"]


def test_a_secretary_with_party_groups_first_chooses_which_organisation_held_it(
    secretary_a_client, branch_a, group_a, branch_b
):
    in_group = MemberFactory(organization=group_a)
    MemberFactory(organization=branch_a)
    choose = secretary_a_client.get(url("session_create"))
    assert set(choose.context["organizations"]) == {branch_a, group_a}

    response = secretary_a_client.post(
        url("session_create"), form_data(organization=group_a.pk, participants=[in_group.pk])
    )

    assert response.status_code == 302
    assert StudySession.objects.get().organization == group_a


def test_a_session_cannot_be_dated_in_the_future_nor_tick_members_not_offered(secretary_a_client, branch_a, branch_b):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = secretary_a_client.post(url("session_create"), form_data(held_on=tomorrow.isoformat()))
    assert response.status_code == 200 and "held_on" in response.context["form"].errors

    stranger = MemberFactory(organization=branch_b)
    response = secretary_a_client.post(url("session_create"), form_data(participants=[stranger.pk]))
    assert "participants" in response.context["form"].errors

    response = secretary_a_client.post(url("session_create"), form_data(hours="0"))
    assert "hours" in response.context["form"].errors
    response = secretary_a_client.post(url("session_create"), form_data(hours="24.5"))
    assert "hours" in response.context["form"].errors
    assert not StudySession.objects.exists()


def test_editing_ticks_and_unticks_participants_and_keeps_those_who_have_left(
    secretary_a_client, branch_a, member_a, session_a
):
    gone = MemberFactory(organization=branch_a, whereabouts="transferred_out", name="已转出")
    StudyParticipation.objects.create(session=session_a, member=gone)
    newcomer = MemberFactory(organization=branch_a)
    form = secretary_a_client.get(url("session_edit", session_a.pk)).context["form"]
    assert set(form.initial["participants"]) == {member_a.pk, gone.pk}

    response = secretary_a_client.post(
        url("session_edit", session_a.pk),
        form_data(topic="学习党章（修订）", hours="3.0", participants=[newcomer.pk, gone.pk]),
    )

    assert response.status_code == 302
    session_a.refresh_from_db()
    assert session_a.topic == "学习党章（修订）"
    assert set(session_a.participations.values_list("member", flat=True)) == {newcomer.pk, gone.pk}
    assert session_a.material_file  # an edit without a new file keeps the file


def test_a_general_branch_session_records_its_participants_one_branch_at_a_time(
    admin_client, general_branch, branch_a, branch_b
):
    in_a, in_b = MemberFactory(organization=branch_a), MemberFactory(organization=branch_b)
    form = admin_client.get(url("session_create"), {"organization": general_branch.pk, "branch": branch_b.pk})
    assert set(form.context["form"].fields["participants"].queryset) == {in_b}

    admin_client.post(
        url("session_create"), form_data(organization=general_branch.pk, branch=branch_b.pk, participants=[in_b.pk])
    )
    session = StudySession.objects.get()
    admin_client.post(url("session_edit", session.pk), form_data(branch=branch_a.pk, participants=[in_a.pk]))

    assert session.organization == general_branch
    assert set(session.participations.values_list("member", flat=True)) == {in_a.pk, in_b.pk}


def test_an_admin_chooses_among_the_buildings_organisations(admin_client, general_branch, branch_a, branch_b, outsider):
    response = admin_client.get(url("session_create"))
    assert set(response.context["organizations"]) == {general_branch, branch_a, branch_b}
    assert admin_client.get(url("session_create"), {"organization": outsider.member.organization_id}).status_code == 404
    assert admin_client.get(url("session_create"), {"organization": "x"}).status_code == 404


# --- the materials file -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("课件.pdf", PDF, "application/pdf"),
        ("合影.png", PNG, "image/png"),
        ("讲稿.docx", office_file("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("课件.pptx", office_file("ppt/"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("讲稿.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "application/msword"),
    ],
)
def test_a_materials_file_is_kept_and_served_only_through_the_page(
    secretary_a_client, branch_a, name, content, content_type
):
    response = secretary_a_client.post(url("session_create"), form_data(material_file=upload(name, content)))
    assert response.status_code == 302
    session = StudySession.objects.get()
    assert session.material_file.name.startswith(f"study/{branch_a.pk}/") and name not in session.material_file.name

    served = secretary_a_client.get(url("material", session.pk))

    assert served.status_code == 200 and served["Content-Type"] == content_type
    assert b"".join(served.streaming_content) == content
    assert served["X-Content-Type-Options"] == "nosniff" and "no-store" in served["Cache-Control"]


@pytest.mark.parametrize(
    "file,code",
    [
        (upload("程序.exe", b"MZ"), "file_type"),
        (upload("讲稿.docx", PDF), "file_content"),
        (upload("讲稿.docx", office_file("ppt/")), "file_content"),  # a slide deck named as a document
        (upload("课件.pdf", b"<html>"), "file_content"),
        (upload("课件.pdf", PDF, size=MAX_MATERIAL_SIZE + 1), "file_size"),
    ],
)
def test_a_materials_file_must_be_what_its_name_says_and_at_most_10_mb(secretary_a_client, file, code):
    response = secretary_a_client.post(url("session_create"), form_data(material_file=file))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["material_file"]] == [code]
    assert not StudySession.objects.exists()


def test_a_session_without_a_file_has_no_materials_to_serve(secretary_a_client, branch_a):
    session = StudySessionFactory(organization=branch_a)
    assert secretary_a_client.get(url("material", session.pk)).status_code == 404


# --- a branch's hours ---------------------------------------------------------------------------------------


@pytest.fixture
def last_years_branch(branch_a, group_a):
    """Last year in branch A: 张 did her 32 hours, 李 half, 王 nothing; 赵 (a group's) sits on the committee with 40."""
    zhang, li, wang = (MemberFactory(organization=branch_a, name=n) for n in ("张一", "李二", "王三"))
    zhao = MemberFactory(organization=group_a, name="赵四")
    term = CommitteeTermFactory(organization=branch_a, elected_on=datetime.date(LAST_YEAR - 1, 6, 1))
    CommitteeSeatFactory(term=term, member=zhao, since=term.elected_on)
    session_with([zhang, li, zhao], organization=branch_a, held_on=datetime.date(LAST_YEAR, 3, 1), hours=Decimal("16"))
    session_with([zhang, zhao], organization=branch_a, held_on=datetime.date(LAST_YEAR, 4, 1), hours=Decimal("14"))
    study_meeting(
        branch_a,
        {zhang: Attendance.Status.PRESENT, zhao: Attendance.Status.PRESENT},
        day=datetime.date(LAST_YEAR, 5, 1),
    )
    for member in (zhao,):
        session_with([member], organization=branch_a, held_on=datetime.date(LAST_YEAR, 6, 1), hours=Decimal("8"))
    return {"张一": zhang, "李二": li, "王三": wang, "赵四": zhao}


def test_a_secretary_sees_who_is_behind_first(secretary_a_client, last_years_branch):
    response = secretary_a_client.get(url("hours"), {"year": LAST_YEAR})

    rows = {row.member.name: row for row in response.context["page"]}
    assert set(rows) == {"李二", "王三", "赵四"}
    assert (rows["赵四"].hours, rows["赵四"].required) == (Decimal("40.0"), 56)
    assert (rows["李二"].hours, rows["李二"].required) == (Decimal("16.0"), 32)
    assert (response.context["behind_count"], response.context["done_count"], response.context["member_count"]) == (
        3,
        1,
        4,
    )
    body = response.content.decode()
    assert "40.0" in body and "56" in body and 'role="progressbar"' in body


def test_a_secretary_may_list_everybody_and_a_group_alone(secretary_a_client, last_years_branch, group_a):
    everybody = secretary_a_client.get(url("hours"), {"year": LAST_YEAR, "show": "all"})
    assert {row.member.name for row in everybody.context["page"]} == {"张一", "李二", "王三", "赵四"}
    group = secretary_a_client.get(url("hours"), {"year": LAST_YEAR, "show": "all", "organization": group_a.pk})
    assert [row.member.name for row in group.context["page"]] == ["赵四"]


def test_an_admin_sees_everybody_of_the_organisation_she_picks(admin_client, last_years_branch, branch_a, branch_b):
    MemberFactory(organization=branch_b, name="钱五")
    response = admin_client.get(url("hours"), {"year": LAST_YEAR, "organization": branch_b.pk})
    assert [row.member.name for row in response.context["page"]] == ["钱五"]
    response = admin_client.get(url("hours"), {"year": LAST_YEAR, "organization": branch_a.pk})
    assert len(response.context["page"]) == 4 and response.context["show"] == "all"


@pytest.mark.parametrize("scale", [1, 3])
def test_the_hours_page_runs_the_same_queries_at_1x_and_3x_members(
    secretary_a_client, branch_a, group_a, django_assert_num_queries, scale
):
    for n in range(3 * scale):
        member = MemberFactory(organization=branch_a if n % 2 else group_a)
        session_with([member], organization=branch_a, held_on=datetime.date(LAST_YEAR, 5, 1))
        study_meeting(branch_a, {member: Attendance.Status.PRESENT}, day=datetime.date(LAST_YEAR, 6, 1))
    query = {"year": LAST_YEAR, "show": "all"}
    secretary_a_client.get(url("hours"), query)
    with django_assert_num_queries(HOURS_QUERIES):
        response = secretary_a_client.get(url("hours"), query)
    assert response.context["member_count"] == 3 * scale


# Session read, user, the secretary's branch, scope (the branch and the level below it), the years of the form,
# the organisation's subtree (2), the members, their meetings' and sessions' hours, the committee seats, the
# unread count, the organisations for the form (rendered twice), and the session write (3).
HOURS_QUERIES = 18


# --- a member's own year ------------------------------------------------------------------------------------


def test_a_member_sees_her_years_hours_from_meetings_and_sessions(member_client, member_a, branch_a, session_a):
    study_meeting(branch_a, {member_a: Attendance.Status.PRESENT}, hours="2.0")
    session_with([MemberFactory(organization=branch_a)], organization=branch_a, topic="别人的学习")

    response = member_client.get(url("mine"))

    row = response.context["standing"]
    assert (row.meeting_hours, row.session_hours, row.hours, row.required) == (
        Decimal("2.0"),
        Decimal("3.0"),
        Decimal("5.0"),
        32,
    )
    body = response.content.decode()
    assert "学习党章" in body and "别人的学习" not in body
    assert [s.topic for s in response.context["sessions"]] == ["学习党章"]


def test_a_committee_member_owes_56(member_client, member_a, branch_a):
    term = CommitteeTermFactory(organization=branch_a, elected_on=datetime.date(this_year() - 1, 6, 1))
    CommitteeSeatFactory(term=term, member=member_a, since=term.elected_on, post="secretary")
    assert member_client.get(url("mine")).context["standing"].required == 56


def test_a_member_picks_a_past_year(member_client, member_a, branch_a):
    session_with([member_a], organization=branch_a, held_on=datetime.date(LAST_YEAR, 8, 1), hours=Decimal("4"))
    response = member_client.get(url("mine"), {"year": LAST_YEAR})
    assert response.context["year"] == LAST_YEAR and response.context["standing"].hours == 4
    assert member_client.get(url("mine"), {"year": "1900"}).context["year"] == this_year()


@pytest.mark.parametrize("scale", [1, 3])
def test_the_members_page_runs_the_same_queries_at_1x_and_3x_records(
    member_client, member_a, branch_a, django_assert_num_queries, scale
):
    for n in range(2 * scale):
        session_with([member_a], organization=branch_a, topic=f"专题{n}")
        study_meeting(branch_a, {member_a: Attendance.Status.PRESENT})
    member_client.get(url("mine"))
    with django_assert_num_queries(MINE_QUERIES):
        response = member_client.get(url("mine"))
    assert len(response.context["sessions"]) == len(response.context["attendances"]) == 2 * scale


# Session read, user, her member record, the years offered, her meetings' and sessions' hours, her committee
# seats, the meetings and the sessions listed, the unread count, and the session write (3).
MINE_QUERIES = 13


# --- home-page panels ---------------------------------------------------------------------------------------


def test_the_members_home_shows_her_study_hours_this_year(member_client, member_a, session_a):
    response = member_client.get(reverse("home"))
    body = response.content.decode()
    assert 'data-testid="study-panel"' in body
    assert ">3.0</span>" in body and "/ 32" in body


def test_the_secretarys_home_counts_her_members_behind(secretary_a_client, branch_a, outsider):
    MemberFactory(organization=branch_a)
    MemberFactory(organization=OrganizationFactory(building=branch_a.building))  # not hers
    panels = [
        p for p in secretary_a_client.get(reverse("home")).context["panels"] if p["template"].startswith("study/")
    ]
    today = timezone.localdate()
    if today.month == 1 and today.day == 1:
        pytest.skip("nobody is behind on the first day of the year")
    assert [(p["behind"], p["members"]) for p in panels] == [(1, 1)]
