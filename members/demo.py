"""Demo party members for `manage.py seed_demo`: 52 per unit of scale (the real building has "50 多名").

People, ID numbers and phone numbers are made up; every ID number passes GB 11643 and agrees with the
member's birth date and gender.
"""
import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise

from .models import Member
from .services import name_initials
from .validators import id_check_char

PER_SCALE = 52
PROBATIONARY_PER_SCALE = 8
MOBILE_PER_SCALE = 4
JOINT_BRANCH_UNITS = 5  # a joint branch generally gathers at most five units
NO_ENTERPRISE_SHARE = 0.12  # members of the building's own branches between jobs or self-employed
LOST_CONTACT_DAYS = 240

# Where each unit of 52 members belongs, and whose enterprises they work for.
PLAN = [
    (demo.BRANCH_1, 4, "company"),  # the first is member1
    (demo.GROUP_1_1, 5, "company"),
    (demo.GROUP_1_2, 5, "company"),
    (demo.BRANCH_2, 4, "company"),
    (demo.GROUP_2_1, 4, "company"),
    (demo.GROUP_2_2, 4, "company"),
    (demo.ECOMMERCE_BRANCH, 10, "ecommerce"),
    (demo.SOCIAL_ORG_BRANCH, 8, "social_org"),
    (demo.PROPERTY_BRANCH, 8, "property"),
]

# Listed from the most common down.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓韩冯曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
SURNAME_WEIGHTS = [len(SURNAMES) - i for i in range(len(SURNAMES))]
# Given names change with the generation: 建国 and 秀英 were born before 1980, 子轩 and 欣怡 after.
SINGLE_GIVEN = {
    "M": "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳峰毅亮成康",
    "F": "芳娜敏静丽艳娟霞燕玲婷雪慧莉萍红琳颖倩洁佳琴云丹蕾璐晶怡欣悦梅兰",
}
DOUBLE_GIVEN = {
    ("M", True): "建国 国庆 建华 建军 卫东 志强 永刚 立新 海涛 文斌 国平 志明 建平 伟民 宏伟 海波 振华 德明 金林 国良",
    ("M", False): "俊杰 浩然 子轩 宇航 晓东 家豪 一鸣 天宇 思远 博文 嘉伟 鹏飞 晨阳 泽宇 明辉 振宇 浩宇 志远 佳乐 承志",
    ("F", True): "秀英 桂英 玉兰 美玲 丽华 秀芳 红霞 丽萍 海燕 晓燕 春燕 丽娟 雪梅 美华 建英 爱萍 月娥 素芬 彩霞 秀珍",
    ("F", False): "婷婷 静怡 欣怡 思琪 佳慧 雨婷 梦瑶 诗涵 晓丽 慧敏 佳琪 晶晶 文静 莉莉 雅琴 一诺 可欣 梦琪 雨欣 佳怡",
}
ETHNIC_MINORITIES = ["回族", "满族", "土家族", "畲族", "苗族", "壮族"]

# Where ID numbers were issued: mostly Cixi and the rest of Zhejiang, some from provinces that send workers.
ID_REGIONS = ["330282", "330281", "330203", "330212", "330106", "330381", "330226", "341221", "420106", "510107"]
ID_REGION_WEIGHTS = [40, 8, 6, 5, 4, 4, 3, 4, 2, 2]
BORN_FROM, BORN_UNTIL = datetime.date(1960, 1, 1), datetime.date(2003, 12, 31)
PROBATIONARY_BORN_FROM = datetime.date(1990, 1, 1)

PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "191", "199"]
MOBILE_DESTINATIONS = ["浙江省杭州市西湖区", "上海市浦东新区", "江苏省苏州市吴中区", "广东省深圳市南山区",
                       "浙江省宁波市鄞州区", "北京市海淀区"]


@dataclass(frozen=True)
class MemberSpec:
    name: str
    gender: str
    ethnicity: str
    id_number: str
    birth_date: datetime.date
    category: str
    organization: str  # name
    enterprise: str | None  # credit code
    joined_on: datetime.date
    full_member_on: datetime.date | None
    phone: str
    is_mobile: bool = False
    mobile_destination: str = ""
    lost_contact_since: datetime.date | None = None
    username: str = ""


