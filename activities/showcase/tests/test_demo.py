"""The demo's 党员亮相 cards: the members marked as showing their membership have consented on paper, a few more
wait for the register, one has withdrawn, every card has a portrait; a second run adds nothing."""

import io

import pytest
from django.core.management import call_command

from activities.showcase.models import ShowcaseProfile
from members.models import Member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_board_shows_the_consenting_members_who_show_their_membership_and_one_has_withdrawn():
    profiles = ShowcaseProfile.objects.select_related("member")
    showing = Member.objects.active().filter(shows_membership=True).count()
    assert 10 <= profiles.count() <= 14
    assert profiles.on_board().count() == showing - 1
    withdrawn = profiles.filter(consent_withdrawn_at__isnull=False)
    assert withdrawn.count() == 1 and withdrawn.get().member.shows_membership
    waiting = [p for p in profiles if p.has_consent and not p.member.shows_membership]
    assert len(waiting) == 4
    for profile in profiles:
        assert profile.pledge and 0 < len(profile.pledge) <= 120
        assert profile.consent_method == ShowcaseProfile.Method.PAPER and profile.consent_recorded_by is not None
        with profile.photo.open("rb") as photo:
            assert photo.read(8) == b"\x89PNG\r\n\x1a\n"
    assert not profiles.filter(member__user__username="member1").exists()


def test_seeding_again_adds_no_cards_and_changes_none():
    before = list(ShowcaseProfile.objects.order_by("pk").values())
    seed()
    assert list(ShowcaseProfile.objects.order_by("pk").values()) == before
