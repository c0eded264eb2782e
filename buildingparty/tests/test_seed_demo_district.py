"""`seed_demo --scale N` up to district scale: names that cannot run out, and scaled requests and arrears.

Seeding scale 100 takes minutes, so it is measured by hand (buildingparty/demo.py MAX_SCALE); these tests check
the pieces that make it possible, and that a second unit brings its own requests and arrears.
"""

import datetime
import io
import random
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from buildingparty import demo
from enterprises.demo import EnterpriseNames
from members.demo import PersonNames
from members.dues.selectors import arrears_map
from members.models import Member
from services.demo import SCALED_REQUESTS
from services.models import RequestEvent, ServiceRequest


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_chinese_numerals_number_the_offices_at_any_scale():
    numerals = [demo.chinese_numeral(n) for n in (2, 10, 11, 20, 21, 100, 105, 110, 2026, 10010)]
    assert numerals == [
        "二",
        "十",
        "十一",
        "二十",
        "二十一",
        "一百",
        "一百零五",
        "一百一十",
        "二千零二十六",
        "一万零一十",
    ]


def _member_names(seed: int, count: int) -> list[str]:
    names, rng = PersonNames(), random.Random(seed)
    return [names.draw(rng, "MF"[n % 2], datetime.date(1960 + n % 44, 1 + n % 12, 1)) for n in range(count)]


def _enterprise_names(seed: int, count: int) -> list[str]:
    names, rng = EnterpriseNames(), random.Random(seed)
    return [names.draw(rng)[0] for _ in range(count)]


def test_six_thousand_member_names_are_distinct_quick_and_the_same_for_a_seed():
    started = time.monotonic()
    names = _member_names(7, 6000)
    assert time.monotonic() - started < 5
    assert len(set(names)) == 6000
    assert names == _member_names(7, 6000)
    assert names != _member_names(8, 6000)


def test_thirty_thousand_enterprise_names_are_distinct_quick_and_the_same_for_a_seed():
    started = time.monotonic()
    names = _enterprise_names(7, 30_000)
    assert time.monotonic() - started < 5
    assert len(set(names)) == 30_000
    assert names == _enterprise_names(7, 30_000)
    # Past the pool of social organisation names, offices are numbered rather than drawn until free.
    assert any(name.endswith("第二分会") for name in names)


def test_a_taken_enterprise_name_becomes_the_next_numbered_office():
    class Fixed(random.Random):
        """Always draws the same company: 宁波恒信贸易有限公司."""

        def random(self):
            return 0.5

    names = EnterpriseNames()
    drawn = [names.draw(Fixed())[0] for _ in range(3)]
    assert drawn[1:] == [f"{drawn[0]}第二分公司", f"{drawn[0]}第三分公司"]


@pytest.mark.parametrize("scale", ["0", str(demo.MAX_SCALE + 1)])
@pytest.mark.django_db
def test_a_scale_out_of_range_is_refused_in_chinese(scale):
    with pytest.raises(CommandError, match=f"取值范围是 1 到 {demo.MAX_SCALE}"):
        seed("--scale", scale)


def test_max_scale_reaches_the_district():
    assert demo.MAX_SCALE >= 100


def _behind() -> int:
    return len(arrears_map(list(Member.objects.values_list("pk", flat=True)), today=timezone.localdate()))


@pytest.mark.django_db
def test_a_second_unit_brings_its_own_requests_and_members_behind_with_their_dues():
    seed("--scale", "2")
    # Scale 1 has member1's and contact1's requests only, none of these, and five members behind.
    scaled = ServiceRequest.objects.filter(description__in=[details for *_plan, details in SCALED_REQUESTS])
    # Every fifth member and every twentieth active enterprise of the second unit, in every state.
    assert scaled.count() >= 10 + 10
    assert set(scaled.values_list("status", flat=True)) == set(ServiceRequest.Status) - {"withdrawn"}
    assert not scaled.filter(member__isnull=True, enterprise__isnull=True).exists()
    assert RequestEvent.objects.filter(request__in=scaled).count() > scaled.count()
    assert len(arrears_map(list(Member.objects.values_list("pk", flat=True)), today=timezone.localdate())) >= 5 + 3