def demo_members(scale: int, *, today: datetime.date, member1_name: str = "",
                 member1_phone: str = "") -> list[MemberSpec]:
    """The demo members for ``scale``, always the same and in the same order (dates count back from today).

    Each unit of 52 follows PLAN and works for the enterprises of the matching unit of 241, so the list for
    scale 1 is the start of the list for any larger scale. The first member is member1's, a woman, full
    member of the first branch; exactly one member of the first unit has lost contact.
    """
    rng = random.Random(2026)
    enterprises = enterprise_demo.demo_enterprises(scale)
    names, id_numbers, phones = set(), set(), set()
    specs = []
    for unit in range(scale):
        pools = _enterprise_pools(enterprises, unit)
        slots = [(organization, pool) for organization, count, pool in PLAN for _ in range(count)]
        # Slot 0 is plain: in the first unit it is member1's.
        special = rng.sample(range(1, len(slots)), PROBATIONARY_PER_SCALE + MOBILE_PER_SCALE)
        probationary, mobile = set(special[:PROBATIONARY_PER_SCALE]), set(special[PROBATIONARY_PER_SCALE:])
        lost_contact = rng.choice([n for n, (_, pool) in enumerate(slots)
                                   if n and n not in special and pool == "company"])
        for slot, (organization, pool) in enumerate(slots):
            is_member1 = unit == 0 and slot == 0
            is_lost = unit == 0 and slot == lost_contact
            gender = "F" if is_member1 else ("M" if rng.random() < 0.56 else "F")
            # New members are mostly young.
            born_from = PROBATIONARY_BORN_FROM if slot in probationary else BORN_FROM
            born = datetime.date.fromordinal(rng.randint(born_from.toordinal(), BORN_UNTIL.toordinal()))
            name = _draw_name(rng, gender, born, names)
            phone = _draw_phone(rng, phones)
            enterprise = rng.choice(pools[pool]) if pools[pool] else None
            if is_lost or (pool == "company" and not is_member1 and rng.random() < NO_ENTERPRISE_SHARE):
                enterprise = None
            # A fraction rather than randint: how many draws randint takes depends on its range, which
            # depends on today, and the people drawn after must not change with the day the seed runs.
            when = rng.random()
            if slot in probationary:
                joined_on = today - datetime.timedelta(days=15 + int(when * 335))
                full_member_on = None
            else:
                # Joined between 18 and about 34, and became a full member at least a month ago.
                earliest = _add_years(born, 18)
                latest = _add_years(today, -1) - datetime.timedelta(days=30)
                joined_on = earliest + datetime.timedelta(
                    days=int(when * max(0, min((latest - earliest).days, 16 * 365))))
                full_member_on = _add_years(joined_on, 1)
            specs.append(MemberSpec(
                name=(member1_name or name) if is_member1 else name,
                gender=gender,
                ethnicity=rng.choice(ETHNIC_MINORITIES) if rng.random() < 0.06 else "汉族",
                id_number=_draw_id_number(rng, born, gender, id_numbers),
                birth_date=born,
                category=Member.Category.PROBATIONARY if slot in probationary else Member.Category.FULL,
                organization=organization,
                enterprise=enterprise,
                joined_on=joined_on,
                full_member_on=full_member_on,
                phone=(member1_phone or phone) if is_member1 else phone,
                is_mobile=slot in mobile,
                mobile_destination=rng.choice(MOBILE_DESTINATIONS) if slot in mobile else "",
                lost_contact_since=today - datetime.timedelta(days=LOST_CONTACT_DAYS) if is_lost else None,
                username="member1" if is_member1 else "",
            ))
    return specs


