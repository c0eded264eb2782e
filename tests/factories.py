"""factory_boy factories. Every generated ID number and credit code passes its validator."""

import datetime
import itertools

import factory

from buildingparty.autocomplete import name_initials
from buildingparty.models import Building, PartyOrganization, User
from enterprises.models import Enterprise
from enterprises.validators import credit_check_char
from members.models import Member
from members.validators import id_birth_date, id_check_char, id_gender

_serial = itertools.count(1)


def make_id_number(n: int, *, born: datetime.date = datetime.date(1990, 1, 1), male: bool = True) -> str:
    """A valid 18-character ID number, unique per n (the sequence code carries n)."""
    born = born + datetime.timedelta(days=n // 500)
    seq = (n % 500) * 2 + (1 if male else 0)  # the 17th character is odd for men, even for women
    first17 = f"330282{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def make_credit_code(n: int, *, kind: str = "company") -> str:
    first17 = f"{'9' if kind == 'company' else '5'}1330282{n:09d}"
    return first17 + credit_check_char(first17)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试大厦{n}")
    city = "慈溪市"
    floors = 28


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"测试党支部{n}")
    kind = PartyOrganization.Kind.BRANCH
    parent = factory.LazyAttribute(
        lambda o: PartyOrganization.objects.get_or_create(
            building=o.building,
            kind=PartyOrganization.Kind.GENERAL_BRANCH,
            parent=None,
            defaults={"name": f"{o.building.name}联合党总支"},
        )[0]
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    role = "member"
    building = factory.SubFactory(BuildingFactory)
    password = factory.PostGenerationMethodCall("set_password", "a-test-pass-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"慈溪测试科技有限公司{n}")
    name_initials = factory.LazyAttribute(lambda o: name_initials(o.name))  # as enterprises.services keeps it
    credit_code = factory.Sequence(lambda n: make_credit_code(n))
    kind = Enterprise.Kind.COMPANY
    floor = factory.Sequence(lambda n: 2 + n % 20)
    room = factory.Sequence(lambda n: f"{2 + n % 20}{n % 50:02d}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n))
    gender = factory.LazyAttribute(lambda m: id_gender(m.id_number))
    birth_date = factory.LazyAttribute(lambda m: id_birth_date(m.id_number))
    organization = factory.SubFactory(OrganizationFactory)
    category = Member.Category.FULL
    joined_on = datetime.date(2015, 7, 1)
    full_member_on = datetime.date(2016, 7, 1)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
