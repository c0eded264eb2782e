"""Demo enterprises and social organisations for `manage.py seed_demo`: 241 per unit of scale, as in the
real building, each with its record (staff, legal representative, contact, the owner's attitude, when it moved
in and out) and how the party covers it. Names, people, codes and phone numbers are made up; every credit code
passes GB 32100.

The building survey is seeded by its own app (``enterprises.survey.demo``), which reads the specs drawn here.
"""

import dataclasses
import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from buildingparty import demo
from buildingparty.autocomplete import name_initials
from buildingparty.models import PartyOrganization, User

from .models import Enterprise
from .validators import CREDIT_CHARS, credit_check_char

PER_SCALE = 241
MOVED_OUT_EVERY = 40  # six of every 241 have left the building
SOCIAL_ORG_SHARE = 0.1
LIAISON_SHARE = 12
LIAISONS = ["liaison1", "liaison2", "liaison3"]
CIXI = "330282"
FLOORS = range(2, 29)  # the ground floor is the lobby and shops

PROPERTY_COMPANY = "慈溪市中央大厦物业管理有限公司"
PROPERTY_INDUSTRY = "物业管理"
ECOMMERCE_INDUSTRY = "电子商务"

# Two-character trade names (字号) are built from these, e.g. 恒信, 华宇, 鼎盛, 甬创.
STEM_FIRST = "恒华鼎甬金瑞嘉宏永天新博汇泰锦德富海明正融安佳荣凯东诚源宝百"
STEM_SECOND = "信宇盛创辉丰禾达远诚通业泽邦润程越晟弘腾力晨航科欣顺元诺智和"
FAMOUS_STEMS = {"海信", "海通", "海航", "东航", "华润", "华晨", "宏达", "新科"}  # real brands: not in a demo
CHARITY_FIRST = "阳春善乐同益爱和暖明启众仁惠心"
CHARITY_SECOND = "光晖缘龄心家美阳德航益助爱行善"

COMPANY_REGIONS = ["慈溪市", "慈溪", "宁波", "浙江"]
COMPANY_REGION_WEIGHTS = [50, 10, 28, 12]
COMPANY_SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
COMPANY_SUFFIX_WEIGHTS = [78, 14, 8]

# The record added since the first release is drawn from a stream of its own, one per unit of 241: drawing
# from the first would change every name and code drawn after it.
PROFILE_SEED = "enterprises-profile-{unit}"
BUILDING_OPENED = datetime.date(2008, 1, 15)  # the property company was the first tenant
MOVED_IN_FROM, MOVED_IN_UNTIL = datetime.date(2008, 3, 1), datetime.date(2026, 6, 30)
MOVED_OUT_UNTIL = datetime.date(2026, 5, 31)
# Members of the building's own branches may work for any company of the unit but the e-commerce firms, and
# the register was collected in spring 2023 (members/demo.py): those companies were here by then. Later
# arrivals are e-commerce firms and social organisations.
REGISTER_COLLECTED = datetime.date(2023, 3, 1)
PROPERTY_EMPLOYEES = 68  # front desk, security, cleaning and maintenance for 28 floors

_A = Enterprise.Attitude
ATTITUDES = [_A.SUPPORTIVE, _A.NEUTRAL, _A.RESERVED, _A.UNKNOWN]
ATTITUDE_WEIGHTS = [44, 39, 11, 6]
COVERED_ATTITUDE_WEIGHTS = [70, 30, 0, 0]  # an owner who let a joint branch in is not against it
OPPOSED_PER_UNIT = (1, 2)

# Coverage (党的组织覆盖). Members of the joint branches work for the first five active units of their kind
# in each unit of 241 (members/demo.py places them there); the e-commerce branch also took in the next two
# e-commerce companies of the first unit, so it gathers seven units, more than the five a joint branch
# generally should (DOMAIN.md §7), and the coverage page has one to flag.
JOINT_BRANCH_UNITS = 5
EXTRA_ECOMMERCE_UNITS = 2

