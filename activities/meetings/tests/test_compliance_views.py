"""The compliance page (三会一课落实情况) and the building's settings for it, by role."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.meetings.models import Attendance, ComplianceSettings, Meeting
from activities.meetings.tests.factories import AttendanceFactory, MeetingFactory
from buildingparty.models import PartyOrganization
from members.committees.tests.factories import CommitteeTermFactory
from tests.factories import BuildingFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("meetings:compliance")
SETTINGS_URL = reverse("meetings:settings")
PLAN_URL = reverse("meetings:create")
K = Meeting.Kind


def this_month(day=1, hour=9):
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, day, hour))


def body(response) -> str:
    return response.content.decode()


def plan_link(organization, kind) -> str:
    return f'href="{PLAN_URL}?organization={organization.pk}&amp;kind={kind}"'


# --- the page ------------------------------------------------------------------------------------------------


def test_admin_sees_every_branch_of_her_building_and_no_other_buildings(admin_client, branch_a, branch_b, outsider):
    response = admin_client.get(URL)
    assert response.status_code == 200
    page = body(response)
    assert "三会一课落实情况" in page
    assert branch_a.name in page and branch_b.name in page
    assert "另一支部" not in page


def test_each_branch_has_its_years_summary_line(admin_client, branch_a):
    MeetingFactory(organization=branch_a, kind=K.THEME_DAY, starts_at=this_month(), status=Meeting.Status.HELD)
    page = body(admin_client.get(URL))
    # no committee, no groups, quarterly lessons: 4 general meetings + 4 lessons + 12 theme days + 1 life meeting
    assert "本年度应开 21 次，已开 1 次" in page


def test_the_building_total_sums_every_branch(admin_client, branch_a, branch_b):
    MeetingFactory(organization=branch_b, kind=K.THEME_DAY, starts_at=this_month(), status=Meeting.Status.HELD)
    page = body(admin_client.get(URL))
    assert 'data-testid="summary-total"' in page
    assert "本年度应开 42 次，已开 1 次" in page


def test_a_cell_with_meetings_held_says_how_many_and_names_them(admin_client, group_a, branch_a):
    MeetingFactory(organization=branch_a, kind=K.THEME_DAY, starts_at=this_month(), status=Meeting.Status.HELD)
    page = body(admin_client.get(URL))
    assert "✓ 已开 1 项" in page
    assert 'title="主题党日"' in page


def test_admin_can_plan_a_missing_meeting_from_its_cell(admin_client, branch_a):
    page = body(admin_client.get(URL))
    assert plan_link(branch_a, K.THEME_DAY) in page
    assert plan_link(branch_a, K.GENERAL_MEETING) in page
    assert "缺：" in page


def test_a_missing_group_meeting_links_to_planning_it_for_the_group(admin_client, branch_a, group_a):
    page = body(admin_client.get(URL))
    assert "第一党小组 党小组会" in page
    assert plan_link(group_a, K.GROUP) in page


def test_cells_say_their_state_in_words_not_only_in_colour(admin_client, branch_a):
    MeetingFactory(organization=branch_a, kind=K.THEME_DAY, starts_at=this_month(), status=Meeting.Status.PLANNED)
    page = body(admin_client.get(URL))
    assert 'data-state="amber"' in page and "计划中：" in page
    assert 'data-state="red"' in page and "缺：" in page
    assert 'data-testid="legend"' in page
    assert "table-responsive" in page


def test_the_rules_line_shows_the_buildings_lesson_frequency_and_theme_day(admin_client, building, branch_a):
    ComplianceSettings.objects.create(building=building, lesson_frequency="yearly", theme_day=15)
    page = body(admin_client.get(URL))
    assert "党课每年一次" in page
    assert "每月 15 日开展主题党日" in page
    assert "主题党日（每月 15 日）" in page


def test_a_general_meeting_held_without_quorum_is_marked_with_an_explanation(admin_client, branch_a):
    meeting = MeetingFactory(
        organization=branch_a, kind=K.GENERAL_MEETING, starts_at=this_month(), status=Meeting.Status.HELD
    )
    AttendanceFactory(meeting=meeting, status=Attendance.Status.PRESENT)
    AttendanceFactory(meeting=meeting, status=Attendance.Status.ABSENT)
    page = body(admin_client.get(URL))
    assert 'data-testid="no-quorum"' in page
    assert 'title="支部党员大会未达法定人数' in page


def test_secretary_sees_only_her_own_branch(secretary_a_client, branch_a, branch_b):
    response = secretary_a_client.get(URL)
    assert response.status_code == 200
    page = body(response)
    assert branch_a.name in page
    assert branch_b.name not in page
    assert plan_link(branch_a, K.THEME_DAY) in page
    assert 'data-testid="settings-link"' not in page


def test_street_viewer_reads_the_first_building_by_default_without_plan_links(client, street_user, branch_a, outsider):
    client.force_login(street_user)
    response = client.get(URL)
    assert response.status_code == 200
    page = body(response)
    assert branch_a.name in page
    assert "另一支部" not in page
    assert "data-plan" not in page
    assert PLAN_URL not in page
    assert 'data-testid="settings-link"' not in page


def test_street_viewer_picks_another_building(client, street_user, branch_a, outsider):
    client.force_login(street_user)
    other = PartyOrganization.objects.get(name="另一支部").building
    page = body(client.get(URL, {"building": other.pk}))
    assert "另一支部" in page
    assert branch_a.name not in page
    assert f'<option value="{other.pk}" selected>' in page


def test_street_viewer_naming_an_unknown_building_sees_the_first(client, street_user, branch_a):
    client.force_login(street_user)
    page = body(client.get(URL, {"building": "999999"}))
    assert branch_a.name in page


def test_the_year_filter_shows_another_year(admin_client, branch_a):
    year = timezone.localdate().year - 1
    MeetingFactory(
        organization=branch_a,
        kind=K.LIFE_MEETING,
        starts_at=timezone.make_aware(datetime.datetime(year, 6, 1, 9)),
        status=Meeting.Status.HELD,
    )
    response = admin_client.get(URL, {"year": year})
    assert response.context["year"] == year
    assert response.context["grid"].rows[0].held == 1


@pytest.mark.parametrize("year", ["abc", "1900", ""])
def test_a_year_not_offered_falls_back_to_this_year(admin_client, branch_a, year):
    assert admin_client.get(URL, {"year": year}).context["year"] == timezone.localdate().year


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_and_other_roles_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, branch_a):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_page_only_answers_get(admin_client):
    assert admin_client.post(URL).status_code == 405


def grow(building, n):
    """n more branches, each with a committee, a group and this month's meetings."""
    for i in range(n):
        branch = OrganizationFactory(building=building, name=f"扩充支部{n}-{i}")
        CommitteeTermFactory(organization=branch)
        group = OrganizationFactory(building=building, name=f"扩充党小组{n}-{i}", kind="group", parent=branch)
        MeetingFactory(organization=branch, kind=K.THEME_DAY, starts_at=this_month(), status=Meeting.Status.HELD)
        MeetingFactory(organization=branch, kind=K.COMMITTEE, starts_at=this_month(), status=Meeting.Status.PLANNED)
        MeetingFactory(organization=group, kind=K.GROUP, starts_at=this_month(), status=Meeting.Status.HELD)
        meeting = MeetingFactory(
            organization=branch, kind=K.GENERAL_MEETING, starts_at=this_month(), status=Meeting.Status.HELD
        )
        AttendanceFactory(meeting=meeting, status=Attendance.Status.PRESENT)