@demo.register(order=20)
def seed_members(*, building, scale, stdout):
    """Insert the missing demo members; link member1 to the first and make contact1 the contact of her
    enterprise (an enterprise with party members, which only this floor knows)."""
    accounts = {u.username: u for u in User.objects.filter(username__in=["member1", "contact1"])}
    member1, contact1 = accounts.get("member1"), accounts.get("contact1")
    specs = demo_members(scale, today=timezone.localdate(), member1_name=member1.name if member1 else "",
                         member1_phone=member1.phone if member1 else "")

    organizations = {o.name: o for o in PartyOrganization.objects.filter(building=building)}
    enterprise_ids = dict(Enterprise.objects.filter(credit_code__in={s.enterprise for s in specs if s.enterprise})
                          .values_list("credit_code", "pk"))
    existing = set(Member.objects.filter(id_number__in=[s.id_number for s in specs])
                   .values_list("id_number", flat=True))
    link_member1 = member1 is not None and not Member.objects.filter(user=member1).exists()
    new = [
        Member(name=s.name, gender=s.gender, ethnicity=s.ethnicity, id_number=s.id_number, birth_date=s.birth_date,
               category=s.category, organization=organizations[s.organization],
               enterprise_id=enterprise_ids.get(s.enterprise), joined_on=s.joined_on,
               full_member_on=s.full_member_on, phone=s.phone, is_mobile=s.is_mobile, name_initials=name_initials(s.name),
               mobile_destination=s.mobile_destination, lost_contact_since=s.lost_contact_since,
               user=member1 if s.username == "member1" and link_member1 else None)
        for s in specs if s.id_number not in existing
    ]
    Member.objects.bulk_create(new, batch_size=500)

    first_enterprise = enterprise_ids.get(specs[0].enterprise)
    if contact1 is not None and first_enterprise and not contact1.contact_enterprises.exists():
        contact1.contact_enterprises.add(first_enterprise)

    in_building = Member.objects.filter(organization__building=building)
    stdout.write(
        f"党员：{in_building.count()} 名（本次新增 {len(new)} 名；"
        f"预备党员 {in_building.filter(category=Member.Category.PROBATIONARY).count()} 名，"
        f"流动党员 {in_building.filter(is_mobile=True).count()} 名，"
        f"失联 {in_building.filter(lost_contact_since__isnull=False).count()} 名）")


def _enterprise_pools(enterprises: list, unit: int) -> dict[str, list[str]]:
    """Credit codes of the active enterprises of one unit of 241 that members of each kind of branch work for."""
    size = enterprise_demo.PER_SCALE
    active = [e for e in enterprises[unit * size:(unit + 1) * size] if e.status == Enterprise.Status.ACTIVE]
    companies = [e for e in active if e.kind == Enterprise.Kind.COMPANY]
    return {
        "company": [e.credit_code for e in companies
                    if e.industry not in (enterprise_demo.ECOMMERCE_INDUSTRY, enterprise_demo.PROPERTY_INDUSTRY)],
        "ecommerce": [e.credit_code for e in companies
                      if e.industry == enterprise_demo.ECOMMERCE_INDUSTRY][:JOINT_BRANCH_UNITS],
        "social_org": [e.credit_code for e in active if e.kind == Enterprise.Kind.SOCIAL_ORG][:JOINT_BRANCH_UNITS],
        "property": [enterprises[0].credit_code],  # the one property company runs the whole building
    }


def _draw_name(rng: random.Random, gender: str, born: datetime.date, taken: set) -> str:
    doubles = DOUBLE_GIVEN[gender, born.year < 1980].split()
    while True:
        surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        given = rng.choice(doubles) if rng.random() < 0.7 else rng.choice(SINGLE_GIVEN[gender])
        if surname + given not in taken:
            taken.add(surname + given)
            return surname + given


def _draw_id_number(rng: random.Random, born: datetime.date, gender: str, taken: set) -> str:
    while True:
        region = rng.choices(ID_REGIONS, ID_REGION_WEIGHTS)[0]
        # The 17th character is odd for men, even for women.
        sequence = rng.randint(0, 99) * 10 + int(rng.choice("13579" if gender == "M" else "02468"))
        first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
        id_number = first17 + id_check_char(first17)
        if id_number not in taken:
            taken.add(id_number)
            return id_number


def _draw_phone(rng: random.Random, taken: set) -> str:
    while True:
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