# People: legal representatives and contacts. Cixi surnames first.
PEOPLE_SURNAMES = "陈王沈胡孙徐张李周罗叶施岑俞马杨吴黄朱钱潘邵应袁柴戚鲁褚邹余赵"
PEOPLE_GIVEN = (
    "建华 国平 海峰 立军 伟明 志刚 永兴 建国 文彬 亚东 卫国 德林 国荣 建飞 剑锋 雪峰 海军 利江 "
    "秀芬 丽君 海燕 亚萍 琴 敏 燕 蕾 晓红 丹 晓敏 佳 洁 慧芳 静 雅琴 "
    "浩 杰 斌 磊 波 超 峰 琳 凯 晨 宇 强"
).split()
MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "157", "158", "159", "180", "186", "188", "189"]
LANDLINE_PREFIXES = ["0574-63", "0574-62", "0574-65"]  # Cixi numbers start with 6


@dataclass(frozen=True)
class Trade:
    word: str  # as it appears in the name
    industry: str
    weight: int
    suffixes: tuple = ()  # empty: the usual company suffixes
    authority: str = "91"  # registration authority and category: 9 market regulation, 1 enterprise


TRADES = [
    Trade("电子商务", ECOMMERCE_INDUSTRY, 20),
    Trade("贸易", "批发和零售", 12),
    Trade("进出口", "批发和零售", 6),
    Trade("电器", "家电销售", 6),  # Cixi is a home-appliance town
    Trade("科技", "科技服务", 10),
    Trade("网络科技", "信息技术", 8),
    Trade("软件", "信息技术", 3),
    Trade("会计师事务所", "会计审计", 3, suffixes=("有限公司", "（普通合伙）")),
    Trade("广告", "广告传媒", 5),
    Trade("文化传媒", "广告传媒", 4),
    Trade("物流", "物流", 6),
    Trade("人力资源", "人力资源", 4),
    # Law firms are registered by the justice bureau (31), not market regulation, and have no suffix.
    Trade("律师事务所", "法律服务", 3, suffixes=("",), authority="31"),
    Trade("教育咨询", "教育培训", 4),
    Trade("企业管理咨询", "商务服务", 4),
    Trade("建筑设计", "建筑设计", 3),
    Trade("知识产权代理", "商务服务", 2),
]

# Social groups (社会团体, code 51) are named after what they gather; private non-enterprise units
# (民办非企业单位, code 52) after a trade name and a service.
SOCIETY_REGIONS = ["慈溪市", "宁波市"]
SOCIETY_TOPICS = [
    "电子商务协会",
    "跨境电商协会",
    "软件行业协会",
    "家电行业协会",
    "物流协会",
    "广告协会",
    "人力资源服务行业协会",
    "青年企业家协会",
    "女企业家协会",
    "循环经济促进会",
    "创业促进会",
    "中小企业促进会",
    "文化产业促进会",
    "楼宇经济促进会",
    "外商投资企业协会",
    "会计学会",
    "志愿者协会",
    "个体劳动者协会",
    "温州商会",
    "安徽商会",
]
NON_ENTERPRISE_SERVICES = [
    "社会工作服务中心",
    "公益服务中心",
    "青少年发展中心",
    "养老服务中心",
    "心理咨询服务中心",
    "职业技能培训学校",
]


@dataclass(frozen=True)
class EnterpriseSpec:
    name: str
    credit_code: str
    kind: str
    industry: str
    floor: int
    room: str
    status: str
    employees: int | None = None
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    attitude: str = Enterprise.Attitude.UNKNOWN
    party_org_status: str = Enterprise.PartyOrgStatus.NONE
    party_organization: str = ""  # name
    moved_in_on: datetime.date | None = None
    moved_out_on: datetime.date | None = None


