"""Synthetic party members in bulk, for the figures at 5,000 and 50,000 members.

Only the bench calls this, inside its throwaway database (and mostly inside a transaction it rolls back).
"""

import datetime
import itertools
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from buildingparty.crypto import id_hash
from buildingparty.models import PartyOrganization, Role, User

# The ground floor imports no app above it (tests/test_floors.py): the bench finds them by name, as demo.py does.

# Beijing's 东城区: a region the demo never draws (members/demo.py ID_REGIONS), so numbers rarely collide; the
# ones that do are skipped.
REGION = "110101"
FIRST_BIRTH_DAY = datetime.date(1960, 1, 1)
BASES = [Decimal(b) for b in (2500, 3800, 4600, 6200, 8000, 9500, 12000, 15000)]

_next_number = itertools.count()


def _id_numbers():
    """Valid, distinct ID numbers (999 per birth day), continuing where the previous call stopped."""
    for n in _next_number:
        born = FIRST_BIRTH_DAY + datetime.timedelta(days=n // 999)
        first17 = f"{REGION}{born:%Y%m%d}{n % 999 + 1:03d}"
        yield first17 + import_module("members.validators").id_check_char(first17), born


@transaction.atomic
def add_members(
    count: int,
    *,
    with_accounts: bool = True,
    standards_year: int | None = None,
    organizations: list[PartyOrganization] | None = None,
    batch_size: int = 1000,
) -> list[int]:
    """Insert ``count`` members in normal standing, here, full members since 2010; returns their ids.

    1. Spread them round-robin over ``organizations`` (default: the branches and groups of the first building).
    2. With ``with_accounts``, give each a member account (password unusable) linked to the record.
    3. With ``standards_year``, give each a confirmed dues standard for that year (a few bases, every 97th an
       approved exemption of 0).

    Inserted in batches with ``bulk_create``; the ID number goes through its model field (encrypted, hashed).
    """
    Member = apps.get_model("members", "Member")
    DuesStandard = apps.get_model("dues", "DuesStandard")
    if organizations is None:
        organizations = list(
            PartyOrganization.objects.filter(
                building=PartyOrganization.objects.order_by("building_id").values("building_id")[:1],
                kind__in=[
                    PartyOrganization.Kind.BRANCH,
                    PartyOrganization.Kind.JOINT_BRANCH,
                    PartyOrganization.Kind.GROUP,
                ],
            ).order_by("pk")
        )
    if not organizations:
        raise ValueError("no party organisation to put the members in")
    numbers = _id_numbers()
    now = timezone.now()
    tag = f"{now:%H%M%S%f}"
    ids: list[int] = []
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        batch = _fresh_numbers(numbers, size)
        users = []
        if with_accounts:
            users = User.objects.bulk_create(
                [
                    User(
                        username=f"bench-{tag}-{done + i}",
                        password="!bench",  # unusable: nobody signs in as a synthetic member
                        name=f"测试党员{done + i}",
                        role=Role.MEMBER,
                        building_id=organizations[(done + i) % len(organizations)].building_id,
                    )
                    for i in range(size)
                ],
                batch_size=batch_size,
            )
        members = Member.objects.bulk_create(
            [
                Member(
                    name=f"测试党员{done + i}",
                    gender="M" if int(number[16]) % 2 else "F",
                    id_number=number,
                    birth_date=born,
                    category=Member.Category.FULL,
                    organization=organizations[(done + i) % len(organizations)],
                    joined_on=datetime.date(2010, 7, 1),
                    full_member_on=datetime.date(2011, 7, 1),
                    user=users[i] if users else None,
                )
                for i, (number, born) in enumerate(batch)
            ],
            batch_size=batch_size,
        )
        if standards_year is not None:
            DuesStandard.objects.bulk_create(
                [_standard(member, standards_year, done + i, now) for i, member in enumerate(members)],
                batch_size=batch_size,
            )
        ids.extend(m.pk for m in members)
        done += size
    return ids


def _fresh_numbers(numbers, size: int) -> list[tuple[str, datetime.date]]:
    """``size`` numbers from ``numbers`` that no member holds yet (one query per try)."""
    Member = apps.get_model("members", "Member")
    fresh: list[tuple[str, datetime.date]] = []
    while len(fresh) < size:
        candidates = [next(numbers) for _ in range(size - len(fresh))]
        taken = set(
            Member.objects.filter(id_hash__in=[id_hash(n) for n, _ in candidates]).values_list("id_hash", flat=True)
        )
        fresh.extend((n, born) for n, born in candidates if id_hash(n) not in taken)
    return fresh


def _standard(member, year: int, i: int, now):
    DuesStandard = apps.get_model("dues", "DuesStandard")
    monthly_dues = import_module("members.dues.rules").monthly_dues
    base = BASES[i % len(BASES)]
    exempt = i % 97 == 96
    return DuesStandard(
        member=member,
        year=year,
        kind="employed",
        declared_base=base,
        computed_amount=monthly_dues(base, "employed"),
        override_amount=Decimal("0") if exempt else None,
        override_reason="困难党员，经支部同意并报上级批准免交" if exempt else "",
        override_approved_by="联合党总支" if exempt else "",
        status=DuesStandard.Status.CONFIRMED,
        declared_at=now,
        confirmed_at=now,
    )
