"""Demo enterprises and social organisations for `manage.py seed_demo`: 241 per unit of scale, as in the
real building. Names, codes and rooms are made up; every credit code passes GB 32100."""

import random
from dataclasses import dataclass

from buildingparty import demo
from buildingparty.models import User

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


def demo_enterprises(scale: int) -> list[EnterpriseSpec]:
    """The demo enterprises for ``scale``, always the same and in the same order.

    Drawn one by one from a single seeded stream, so the list for scale 1 is the start of the list for any
    larger scale. The first is the property company.
    """
    rng = random.Random(2026)
    names, codes = {PROPERTY_COMPANY}, set()
    last_room = dict.fromkeys(FLOORS, 0)
    specs = []
    for i in range(PER_SCALE * scale):
        if i == 0:
            name, kind, industry, authority = PROPERTY_COMPANY, Enterprise.Kind.COMPANY, PROPERTY_INDUSTRY, "91"
            floor = FLOORS[0]
        else:
            name, kind, industry, authority = _draw_name(rng, names)
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
    return specs


def demo_liaisons(specs: list[EnterpriseSpec]) -> dict[str, str]:
    """Credit code → liaison username: each liaison looks after twelve neighbouring enterprises of the first
    241 (counting from the lowest floor), the way floor liaisons work."""
    active = sorted(
        (s for s in specs[:PER_SCALE] if s.status == Enterprise.Status.ACTIVE), key=lambda s: (s.floor, int(s.room))
    )
    return {
        spec.credit_code: LIAISONS[n // LIAISON_SHARE] for n, spec in enumerate(active[: LIAISON_SHARE * len(LIAISONS)])
    }


@demo.register(order=10)
def seed_enterprises(*, building, scale, stdout):
    specs = demo_enterprises(scale)
    existing = set(
        Enterprise.objects.filter(credit_code__in=[s.credit_code for s in specs]).values_list("credit_code", flat=True)
    )
    liaison_ids = dict(User.objects.filter(username__in=LIAISONS).values_list("username", "pk"))
    liaisons = demo_liaisons(specs)
    new = [
        Enterprise(
            building=building,
            name=s.name,
            credit_code=s.credit_code,
            kind=s.kind,
            industry=s.industry,
            floor=s.floor,
            room=s.room,
            status=s.status,
            liaison_id=liaison_ids.get(liaisons.get(s.credit_code)),
        )
        for s in specs
        if s.credit_code not in existing
    ]
    Enterprise.objects.bulk_create(new, batch_size=500)

    in_building = Enterprise.objects.filter(building=building)
    stdout.write(
        f"企业和社会组织：{in_building.count()} 家（本次新增 {len(new)} 家；"
        f"其中社会组织 {in_building.filter(kind=Enterprise.Kind.SOCIAL_ORG).count()} 家，"
        f"已迁出 {in_building.filter(status=Enterprise.Status.MOVED_OUT).count()} 家）"
    )


def _draw_name(rng: random.Random, taken: set) -> tuple[str, str, str, str]:
    """A name not yet taken, with its kind, industry and credit-code authority (the kind is drawn once, so
    retries for a free name do not change the share of social organisations)."""
    social = rng.random() < SOCIAL_ORG_SHARE
    while True:
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
        if name not in taken:
            taken.add(name)
            return result


def _stem(rng: random.Random, first: str, second: str) -> str:
    while True:
        a, b = rng.choice(first), rng.choice(second)
        if a != b and a + b not in FAMOUS_STEMS:
            return a + b


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