def demo_enterprises(scale: int) -> list[EnterpriseSpec]:
    """The demo enterprises for ``scale``, always the same and in the same order.

    Drawn one by one from a single seeded stream, so the list for scale 1 is the start of the list for any
    larger scale; each unit of 241 then gets its records from a stream of its own. The first is the property
    company.
    """
    rng = random.Random(2026)
    names, codes = EnterpriseNames([PROPERTY_COMPANY]), set()
    last_room = dict.fromkeys(FLOORS, 0)
    specs = []
    for i in range(PER_SCALE * scale):
        if i == 0:
            name, kind, industry, authority = PROPERTY_COMPANY, Enterprise.Kind.COMPANY, PROPERTY_INDUSTRY, "91"
            floor = FLOORS[0]
        else:
            name, kind, industry, authority = names.draw(rng)
            floor = rng.choice(FLOORS)
        # Rooms are numbered along the corridor; now and then one is a meeting room or empty.
        last_room[floor] += rng.choice([1, 1, 1, 2])
        specs.append(
            EnterpriseSpec(
                name=name,
                credit_code=_draw_credit_code(rng, codes, authority, kind),
                kind=kind,
                industry=industry,
                floor=floor,
                room=f"{floor}{last_room[floor]:02d}",
                status=Enterprise.Status.MOVED_OUT
                if i % MOVED_OUT_EVERY == MOVED_OUT_EVERY // 2
                else Enterprise.Status.ACTIVE,
            )
        )
    return [
        spec
        for unit in range(scale)
        for spec in _with_profiles(specs[unit * PER_SCALE : (unit + 1) * PER_SCALE], unit=unit)
    ]


def joint_branch_units(unit_specs: list[EnterpriseSpec], *, unit: int) -> dict[str, list[str]]:
    """Joint branch name → credit codes of the units of one unit of 241 it covers.

    The first five active e-commerce companies and the first five active social organisations: where
    members/demo.py places the members of the two joint branches. The first unit's e-commerce branch has
    two more.
    """
    active = [s for s in unit_specs if s.status == Enterprise.Status.ACTIVE]
    ecommerce = [
        s.credit_code for s in active if s.kind == Enterprise.Kind.COMPANY and s.industry == ECOMMERCE_INDUSTRY
    ]
    social = [s.credit_code for s in active if s.kind == Enterprise.Kind.SOCIAL_ORG]
    extra = EXTRA_ECOMMERCE_UNITS if unit == 0 else 0
    return {
        demo.ECOMMERCE_BRANCH: ecommerce[: JOINT_BRANCH_UNITS + extra],
        demo.SOCIAL_ORG_BRANCH: social[:JOINT_BRANCH_UNITS],
    }


