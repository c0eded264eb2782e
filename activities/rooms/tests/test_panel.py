"""The home page's panel of today's and tomorrow's bookings, for admins and secretaries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import BookingFactory, RoomFactory, at

pytestmark = pytest.mark.django_db


def rooms_panel(client):
    panels = client.get(reverse("home")).context["panels"]
    return next((p for p in panels if p["template"] == "rooms/_panel.html"), None)


def test_the_admin_sees_todays_and_tomorrows_bookings_of_the_building(admin_client, building, branch_a, outsider):
    room = RoomFactory(building=building, name="党支部活动室")
    today = BookingFactory(
        room=room, starts_at=at(timezone.localdate(), 14), title="第一党支部支委会", organization=branch_a
    )
    tomorrow = BookingFactory(
        room=room, starts_at=at(timezone.localdate() + datetime.timedelta(days=1), 9), title="企业培训"
    )
    BookingFactory(room=room, starts_at=at(timezone.localdate() + datetime.timedelta(days=2), 9), title="后天")
    BookingFactory(room=room, starts_at=at(timezone.localdate(), 9), title="已取消", cancelled_at=timezone.now())
    BookingFactory(
        room=RoomFactory(building=outsider.building), starts_at=at(timezone.localdate(), 9), title="另一幢楼"
    )
    panel = rooms_panel(admin_client)
    assert [[b.title for b in day["bookings"]] for day in panel["days"]] == [[today.title], [tomorrow.title]]
    html = admin_client.get(reverse("home")).content.decode()
    assert 'data-testid="rooms-panel"' in html and "第一党支部支委会" in html and "14:00–16:00" in html


def test_a_secretary_sees_the_panel_with_no_bookings_said_plainly(secretary_a_client, building):
    RoomFactory(building=building)
    panel = rooms_panel(secretary_a_client)
    assert [day["bookings"] for day in panel["days"]] == [[], []]
    assert "没有预约。" in secretary_a_client.get(reverse("home")).content.decode()


def test_the_panel_is_hidden_where_the_building_has_no_rooms(admin_client):
    assert rooms_panel(admin_client) is None


def test_members_and_the_street_have_no_rooms_panel(member_client, login_as, street_user, building):
    RoomFactory(building=building)
    assert rooms_panel(member_client) is None
    assert rooms_panel(login_as(street_user)) is None
