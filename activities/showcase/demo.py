"""Demo 党员亮相 cards for `manage.py seed_demo`.

Every member the register marks as showing her membership at work has a card with a portrait and a pledge, and
four members more have consented without being marked yet (their cards wait for the register). The members have
no accounts of their own, so their consent was given on paper and recorded by their secretary (or the admin).
One member has withdrawn her consent since: her card is off the board. member1 has no card, so she can give her
consent herself.

The portraits are placeholders drawn here, in pure Python (a PNG of a silhouette; Pillow is not needed). A
member's card is made once: a second run adds nothing, and an officer's corrections stay.
"""

import datetime
import struct
import zlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import User
from members.models import Member

from .models import ShowcaseProfile

EXTRA_PER_SCALE = 4  # consented, but not (yet) marked as showing membership
PAPER_NOTE = "签字同意书已存支部档案"
PLEDGES = [
    "立足岗位作表率，服务企业显担当。",
    "亮身份、树形象，做让群众信得过的共产党员。",
    "一名党员一面旗，岗位就是阵地。",
    "客户的事再小也是大事，认真办好每一件。",
    "守初心、担使命，在平凡岗位上干出不平凡的业绩。",
    "学习在前、服务在前、奉献在前。",
    "有困难找党员，楼里的事我们一起办。",
    "把质量关，守安全线，做好企业的“红色哨兵”。",
    "带头遵规守纪，带头攻坚克难。",
    "用专业服务“两新”组织，用真心温暖身边群众。",
    "干一行、爱一行、精一行。",
    "党员就在您身边，有事请找我。",
]
# (background, silhouette) colours of the placeholder portraits
PALETTE = [
    ((236, 225, 226), (140, 14, 21)),
    ((226, 232, 240), (52, 73, 94)),
    ((235, 236, 230), (86, 96, 70)),
    ((240, 232, 222), (120, 72, 40)),
]
WIDTH, HEIGHT = 120, 160


def portrait_png(index: int) -> bytes:
    """A 120×160 PNG: a head and shoulders on a soft background, its colours by ``index``. Drawn row by row
    (each row is background, silhouette, background), so it costs a few milliseconds."""
    background, figure = PALETTE[index % len(PALETTE)]
    centre = WIDTH // 2
    head_y, head_r = 62, 27
    body_y, body_rx, body_ry = 172, 54, 62
    rows = []
    for y in range(HEIGHT):
        half = 0.0
        if abs(y - head_y) <= head_r:
            half = (head_r**2 - (y - head_y) ** 2) ** 0.5
        if abs(y - body_y) <= body_ry:
            half = max(half, body_rx * (1 - ((y - body_y) / body_ry) ** 2) ** 0.5)
        left = max(0, centre - round(half))
        right = min(WIDTH, centre + round(half))
        row = bytes(background) * left + bytes(figure) * (right - left) + bytes(background) * (WIDTH - right)
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _photo(member: Member, index: int) -> str:
    """The stored name of the member's placeholder portrait, written once."""
    name = f"showcase/{member.pk}/demo-portrait.png"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(portrait_png(index)))
    return name


@demo.register(order=48)  # after the members (20) and their committees
def seed_showcase(*, building, scale, stdout):
    """Insert the missing cards.

    1. Who: every active member marked as showing her membership, and ``EXTRA_PER_SCALE`` a scale more (active,
       at an enterprise, without an account), in the order of their ID numbers, so every run picks the same.
    2. Each new card: a portrait, a pledge, consent given on paper weeks ago, recorded by the member's secretary.
    3. The last of those showing withdrew her consent a few weeks later, when her card is new (a member who gave
       it again since keeps it).
    """
    now = timezone.now()
    members = Member.objects.active().filter(organization__building=building).select_related("organization__parent")
    # Sorted here: the ID number column is encrypted, so its database order is random.
    showing = sorted(members.filter(shows_membership=True), key=lambda m: m.id_number)
    extra = sorted(
        members.filter(shows_membership=False, user__isnull=True, enterprise__isnull=False), key=lambda m: m.id_number
    )[: EXTRA_PER_SCALE * scale]
    chosen = showing + extra
    existing = set(ShowcaseProfile.objects.filter(member__in=chosen).values_list("member_id", flat=True))
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2"])}
    by_branch = {demo.BRANCH_1: users.get("secretary1"), demo.BRANCH_2: users.get("secretary2")}
    new = []
    for index, member in enumerate(chosen):
        if member.pk in existing:
            continue
        given = now - datetime.timedelta(days=120 - 5 * (index % 20), hours=index % 7)
        new.append(
            ShowcaseProfile(
                member=member,
                photo=_photo(member, index),
                pledge=PLEDGES[index % len(PLEDGES)],
                consent_given_at=given,
                consent_method=ShowcaseProfile.Method.PAPER,
                consent_note=PAPER_NOTE,
                consent_recorded_by=by_branch.get(member.organization.branch.name) or users.get("admin"),
            )
        )
    leaving = next((p for p in new if showing and p.member_id == showing[-1].pk), None)
    if leaving is not None:
        leaving.consent_withdrawn_at = min(now, leaving.consent_given_at + datetime.timedelta(days=21))
        leaving.consent_withdrawn_by = leaving.consent_recorded_by
    ShowcaseProfile.objects.bulk_create(new)

    profiles = ShowcaseProfile.objects.in_building(building.pk)
    stdout.write(
        f"党员亮相：本次新增亮相卡 {len(new)} 张；亮相栏展示 {profiles.on_board().count()} 名党员，"
        f"撤回同意 {profiles.filter(consent_withdrawn_at__isnull=False).count()} 名"
    )