def _with_profiles(unit_specs: list[EnterpriseSpec], *, unit: int) -> list[EnterpriseSpec]:
    """Each enterprise's record and coverage, drawn in order from the unit's own stream.

    The property company has its own branch; the joint branches cover their units; everybody else has no
    party organisation of their own (their members, if any, belong to the building's branches).
    """
    rng = random.Random(PROFILE_SEED.format(unit=unit))
    covered = {code: branch for branch, codes in joint_branch_units(unit_specs, unit=unit).items() for code in codes}
    phones: set[str] = set()
    result = []
    for spec in unit_specs:
        is_property = spec.name == PROPERTY_COMPANY
        branch = demo.PROPERTY_BRANCH if is_property else covered.get(spec.credit_code, "")
        social = spec.kind == Enterprise.Kind.SOCIAL_ORG
        # Most firms here are small: a few staff, a long tail up to eighty.
        employees = 3 + int((12 if social else 77) * rng.random() ** 2)
        if branch:  # enough staff for the members the joint branch has there
            employees = max(employees, 8)
        legal = draw_person(rng)
        contact = legal if rng.random() < 0.35 else draw_person(rng)
        phone = _draw_contact_phone(rng, phones)
        weights = COVERED_ATTITUDE_WEIGHTS if branch else ATTITUDE_WEIGHTS
        attitude = rng.choices(ATTITUDES, weights)[0]
        if spec.status == Enterprise.Status.MOVED_OUT:
            moved_in = _day_between(rng, MOVED_IN_FROM, datetime.date(2023, 12, 31))
            moved_out = _day_between(rng, moved_in + datetime.timedelta(days=365), MOVED_OUT_UNTIL)
        else:
            hosts_members = branch or (not social and spec.industry != ECOMMERCE_INDUSTRY)
            until = REGISTER_COLLECTED if hosts_members else MOVED_IN_UNTIL
            moved_in, moved_out = _day_between(rng, MOVED_IN_FROM, until), None
        if is_property:
            employees, attitude, moved_in = PROPERTY_EMPLOYEES, Enterprise.Attitude.SUPPORTIVE, BUILDING_OPENED
        result.append(
            dataclasses.replace(
                spec,
                employees=employees,
                legal_representative=legal,
                contact_name=contact,
                contact_phone=phone,
                attitude=attitude,
                party_org_status=(
                    Enterprise.PartyOrgStatus.OWN_BRANCH
                    if is_property
                    else Enterprise.PartyOrgStatus.JOINT_BRANCH
                    if branch
                    else Enterprise.PartyOrgStatus.NONE
                ),
                party_organization=branch,
                moved_in_on=moved_in,
                moved_out_on=moved_out,
            )
        )
    # One or two owners want nothing to do with party work: companies no joint branch covers.
    candidates = [
        i
        for i, s in enumerate(result)
        if s.kind == Enterprise.Kind.COMPANY
        and s.status == Enterprise.Status.ACTIVE
        and s.party_org_status == Enterprise.PartyOrgStatus.NONE
    ]
    for i in rng.sample(candidates, rng.choice(OPPOSED_PER_UNIT)):
        result[i] = dataclasses.replace(result[i], attitude=Enterprise.Attitude.OPPOSED)
    return result


