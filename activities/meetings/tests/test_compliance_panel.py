"""The home page's "meetings due" panel: a secretary's list of this month's and quarter's meetings, an admin's
count of branches behind."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.meetings import compliance
from activities.meetings.models import ComplianceSettings, Meeting
from activities.meetings.tests.factories import MeetingFactory
from members.committees.tests.factories import CommitteeTermFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
PLAN_URL = reverse("meetings:create")
K = Meeting.Kind


def this_month(day=1):
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, day, 9))


def panel_of(response) -> dict:
    return next(p for p in response.context["panels"] if p["template"] == "meetings/panel_due.html")


def has_panel(response) -> bool:
    return any(p["template"] == "meetings/panel_due.html" for p in response.context["panels"])


def test_secretary_sees_what_her_branch_must_still_hold_this_month_and_quarter(secretary_a_client, branch_a):
    CommitteeTermFactory(organization=branch_a)
    response = secretary_a_client.get(HOME)
    page = response.content.decode()
    month_label = compliance.period_label(compliance.MONTH, timezone.localdate().month)
    assert f"本月（{month_label}）还需召开：" in page
    assert "本季度（" in page
    assert f'href="{PLAN_URL}?organization={branch_a.pk}&amp;kind=committee"' in page
    assert f'href="{PLAN_URL}?organization={branch_a.pk}&amp;kind=general_meeting"' in page
    assert reverse("meetings:compliance") in page


def test_the_theme_day_shows_the_buildings_day_of_the_month(secretary_a_client, building, branch_a):
    ComplianceSettings.objects.create(building=building, theme_day=12)
    assert "主题党日（每月 12 日）" in secretary_a_client.get(HOME).content.decode()


def test_held_meetings_are_ticked_and_planned_ones_marked(secretary_a_client, branch_a):
    CommitteeTermFactory(organization=branch_a)
    MeetingFactory(organization=branch_a, kind=K.THEME_DAY, starts_at=this_month(), status=Meeting.Status.HELD)
    MeetingFactory(organization=branch_a, kind=K.COMMITTEE, starts_at=this_month(), status=Meeting.Status.PLANNED)
    response = secretary_a_client.get(HOME)
    month = panel_of(response)["periods"][0]["cell"]
    assert [item.kind for item in month.held] == [K.THEME_DAY]
    assert [item.kind for item in month.planned] == [K.COMMITTEE]
    assert month.missing == []
    page = response.content.decode()
    assert 'data-state="held"' in page and 'data-state="planned"' in page
    assert "kind=theme_day" not in page  # nothing left to plan this month


def test_the_yearly_life_meeting_is_listed_while_still_to_be_planned(secretary_a_client, branch_a):
    periods = panel_of(secretary_a_client.get(HOME))["periods"]
    assert [p["cell"].period_kind for p in periods] == [compliance.MONTH, compliance.QUARTER, compliance.YEAR]


def test_the_yearly_life_meeting_drops_out_once_planned(secretary_a_client, branch_a):
    MeetingFactory(organization=branch_a, kind=K.LIFE_MEETING, starts_at=this_month(), status=Meeting.Status.PLANNED)
    periods = panel_of(secretary_a_client.get(HOME))["periods"]
    assert compliance.YEAR not in [p["cell"].period_kind for p in periods]


def test_secretary_sees_only_her_own_branch(secretary_a_client, branch_a, branch_b):
    panel = panel_of(secretary_a_client.get(HOME))
    assert panel["summary"] is False
    assert panel["organization"] == branch_a


def test_admin_sees_how_many_branches_are_behind_and_a_link_to_the_table(admin_client, branch_a, branch_b):
    for kind in (K.THEME_DAY, K.GENERAL_MEETING, K.LESSON):
        MeetingFactory(organization=branch_b, kind=kind, starts_at=this_month(), status=Meeting.Status.PLANNED)
    response = admin_client.get(HOME)
    panel = panel_of(response)
    assert (panel["behind"], panel["total"]) == (1, 2)
    page = response.content.decode()
    assert "2 个支部中有 1 个本月或" in page
    assert reverse("meetings:compliance") in page


def test_admin_is_told_when_every_branch_is_on_track(admin_client, branch_a):
    for kind in (K.THEME_DAY, K.GENERAL_MEETING, K.LESSON):
        MeetingFactory(organization=branch_a, kind=kind, starts_at=this_month(), status=Meeting.Status.HELD)
    assert "各支部本月和" in admin_client.get(HOME).content.decode()


@pytest.mark.parametrize("persona", ["member_user", "street_user", "liaison_user"])
def test_other_roles_have_no_such_panel(client, request, branch_a, persona):
    client.force_login(request.getfixturevalue(persona))
    assert not has_panel(client.get(HOME))


def test_a_building_without_branches_shows_no_panel(admin_client, general_branch):
    assert not has_panel(admin_client.get(HOME))