# the session and user (and the session's save), the unread notifications of the menu, the years offered, the
# building (a street viewer: the buildings to choose from), and the six queries of the table
PAGE_QUERIES = 14


@pytest.mark.parametrize("scale", [1, 3])
def test_the_page_takes_a_fixed_number_of_queries_however_many_branches_and_meetings(
    admin_client, building, general_branch, django_assert_num_queries, scale
):
    ComplianceSettings.objects.create(building=building)
    grow(building, scale)
    with django_assert_num_queries(PAGE_QUERIES):
        response = admin_client.get(URL)
    assert len(response.context["grid"].rows) == scale


@pytest.mark.parametrize("scale", [1, 3])
def test_the_street_page_takes_a_fixed_number_of_queries_however_many_buildings(
    client, street_user, django_assert_num_queries, scale
):
    for i in range(scale):
        grow(BuildingFactory(name=f"规模大厦{i}"), scale)
    client.force_login(street_user)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL)
    assert len(response.context["grid"].rows) == scale


# --- settings ------------------------------------------------------------------------------------------------


def test_admin_sees_the_settings_form(admin_client):
    response = admin_client.get(SETTINGS_URL)
    assert response.status_code == 200
    page = body(response)
    assert 'name="lesson_frequency"' in page and 'name="theme_day"' in page