def demo_liaisons(specs: list[EnterpriseSpec]) -> dict[str, str]:
    """Credit code → liaison username: each liaison looks after twelve neighbouring enterprises of the first
    241 (counting from the lowest floor), the way floor liaisons work."""
    active = sorted(
        (s for s in specs[:PER_SCALE] if s.status == Enterprise.Status.ACTIVE), key=lambda s: (s.floor, int(s.room))
    )
    return {
        spec.credit_code: LIAISONS[n // LIAISON_SHARE] for n, spec in enumerate(active[: LIAISON_SHARE * len(LIAISONS)])
    }


def demo_day() -> datetime.date:
    """The day the demo building was first seeded: when its admin account was made (today if there is none).

    The survey and the funding ledger are dated back from this day rather than from today, so a re-run on a
    later day finds the very rows it would make and adds none.
    """
    joined = User.objects.filter(username="admin").values_list("date_joined", flat=True).first()
    return timezone.localtime(joined).date() if joined else timezone.localdate()


@demo.register(order=10)
def seed_enterprises(*, building, scale, stdout):
    """Insert the missing demo enterprises with their records; complete the records of the ones a database
    seeded before the records existed still holds untouched."""
    specs = demo_enterprises(scale)
    existing = set(
        Enterprise.objects.filter(credit_code__in=[s.credit_code for s in specs]).values_list("credit_code", flat=True)
    )
    liaison_ids = dict(User.objects.filter(username__in=LIAISONS).values_list("username", "pk"))
    organization_ids = dict(PartyOrganization.objects.filter(building=building).values_list("name", "pk"))
    liaisons = demo_liaisons(specs)
    new = [
        Enterprise(
            building=building,
            name=s.name,
            name_initials=name_initials(s.name),
            credit_code=s.credit_code,
            kind=s.kind,
            industry=s.industry,
            floor=s.floor,
            room=s.room,
            status=s.status,
            liaison_id=liaison_ids.get(liaisons.get(s.credit_code)),
            employees=s.employees,
            legal_representative=s.legal_representative,
            contact_name=s.contact_name,
            contact_phone=s.contact_phone,
            attitude=s.attitude,
            party_org_status=s.party_org_status,
            party_organization_id=organization_ids.get(s.party_organization),
            moved_in_on=s.moved_in_on,
            moved_out_on=s.moved_out_on,
        )
        for s in specs
        if s.credit_code not in existing
    ]
    Enterprise.objects.bulk_create(new, batch_size=500)
    completed = _complete_records(specs, organization_ids)

    in_building = Enterprise.objects.filter(building=building)
    stdout.write(
        f"企业和社会组织：{in_building.count()} 家（本次新增 {len(new)} 家"
        + (f"，补全档案 {completed} 家" if completed else "")
        + f"；其中社会组织 {in_building.filter(kind=Enterprise.Kind.SOCIAL_ORG).count()} 家，"
        f"已迁出 {in_building.filter(status=Enterprise.Status.MOVED_OUT).count()} 家）"
    )


def _complete_records(specs: list[EnterpriseSpec], organization_ids: dict) -> int:
    """Fill in the record of each demo enterprise that still has every default it was inserted with before
    records existed (attitude not yet known, no party organisation, no legal representative). A record
    somebody has touched is left as it is, and a completed one no longer matches: a re-run changes nothing.

    Within such a record only empty fields are filled, and never a date that would contradict one already set.
    """
    by_code = {s.credit_code: s for s in specs}
    untouched = Enterprise.objects.filter(
        credit_code__in=by_code,
        attitude=Enterprise.Attitude.UNKNOWN,
        party_org_status=Enterprise.PartyOrgStatus.NONE,
        legal_representative="",
    )
    fields = [
        "employees",
        "legal_representative",
        "contact_name",
        "contact_phone",
        "attitude",
        "party_org_status",
        "party_organization",
        "moved_in_on",
        "moved_out_on",
    ]
    changed = []
    for enterprise in untouched:
        spec = by_code[enterprise.credit_code]
        enterprise.legal_representative, enterprise.attitude = spec.legal_representative, spec.attitude
        enterprise.employees = enterprise.employees or spec.employees
        enterprise.contact_name = enterprise.contact_name or spec.contact_name
        enterprise.contact_phone = enterprise.contact_phone or spec.contact_phone
        if enterprise.party_organization_id is None and spec.party_organization:
            enterprise.party_org_status = spec.party_org_status
            enterprise.party_organization_id = organization_ids.get(spec.party_organization)
        if enterprise.moved_in_on is None and (enterprise.moved_out_on or spec.moved_in_on) >= spec.moved_in_on:
            enterprise.moved_in_on = spec.moved_in_on
        if (
            enterprise.moved_out_on is None
            and enterprise.status == Enterprise.Status.MOVED_OUT
            and spec.moved_out_on is not None
            and spec.moved_out_on >= (enterprise.moved_in_on or spec.moved_out_on)
        ):
            enterprise.moved_out_on = spec.moved_out_on
        changed.append(enterprise)
    Enterprise.objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


class EnterpriseNames:
    """Enterprise names, unique by construction however many are drawn (district scale needs 24,100, and
    there are only about 1,360 social organisation names).

    The kind is drawn first, then a name; a name already handed out is drawn again at most
    ``demo.NAME_REDRAWS`` times (as the first release did, so scale 1 keeps its names), never until free (that
    hung once the pool ran dry): it then becomes the next numbered office of the same organisation,
    第二分公司, 第三分公司, … (分所 for a law firm, 分会 for a social group, 服务站 for a private
    non-enterprise unit). No drawn name contains these endings, so numbered names never meet drawn ones, and
    each organisation counts its own.
    """

    def __init__(self, taken=()):
        self.taken = set(taken)
        self._offices: dict[str, int] = {}

    def draw(self, rng: random.Random) -> tuple[str, str, str, str]:
        """A free name, with its kind, industry and credit-code authority."""
        social = rng.random() < SOCIAL_ORG_SHARE
        for _draw in range(1 + demo.NAME_REDRAWS):
            result = self._candidate(rng, social)
            if result[0] not in self.taken:
                break
        else:
            result = (self._next_office(result[0], result[3]), *result[1:])
        self.taken.add(result[0])
        return result

    @staticmethod
    def _candidate(rng: random.Random, social: bool) -> tuple[str, str, str, str]:
        if social and rng.random() < 0.5:
            name = rng.choice(SOCIETY_REGIONS) + rng.choice(SOCIETY_TOPICS)
            result = (name, Enterprise.Kind.SOCIAL_ORG, "社会团体", "51")
        elif social:
            name = f"慈溪市{_stem(rng, CHARITY_FIRST, CHARITY_SECOND)}{rng.choice(NON_ENTERPRISE_SERVICES)}"
            result = (name, Enterprise.Kind.SOCIAL_ORG, "社会服务", "52")
        else:
            trade = rng.choices(TRADES, weights=[t.weight for t in TRADES])[0]
            region = "浙江" if trade.authority == "31" else rng.choices(COMPANY_REGIONS, COMPANY_REGION_WEIGHTS)[0]
            suffix = (
                rng.choice(trade.suffixes)
                if trade.suffixes
                else rng.choices(COMPANY_SUFFIXES, COMPANY_SUFFIX_WEIGHTS)[0]
            )
            name = f"{region}{_stem(rng, STEM_FIRST, STEM_SECOND)}{trade.word}{suffix}"
            result = (name, Enterprise.Kind.COMPANY, trade.industry, trade.authority)
        return result

    def _next_office(self, name: str, authority: str) -> str:
        office = {"31": "分所", "51": "分会", "52": "服务站"}.get(authority, "分公司")
        number = self._offices.get(name, 1)
        while True:  # passes over a numbered name only if somebody put it in ``taken`` beforehand
            number += 1
            candidate = f"{name}第{demo.chinese_numeral(number)}{office}"
            if candidate not in self.taken:
                self._offices[name] = number
                return candidate


def _stem(rng: random.Random, first: str, second: str) -> str:
    while True:
        a, b = rng.choice(first), rng.choice(second)
        if a != b and a + b not in FAMOUS_STEMS:
            return a + b


def draw_person(rng: random.Random) -> str:
    return rng.choice(PEOPLE_SURNAMES) + rng.choice(PEOPLE_GIVEN)


def _draw_contact_phone(rng: random.Random, taken: set) -> str:
    """Mostly the contact's mobile; some give the office landline."""
    while True:
        if rng.random() < 0.7:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        else:
            phone = rng.choice(LANDLINE_PREFIXES) + f"{rng.randint(0, 999_999):06d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    # A fraction rather than randint, so the number of draws never depends on the range.
    return first + datetime.timedelta(days=int(rng.random() * ((last - first).days + 1)))


def _draw_credit_code(rng: random.Random, taken: set, authority: str, kind: str) -> str:
    """authority (2) + Cixi (6) + organisation code (9, GB 11714) + check character (GB 32100)."""
    while True:
        if kind == Enterprise.Kind.SOCIAL_ORG:
            body = "MJ" + "".join(rng.choice("0123456789") for _ in range(6))
        elif rng.random() < 0.7:
            # Codes issued since 2015 start with MA.
            body = "MA2" + "".join(rng.choice(CREDIT_CHARS) for _ in range(5))
        else:
            body = "".join(rng.choice("0123456789") for _ in range(8))
        first17 = authority + CIXI + body + _organization_code_check(body)
        code = first17 + credit_check_char(first17)
        if code not in taken:
            taken.add(code)
            return code


def _organization_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
