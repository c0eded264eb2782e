"""The demo's bulletin board: the building's four rules, notices for the building and each branch (one off the
board, one scheduled), read receipts; a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from activities.notices.models import Notice, NoticeAttachment, NoticeRead
from buildingparty.models import PartyOrganization, User
from members.points.services import DEFAULT_RULES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_posts_the_four_rules_notices_for_the_building_and_every_branch_and_some_receipts(client):
    rules = Notice.objects.filter(kind=Notice.Kind.RULE)
    assert rules.count() == 4 and all(r.pinned and r.audience_id is None and r.is_current for r in rules)
    titles = " ".join(rules.values_list("title", flat=True))
    for name in ("支部活动制度", "党员行为规范", "党员亮相制度", "积分制"):
        assert name in titles
    scheme = rules.get(title__contains="积分制").body_html
    assert "<table" in scheme and "60" in scheme
    for rule in DEFAULT_RULES:
        assert f"{rule.points:+d}" in scheme
    for branch in PartyOrganization.objects.branches():
        assert Notice.objects.filter(audience=branch).exists(), branch
    states = {n.state() for n in Notice.objects.all()}
    assert states == {Notice.State.CURRENT, Notice.State.EXPIRED, Notice.State.SCHEDULED}
    assert NoticeAttachment.objects.count() == 1
    member1 = User.objects.get(username="member1")
    assert NoticeRead.objects.filter(user=member1).count() >= 6
    assert NoticeRead.objects.filter(notice__kind=Notice.Kind.NOTICE).values("user").distinct().count() >= 3
    assert not NoticeRead.objects.filter(notice__publish_at__gt=F("read_at")).exists()  # read once it was up

    client.force_login(member1)
    assert client.get(reverse("notices:board")).status_code == 200
    rules_page = client.get(reverse("notices:rules"))
    assert rules_page.status_code == 200 and rules_page.content.decode().count('data-testid="rule"') == 4


def test_seeding_again_adds_no_notices_attachments_or_receipts():
    before = (Notice.objects.count(), NoticeAttachment.objects.count(), NoticeRead.objects.count())
    seed()
    assert (Notice.objects.count(), NoticeAttachment.objects.count(), NoticeRead.objects.count()) == before