def test_admin_saves_the_lesson_frequency_and_theme_day(admin_client, building):
    response = admin_client.post(SETTINGS_URL, {"lesson_frequency": "half_yearly", "theme_day": "15"})
    assert response.status_code == 302
    assert response.url == URL
    setting = ComplianceSettings.objects.get(building=building)
    assert (setting.lesson_frequency, setting.theme_day) == ("half_yearly", 15)


def test_saving_again_changes_the_same_settings(admin_client, building):
    ComplianceSettings.objects.create(building=building, lesson_frequency="yearly", theme_day=3)
    admin_client.post(SETTINGS_URL, {"lesson_frequency": "monthly", "theme_day": ""})
    setting = ComplianceSettings.objects.get(building=building)
    assert (setting.lesson_frequency, setting.theme_day) == ("monthly", None)


def test_the_form_shows_the_saved_settings(admin_client, building):
    ComplianceSettings.objects.create(building=building, lesson_frequency="yearly", theme_day=3)
    page = body(admin_client.get(SETTINGS_URL))
    assert re.search(r'value="yearly"[^>]*checked', page)
    assert re.search(r'name="theme_day" value="3"', page)


@pytest.mark.parametrize("day", ["29", "0", "-1", "abc", "31"])
def test_a_theme_day_outside_1_to_28_is_refused_with_a_message_next_to_the_field(admin_client, building, day):
    response = admin_client.post(SETTINGS_URL, {"lesson_frequency": "quarterly", "theme_day": day})
    assert response.status_code == 200
    page = body(response)
    assert "请填写 1 至 28 之间的日期" in page
    assert 'id="error_1_id_theme_day"' in page  # crispy's error under the field
    assert not ComplianceSettings.objects.filter(building=building).exists()


def test_a_missing_lesson_frequency_is_refused(admin_client, building):
    response = admin_client.post(SETTINGS_URL, {"theme_day": "5"})
    assert response.status_code == 200
    assert not ComplianceSettings.objects.filter(building=building).exists()


def test_settings_of_another_building_are_untouched(admin_client, building, outsider):
    other = PartyOrganization.objects.get(name="另一支部").building
    ComplianceSettings.objects.create(building=other, lesson_frequency="yearly", theme_day=9)
    admin_client.post(SETTINGS_URL, {"lesson_frequency": "monthly", "theme_day": "1"})
    assert ComplianceSettings.objects.get(building=other).theme_day == 9
    assert ComplianceSettings.objects.get(building=building).theme_day == 1


@pytest.mark.parametrize("persona", ["secretary_a", "street_user", "member_user", "liaison_user"])
def test_only_the_admin_may_change_the_settings(client, request, building, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(SETTINGS_URL).status_code == 403
    assert client.post(SETTINGS_URL, {"lesson_frequency": "yearly", "theme_day": "2"}).status_code == 403
    assert not ComplianceSettings.objects.exists()


def test_anonymous_is_sent_to_sign_in_from_the_settings(client, building):
    response = client.get(SETTINGS_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_admin_of_another_building_changes_only_hers(client, building, outsider):
    other = PartyOrganization.objects.get(name="另一支部").building
    admin = UserFactory(username="other_admin", role="admin", building=other)
    client.force_login(admin)
    client.post(SETTINGS_URL, {"lesson_frequency": "yearly", "theme_day": "7"})
    assert ComplianceSettings.objects.get().building == other
