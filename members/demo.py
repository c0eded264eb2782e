"""Demo party members for `manage.py seed_demo`: 52 per unit of scale (the real building has "50 多名"), with
the register's history: when the building recorded each member, who is away as a mobile member, transfers in
every state and changes members proposed.

People, ID numbers and phone numbers are made up; every ID number passes GB 11643 and agrees with the
member's birth date and gender.
"""

import dataclasses
import datetime
import random
import re
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from buildingparty import crypto, demo
from buildingparty.models import PartyOrganization, User, person_name
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise

from . import codes, services
from .models import ChangeProposal, JobCategory, Member, MemberChange, Transfer
from .selectors import member_counts
from .services import changed_fields, name_initials
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
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓韩冯曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
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

PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]
MOBILE_DESTINATIONS = [
    "浙江省杭州市西湖区",
    "上海市浦东新区",
    "江苏省苏州市吴中区",
    "广东省深圳市南山区",
    "浙江省宁波市鄞州区",
    "北京市海淀区",
]

# Everything added since the first release is drawn from a stream of its own, one per unit: drawing from the
# first would change every person drawn after, and a database seeded before would get 52 strangers.
PROFILE_SEED = "members-profile-{unit}"
SHOWING_PER_SCALE = 8  # 党员亮相

# The building collected its register (党员信息采集) in spring 2023; members who joined later were recorded
# a few days after joining.
REGISTER_COLLECTED_ON = datetime.date(2023, 3, 6)

# GB/T 4658 codes. Weights for members born before 1975 and after: the older went to work after college or school.
EDUCATIONS = [codes.MASTER, codes.BACHELOR, codes.COLLEGE, codes.SECONDARY_SPECIALISED, codes.HIGH_SCHOOL, codes.JUNIOR]
EDUCATION_WEIGHTS = {True: [3, 32, 40, 10, 13, 2], False: [10, 55, 29, 3, 3, 0]}
MANUAL_EDUCATION_WEIGHTS = [0, 5, 35, 30, 28, 2]
PROFESSIONAL_EDUCATION_WEIGHTS = [30, 70, 0, 0, 0, 0]

JOBS_BY_INDUSTRY = {
    "法律服务": ["律师", "律师", "律师助理"],
    "会计审计": ["注册会计师", "审计助理", "会计"],
    "信息技术": ["软件工程师", "软件工程师", "测试工程师", "产品经理", "运维工程师"],
    "科技服务": ["软件工程师", "项目经理", "技术支持工程师", "销售经理"],
    "广告传媒": ["设计师", "文案策划", "客户经理", "视频剪辑师"],
    enterprise_demo.ECOMMERCE_INDUSTRY: ["电商运营", "网店店长", "客服主管", "美工设计师", "直播运营"],
    "批发和零售": ["外贸业务员", "销售经理", "单证员", "采购专员"],
    "家电销售": ["销售经理", "售后服务主管", "外贸业务员"],
    "物流": ["物流调度员", "仓储主管", "报关员"],
    "人力资源": ["招聘专员", "人力资源经理", "劳务派遣专员"],
    "教育培训": ["培训讲师", "课程顾问", "教务主管"],
    "商务服务": ["咨询顾问", "项目经理", "商标代理人"],
    "建筑设计": ["建筑设计师", "结构工程师", "造价工程师"],
    enterprise_demo.PROPERTY_INDUSTRY: ["物业管理员", "物业前台客服", "工程维修工", "秩序维护队长", "保洁主管"],
}
OFFICE_JOBS = ["行政主管", "会计", "出纳", "人事专员", "销售经理", "办公室主任"]
# The 党内统计 category of the titles the keywords of ``codes.job_category_from_title`` leave open; the rest
# are 其他.
JOB_CATEGORY_BY_TITLE = {
    "保洁主管": "03",
    "秩序维护队长": "03",
    "物业前台客服": "03",
    "物业管理员": "03",
    "出纳": "02",
    "报关员": "02",
    "商标代理人": "02",
    "视频剪辑师": "02",
    "文案策划": "02",
    "社工": "02",
    "秘书长": "01",
}
MANAGER_JOBS = ["总经理", "副总经理", "部门经理"]
SOCIAL_ORG_JOBS = ["秘书长", "社工", "项目主管", "会员服务专员", "志愿服务协调员"]
WITHOUT_ENTERPRISE_JOBS = ["个体经营", "自由职业", "待业"]
MANUAL_JOBS = {"工程维修工", "秩序维护队长", "保洁主管"}
PROFESSIONAL_JOBS = {"律师", "注册会计师", "软件工程师", "产品经理", "建筑设计师", "结构工程师"}
# The property company's staff work in the lobby and the plant rooms, not in its office.
PROPERTY_ROOMS = {"物业前台客服": "一楼大堂", "秩序维护队长": "一楼监控室", "工程维修工": "负一楼设备房"}

SKILLS = [
    "法律咨询",
    "财务会计",
    "急救",
    "摄影",
    "书法",
    "电脑维修",
    "心理咨询",
    "英语翻译",
    "消防",
    "文艺演出",
    "理论宣讲",
    "家电维修",
]
JOB_SKILLS = {
    "律师": "法律咨询",
    "律师助理": "法律咨询",
    "会计": "财务会计",
    "出纳": "财务会计",
    "注册会计师": "财务会计",
    "审计助理": "财务会计",
    "软件工程师": "电脑维修",
    "运维工程师": "电脑维修",
    "技术支持工程师": "电脑维修",
    "工程维修工": "家电维修",
    "秩序维护队长": "消防",
    "外贸业务员": "英语翻译",
    "单证员": "英语翻译",
    "设计师": "摄影",
    "美工设计师": "摄影",
    "社工": "心理咨询",
}

CIXI_PLACES = [
    "浒山街道",
    "白沙路街道",
    "古塘街道",
    "宗汉街道",
    "坎墩街道",
    "观海卫镇",
    "周巷镇",
    "掌起镇",
    "逍林镇",
    "长河镇",
]
CIXI_PLACE_WEIGHTS = [30, 18, 18, 8, 6, 5, 5, 3, 4, 3]
NINGBO_PLACES = ["宁波市鄞州区首南街道", "宁波市江北区慈城镇", "宁波市海曙区南门街道", "余姚市阳明街道"]
ESTATE_NAMES = ["阳光", "锦绣", "明月", "新城", "世纪", "御景", "枫林", "金湾", "颐景", "翠苑", "银杏", "桂园"]
ESTATE_KINDS = ["花园", "家园", "新村", "小区", "公寓", "名苑"]
VILLAGES = ["新塘", "东安", "西华", "三塘", "南池", "潮塘", "海星", "五里"]

# Posts are held once per branch, so only the first unit holds them.
POSTS = {
    demo.BRANCH_1: ["组织委员", "宣传委员"],
    demo.BRANCH_2: ["组织委员"],
    demo.GROUP_1_1: ["党小组长"],
    demo.GROUP_1_2: ["党小组长"],
    demo.GROUP_2_1: ["党小组长"],
    demo.GROUP_2_2: ["党小组长"],
    demo.PROPERTY_BRANCH: ["支部书记"],
}
HARDSHIP_NOTES = ["家人重病，医疗费用负担重", "本人患慢性病，长期治疗", "独自抚养两个孩子，收入较低"]
UNEMPLOYED_NOTE = "失业，正在求职"
SHOWCASE_BY_JOB = {
    "物业前台客服": "党员示范岗·前台服务",
    "工程维修工": "党员服务岗·设备维修",
    "秩序维护队长": "党员示范岗·安全巡查",
    "会计": "党员示范岗·财务窗口",
    "出纳": "党员示范岗·财务窗口",
    "客服主管": "党员先锋岗·客户服务",
    "律师": "党员示范岗·法律服务",
    "社工": "党员示范岗·社区服务",
}

# Destination → province, city, county and the party organisation where the member takes part in
# organisational life. A municipality has no city level, so the three parts always join to the destination.
MOBILE_PLACES = {
    "浙江省杭州市西湖区": ("浙江省", "杭州市", "西湖区", "杭州市西湖区西溪街道流动党员党支部"),
    "上海市浦东新区": ("上海市", "", "浦东新区", "上海市浦东新区张江镇流动党员党支部"),
    "江苏省苏州市吴中区": ("江苏省", "苏州市", "吴中区", "苏州市吴中区长桥街道流动党员党支部"),
    "广东省深圳市南山区": ("广东省", "深圳市", "南山区", "深圳市南山区粤海街道流动党员党支部"),
    "浙江省宁波市鄞州区": ("浙江省", "宁波市", "鄞州区", "宁波市鄞州区首南街道流动党员党支部"),
    "北京市海淀区": ("北京市", "", "海淀区", "北京市海淀区中关村街道流动党员党支部"),
}
MOBILE_MONTHS = (7, 20)
LOST_CONTACT_NOTICED_AFTER = 45  # days: the secretary records it after weeks of trying
LOST_CONTACT_NOTE = "电话、微信多次联系未果，原单位称其已离职"
BRANCH_1_TREE = {demo.BRANCH_1, demo.GROUP_1_1, demo.GROUP_1_2}
BRANCH_2_TREE = {demo.BRANCH_2, demo.GROUP_2_1, demo.GROUP_2_2}


@dataclass(frozen=True)
class TransferPlan:
    """A transfer of the first full member of ``organization`` (in the first unit) who has no other part in
    the demo; ``issued`` and each step's day count back from today."""

    organization: str
    to: str  # the receiving organisation; for an internal move, one of the building's
    validity_days: int  # local practice: 10 days in the same city, 30 elsewhere
    reason: str
    issued: int
    steps: tuple = ()  # (action, days ago): report, receipt, close, expire, reissue, cancel
    direction: str = Transfer.Direction.OUT
    cancel_reason: str = ""


# Every status appears, and each secretary has a letter under way in their branch.
TRANSFERS = [
    # Issued five days ago and valid for ten: on secretary1's home page as expiring this week.
    TransferPlan(demo.GROUP_1_1, "中共慈溪市宗汉街道工作委员会", 10, "居住地变更", issued=5),
    # Past its validity without reporting: secretary2 has to mark it expired and re-issue it.
    TransferPlan(demo.GROUP_2_1, "中共杭州市滨江区长河街道工作委员会", 30, "工作调动", issued=41),
    # Expired, then re-issued: the new letter is under way.
    TransferPlan(
        demo.ECOMMERCE_BRANCH,
        "中共上海市闵行区莘庄镇委员会",
        30,
        "工作调动",
        issued=52,
        steps=(("expire", 20), ("reissue", 6)),
    ),
    # Reported six weeks ago; the receipt, due a month after reporting, has not come back (secretary1).
    TransferPlan(
        demo.GROUP_1_2, "中共宁波市鄞州区首南街道工作委员会", 10, "居住地变更", issued=47, steps=(("report", 43),)
    ),
    # Receipt returned: the member is transferred out and the letter waits to be closed.
    TransferPlan(
        demo.SOCIAL_ORG_BRANCH,
        "中共余姚市阳明街道工作委员会",
        10,
        "工作调动",
        issued=38,
        steps=(("report", 35), ("receipt", 14)),
    ),
    # Done months ago.
    TransferPlan(
        demo.PROPERTY_BRANCH,
        "中共苏州工业园区娄葑街道工作委员会",
        30,
        "回原籍工作",
        issued=160,
        steps=(("report", 150), ("receipt", 131), ("close", 130)),
    ),
    # From the second branch to the first, completed.
    TransferPlan(
        demo.BRANCH_2,
        demo.BRANCH_1,
        10,
        "所在企业党员划归第一党支部管理",
        issued=96,
        direction=Transfer.Direction.INTERNAL,
        steps=(("report", 95), ("receipt", 92), ("close", 92)),
    ),
    # Cancelled: the member stayed.
    TransferPlan(
        demo.GROUP_2_2,
        "中共宁波市江北区庄桥街道工作委员会",
        10,
        "工作调动",
        issued=30,
        steps=(("cancel", 27),),
        cancel_reason="本人留在原单位工作，不再转出",
    ),
]

# A member who arrived with a letter from outside (transfer_receive): reported, receipt not yet due. Their ID
# number is issued in 奉化区 (330213), a region the generated members never draw, so no unit can collide.
ARRIVAL = {
    "name": "郑雨桐",
    "gender": "F",
    "ethnicity": codes.HAN,
    "id_number": "330213199304170026",
    "birth_date": datetime.date(1993, 4, 17),
    "education": codes.BACHELOR,
    "category": Member.Category.FULL,
    "joined_on": datetime.date(2016, 6, 20),
    "full_member_on": datetime.date(2017, 6, 20),
    "job_note": "外贸业务员",
    "phone": "15967832145",
    "home_address": "慈溪市白沙路街道世纪家园9幢2单元1102室",
    "skills": "英语翻译",
}
ARRIVAL_ORGANIZATION = demo.BRANCH_2
ARRIVAL_FROM = "中共宁波市鄞州区钟公庙街道工作委员会"
ARRIVAL_LETTER = "钟街党转〔{year}〕036号"
ARRIVAL_ISSUED, ARRIVAL_REPORTED, ARRIVAL_VALIDITY = 12, 9, 30


@dataclass(frozen=True)
class ProposalPlan:
    """A change proposed by member1 or by the first free full member of an organisation (first unit)."""

    who: str  # "member1" or an organisation name
    values: dict
    proposed: int  # days ago
    decision: str = ""  # "approve", "reject", or waiting
    decided: int = 0
    note: str = ""


# The values are ones the generator never draws, so each differs from the member's record.
PROPOSALS = [
    ProposalPlan(
        demo.GROUP_1_2,
        {"home_address": "慈溪市古塘街道海韵名都3幢1单元1501室", "skills": "急救（红十字会救护员证）"},
        proposed=98,
        decision="approve",
        decided=96,
    ),
    ProposalPlan(
        "member1",
        {"job_note": "人事行政经理"},
        proposed=62,
        decision="reject",
        decided=60,
        note="职务变动请先由所在企业确认，再重新提交",
    ),
    ProposalPlan(
        "member1", {"phone": "15858297316", "home_address": "慈溪市白沙路街道望湖苑7幢1单元602室"}, proposed=2
    ),
    ProposalPlan(demo.BRANCH_2, {"skills": "心理咨询（国家三级心理咨询师）、急救"}, proposed=4),
    ProposalPlan(demo.GROUP_1_1, {"job_note": "市场部经理"}, proposed=1),
]


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
    education: str = ""
    job: str = ""
    home_address: str = ""
    room: str = ""
    skills: str = ""
    posts: str = ""
    is_hardship: bool = False
    hardship_note: str = ""
    rewards_penalties: str = ""
    shows_membership: bool = False
    showcase_post: str = ""
    expected_full_on: datetime.date | None = None
    registered_at: datetime.datetime | None = None  # the first history entry
    mobile_since: datetime.date | None = None
    mobile_card: str = ""
    mobile_host: str = ""


def demo_members(
    scale: int, *, today: datetime.date, member1_name: str = "", member1_phone: str = ""
) -> list[MemberSpec]:
    """The demo members for ``scale``, always the same and in the same order (dates count back from today).

    Each unit of 52 follows PLAN and works for the enterprises of the matching unit of 241, so the list for
    scale 1 is the start of the list for any larger scale. The first member is member1's, a woman, full
    member of the first branch; exactly one member of the first unit has lost contact.
    """
    rng = random.Random(2026)
    enterprises = enterprise_demo.demo_enterprises(scale)
    enterprise_specs = {e.credit_code: e for e in enterprises}
    names, id_numbers, phones = PersonNames(), set(), set()
    specs = []
    for unit in range(scale):
        profile_rng = random.Random(PROFILE_SEED.format(unit=unit))
        pools = _enterprise_pools(enterprises, unit)
        slots = [(organization, pool) for organization, count, pool in PLAN for _ in range(count)]
        # Slot 0 is plain: in the first unit it is member1's.
        special = rng.sample(range(1, len(slots)), PROBATIONARY_PER_SCALE + MOBILE_PER_SCALE)
        probationary, mobile = set(special[:PROBATIONARY_PER_SCALE]), set(special[PROBATIONARY_PER_SCALE:])
        lost_contact = rng.choice(
            [n for n, (_, pool) in enumerate(slots) if n and n not in special and pool == "company"]
        )
        unit_specs = []
        for slot, (organization, pool) in enumerate(slots):
            is_member1 = unit == 0 and slot == 0
            is_lost = unit == 0 and slot == lost_contact
            gender = "F" if is_member1 else ("M" if rng.random() < 0.56 else "F")
            # New members are mostly young.
            born_from = PROBATIONARY_BORN_FROM if slot in probationary else BORN_FROM
            born = datetime.date.fromordinal(rng.randint(born_from.toordinal(), BORN_UNTIL.toordinal()))
            name = names.draw(rng, gender, born)
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
                    days=int(when * max(0, min((latest - earliest).days, 16 * 365)))
                )
                full_member_on = _add_years(joined_on, 1)
            spec = MemberSpec(
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
            )
            unit_specs.append(
                _with_profile(profile_rng, spec, pool=pool, today=today, enterprise=enterprise_specs.get(enterprise))
            )
        specs.extend(_distinguish(profile_rng, unit_specs, unit=unit, today=today))
    return specs


def _with_profile(rng: random.Random, spec: MemberSpec, *, pool: str, enterprise, today: datetime.date) -> MemberSpec:
    """The rest of the register for one member: education, job, address, skills, when the building recorded
    them and, for a mobile member, since when and where they are away."""
    job = _draw_job(rng, pool, enterprise, spec.birth_date)
    if job in MANUAL_JOBS:
        weights = MANUAL_EDUCATION_WEIGHTS
    elif job in PROFESSIONAL_JOBS:
        weights = PROFESSIONAL_EDUCATION_WEIGHTS
    else:
        weights = EDUCATION_WEIGHTS[spec.birth_date.year < 1975]
    education = rng.choices(EDUCATIONS, weights)[0]
    home_address = _draw_address(rng)
    room = PROPERTY_ROOMS.get(job, "")
    if not room and enterprise is not None and rng.random() < 0.08:
        # The enterprise rents the room next door as well, and this member sits there.
        room = f"{enterprise.floor}{int(enterprise.room[-2:]) + 1:02d}"
    skills = _draw_skills(rng, job)

    collected = REGISTER_COLLECTED_ON + datetime.timedelta(days=rng.randint(0, 45))
    after_joining = spec.joined_on + datetime.timedelta(days=rng.randint(3, 12))
    registered_on = min(max(collected, after_joining), today - datetime.timedelta(days=1))
    registered_at = _at(registered_on, 9) + datetime.timedelta(minutes=rng.randint(0, 8 * 60 - 1))

    mobile = {}
    if spec.is_mobile:
        low, high = (months * 30.5 for months in MOBILE_MONTHS)
        since = today - datetime.timedelta(days=int(low + rng.random() * (high - low)))
        since = max(since, registered_on + datetime.timedelta(days=30))
        card = f"浙流党证〔{since.year}〕{rng.randint(1, 400):04d}号" if rng.random() < 0.6 else ""
        # A member with a card has found a host organisation; some without one have too.
        host = MOBILE_PLACES[spec.mobile_destination][3] if rng.random() < 0.5 or card else ""
        mobile = {"mobile_since": since, "mobile_card": card, "mobile_host": host}

    return dataclasses.replace(
        spec,
        education=education,
        job=job,
        home_address=home_address,
        room=room,
        skills=skills,
        registered_at=registered_at,
        **mobile,
        expected_full_on=_add_years(spec.joined_on, 1) if spec.category == Member.Category.PROBATIONARY else None,
    )


def _distinguish(rng: random.Random, specs: list[MemberSpec], *, unit: int, today: datetime.date) -> list[MemberSpec]:
    """The few of a unit who hold a post (first unit only), are in hardship, show their membership at work or
    were honoured."""
    specs = list(specs)

    def update(index, **fields):
        specs[index] = dataclasses.replace(specs[index], **fields)

    # At home, in contact, full members, not member1 (her record stays plain).
    steady = [
        i
        for i, s in enumerate(specs)
        if s.category == Member.Category.FULL and not s.is_mobile and not s.lost_contact_since and not s.username
    ]
    if unit == 0:
        for organization, titles in POSTS.items():
            holders = [i for i in steady if specs[i].organization == organization]
            for i, title in zip(holders, titles):
                update(i, posts=title)

    # One in hardship is out of work, if anybody is; the others have a job.
    plain = [i for i in range(1, len(specs)) if not specs[i].posts and not specs[i].lost_contact_since]
    unemployed = [i for i in plain if specs[i].job == "待业"][:1]
    employed = [i for i in plain if specs[i].job not in (*WITHOUT_ENTERPRISE_JOBS, *MANAGER_JOBS)]
    hardship = rng.sample(employed, rng.choice((2, 3)) - len(unemployed))
    for i in unemployed:
        update(i, is_hardship=True, hardship_note=UNEMPLOYED_NOTE)
    for i, note in zip(hardship, rng.sample(HARDSHIP_NOTES, len(hardship))):
        update(i, is_hardship=True, hardship_note=note)

    at_work = [i for i in steady if specs[i].enterprise and not specs[i].is_hardship]
    for i in sorted(rng.sample(at_work, SHOWING_PER_SCALE)):
        post = SHOWCASE_BY_JOB.get(specs[i].job, "")
        if not post and rng.random() < 0.5:
            post = "党员先锋岗"
        update(i, shows_membership=True, showcase_post=post)

    # Last, because who qualifies depends on today.
    year = today.year - 1
    honours = [
        [f"{year} 年度中央大厦联合党总支优秀共产党员"],
        [f"{year - 1} 年度浒山街道优秀志愿者", f"{year} 年度中央大厦联合党总支优秀共产党员"],
        [f"{year - 1} 年度慈溪市“两新”组织优秀党务工作者"],
    ]
    veterans = [i for i in steady if specs[i].joined_on.year < year - 1]
    for i, lines in zip(sorted(rng.sample(veterans, rng.choice((2, 3)))), honours):
        update(i, rewards_penalties="\n".join(lines))
    return specs


def _draw_job(rng: random.Random, pool: str, enterprise, born: datetime.date) -> str:
    if enterprise is None:
        return rng.choice(WITHOUT_ENTERPRISE_JOBS)
    if pool == "social_org":
        return rng.choice(SOCIAL_ORG_JOBS)
    if pool == "property":
        return rng.choice(JOBS_BY_INDUSTRY[enterprise_demo.PROPERTY_INDUSTRY])
    if born.year < 1985 and rng.random() < 0.3:
        return rng.choice(MANAGER_JOBS)
    if rng.random() < 0.3:
        return rng.choice(OFFICE_JOBS)
    return rng.choice(JOBS_BY_INDUSTRY.get(enterprise.industry, OFFICE_JOBS))


def _draw_skills(rng: random.Random, job: str) -> str:
    """About half list a skill: the one that goes with their job, another, or both."""
    if rng.random() >= 0.5:
        return ""
    skills = [JOB_SKILLS[job]] if job in JOB_SKILLS else []
    extra = rng.choice(SKILLS)
    if extra not in skills and (not skills or rng.random() < 0.4):
        skills.append(extra)
    return "、".join(skills)


def _draw_address(rng: random.Random) -> str:
    place = (
        "慈溪市" + rng.choices(CIXI_PLACES, CIXI_PLACE_WEIGHTS)[0] if rng.random() < 0.85 else rng.choice(NINGBO_PLACES)
    )
    if place.endswith("镇") and rng.random() < 0.5:
        return f"{place}{rng.choice(VILLAGES)}村{rng.randint(1, 320)}号"
    return (
        f"{place}{rng.choice(ESTATE_NAMES)}{rng.choice(ESTATE_KINDS)}{rng.randint(1, 36)}幢"
        f"{rng.randint(1, 3)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
    )


@demo.register(order=20)
def seed_members(*, building, scale, stdout):
    """Insert the missing demo members and complete their history.

    1. The members, in one bulk insert (mobile members at home: step 3 sends them away through the service,
       which keeps the member and the period in agreement).
    2. Each member's first history entry, dated when the building recorded them.
    3. An open mobile period for each mobile member; the lost-contact entry.
    4. For the first unit only: a member transferred in, transfers in every state, proposed changes. Each
       is skipped when its member already has one, so they happen on the first run only.
    5. member1 is linked to the first member, contact1 speaks for her enterprise (an enterprise with party
       members, which only this floor knows).
    """
    today = timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2", "member1", "contact1"])
    }
    member1, contact1 = users.get("member1"), users.get("contact1")
    specs = demo_members(
        scale, today=today, member1_name=member1.name if member1 else "", member1_phone=member1.phone if member1 else ""
    )

    organizations = {o.name: o for o in PartyOrganization.objects.filter(building=building)}
    job_categories = ensure_job_categories()
    enterprises = Enterprise.objects.in_bulk({s.enterprise for s in specs if s.enterprise}, field_name="credit_code")
    existing = set(
        _with_id_numbers(Member.objects.all(), [s.id_number for s in specs]).values_list("id_number", flat=True)
    )
    link_member1 = member1 is not None and not Member.objects.filter(user=member1).exists()
    new = [
        Member(
            name=s.name,
            gender=s.gender,
            ethnicity=codes.ethnicity_code(s.ethnicity),
            id_number=s.id_number,
            birth_date=s.birth_date,
            education=s.education,
            category=s.category,
            organization=organizations[s.organization],
            enterprise=enterprises.get(s.enterprise),
            joined_on=s.joined_on,
            full_member_on=s.full_member_on,
            expected_full_on=s.expected_full_on,
            job_category=job_categories[job_category_code(s.job)],
            job_note=s.job,
            phone=s.phone,
            home_address=s.home_address,
            room=s.room,
            skills=s.skills,
            posts=s.posts,
            is_hardship=s.is_hardship,
            hardship_note=s.hardship_note,
            rewards_penalties=s.rewards_penalties,
            shows_membership=s.shows_membership,
            showcase_post=s.showcase_post,
            lost_contact_since=s.lost_contact_since,
            name_initials=name_initials(s.name),
            user=member1 if s.username == "member1" and link_member1 else None,
        )
        for s in specs
        if s.id_number not in existing
    ]
    Member.objects.bulk_create(new, batch_size=500)

    _record_registration(specs, by=users.get("admin"))
    _send_mobile_members_away(specs, users=users)
    _record_lost_contact(specs, users=users)
    first_unit = specs[:PER_SCALE]
    movers, proposers = _cast(first_unit)
    arrived = _receive_arrival(first_unit, organizations=organizations, users=users, today=today)
    _run_transfers(movers, organizations=organizations, users=users, today=today)
    _run_proposals(proposers, users=users, today=today)

    first_enterprise = enterprises.get(specs[0].enterprise)
    if contact1 is not None and first_enterprise and not contact1.contact_enterprises.exists():
        contact1.contact_enterprises.add(first_enterprise)

    in_building = Member.objects.filter(organization__building=building)
    counts = member_counts(in_building)
    transfers = Transfer.objects.filter(member__organization__building=building)
    pending = ChangeProposal.objects.filter(member__in=in_building, status=ChangeProposal.Status.PENDING)
    stdout.write(
        f"党员：{counts['total']} 名（本次新增 {len(new) + arrived} 名；预备党员 {counts['probationary']} 名，"
        f"流动党员 {counts['mobile']} 名，失联 {counts['lost']} 名，"
        f"已转出 {in_building.filter(whereabouts=Member.Whereabouts.TRANSFERRED_OUT).count()} 名）"
    )
    stdout.write(
        f"组织关系转接：{transfers.count()} 件"
        f"（办理中 {transfers.filter(status__in=Transfer.OPEN_STATUSES).count()} 件）；"
        f"待审核的信息变更 {pending.count()} 条"
    )


def _recorder(organization: str, users: dict):
    """Who records an event of a member of ``organization``: their branch secretary, else the admin."""
    if organization in BRANCH_1_TREE:
        return users.get("secretary1")
    if organization in BRANCH_2_TREE:
        return users.get("secretary2")
    return users.get("admin")


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _dated(at: datetime.datetime, service, **kwargs):
    """Call ``service`` as if at ``at``.

    The services stamp history and new rows with the current time; a demo event happened in the past, so the
    stamps made during the call are moved back to when it happened.
    """
    before = timezone.now()
    result = service(**kwargs)
    MemberChange.objects.filter(member_id=result.member_id, changed_at__gte=before).update(changed_at=at)
    stamps = {
        field: at
        for field in ("created_at", "proposed_at", "decided_at")
        if (value := getattr(result, field, None)) is not None and value >= before
    }
    if stamps:
        type(result).objects.filter(pk=result.pk).update(**stamps)
        for field, value in stamps.items():
            setattr(result, field, value)
    return result


def _with_id_numbers(members, numbers):
    """``members`` with these ID numbers, by keyed hash (the numbers are encrypted in the database)."""
    return members.filter(id_hash__in=[crypto.id_hash(n) for n in numbers])


def _record_registration(specs: list[MemberSpec], *, by) -> None:
    """Give each member without one the entry member_create writes: their record as the building took it."""
    by_id = {s.id_number: s for s in specs}
    unrecorded = (
        _with_id_numbers(Member.objects.all(), by_id)
        .exclude(changes__action=MemberChange.Action.CREATED)
        .select_related("organization", "enterprise", "user")
    )
    MemberChange.objects.bulk_create(
        [
            MemberChange(
                member=member,
                action=MemberChange.Action.CREATED,
                changes=changed_fields(None, member),
                note="新党员登记" if member.joined_on > REGISTER_COLLECTED_ON else "楼宇党员信息采集",
                changed_by=by,
                actor_name=person_name(by),
                changed_at=by_id[member.id_number].registered_at,
            )
            for member in unrecorded
        ],
        batch_size=500,
    )


def _send_mobile_members_away(specs: list[MemberSpec], *, users: dict) -> None:
    """Open a mobile period for each mobile member who has never had one."""
    away = {s.id_number: s for s in specs if s.is_mobile}
    for member in _with_id_numbers(Member.objects.filter(mobile_periods__isnull=True), away):
        spec = away[member.id_number]
        province, city, county, _host = MOBILE_PLACES[spec.mobile_destination]
        _dated(
            _at(spec.mobile_since, 14, 30),
            services.mobile_start,
            member=member,
            by=_recorder(spec.organization, users),
            province=province,
            city=city,
            county=county,
            since=spec.mobile_since,
            card_number=spec.mobile_card,
            host_organization=spec.mobile_host,
        )


def _record_lost_contact(specs: list[MemberSpec], *, users: dict) -> None:
    lost = {s.id_number: s for s in specs if s.lost_contact_since}
    for member in _with_id_numbers(Member.objects.filter(lost_contact_since__isnull=False), lost).exclude(
        changes__action=MemberChange.Action.LOST_CONTACT
    ):
        since = member.lost_contact_since
        services.record_change(
            member=member,
            action=MemberChange.Action.LOST_CONTACT,
            note=LOST_CONTACT_NOTE,
            changes={"lost_contact_since": [None, since.isoformat()]},
            by=_recorder(lost[member.id_number].organization, users),
            at=_at(since + datetime.timedelta(days=LOST_CONTACT_NOTICED_AFTER), 16, 20),
        )


def _cast(first_unit: list[MemberSpec]) -> tuple[list[MemberSpec], list[MemberSpec]]:
    """Who the transfers and the proposals happen to: for each plan, the first full member of its
    organisation who is at home, in contact, holds no post and has no other part (member1 by name)."""
    taken = set()

    def pick(organization):
        for s in first_unit:
            if (
                s.organization == organization
                and s.category == Member.Category.FULL
                and not s.is_mobile
                and not s.lost_contact_since
                and not s.posts
                and not s.username
                and s.id_number not in taken
            ):
                taken.add(s.id_number)
                return s
        raise LookupError(f"no free member in {organization} for the demo")

    movers = [pick(plan.organization) for plan in TRANSFERS]
    proposers = [first_unit[0] if plan.who == "member1" else pick(plan.who) for plan in PROPOSALS]
    return movers, proposers


def _receive_arrival(first_unit: list[MemberSpec], *, organizations: dict, users: dict, today: datetime.date) -> int:
    """Register the member who transferred in; 1 if they are new."""
    if Member.objects.with_id_numbers(ARRIVAL["id_number"]).exists():
        return 0
    # They joined a company whose staff already belong to the branch.
    colleague = next(s for s in first_unit if s.organization == ARRIVAL_ORGANIZATION and s.enterprise)
    member = Member(
        **ARRIVAL,
        job_category=ensure_job_categories()[job_category_code(ARRIVAL["job_note"])],
        organization=organizations[ARRIVAL_ORGANIZATION],
        enterprise=Enterprise.objects.filter(credit_code=colleague.enterprise).first(),
    )
    member.full_clean()
    issued = today - datetime.timedelta(days=ARRIVAL_ISSUED)
    reported = today - datetime.timedelta(days=ARRIVAL_REPORTED)
    _dated(
        _at(reported, 10, 30),
        services.transfer_receive,
        member=member,
        from_name=ARRIVAL_FROM,
        letter_number=ARRIVAL_LETTER.format(year=issued.year),
        issued_on=issued,
        validity_days=ARRIVAL_VALIDITY,
        reported_on=reported,
        received_by=_recorder(ARRIVAL_ORGANIZATION, users),
        dues_paid_until=issued.replace(day=1),
        reason="工作调动",
    )
    return 1


def _run_transfers(movers: list[MemberSpec], *, organizations: dict, users: dict, today: datetime.date) -> None:
    """Play the steps of every TRANSFERS plan whose member has no transfer yet, all plans together in date
    order, so the building's letters are numbered in the order they were issued (001 each new year)."""
    members = {m.id_number: m for m in _with_id_numbers(Member.objects.all(), [s.id_number for s in movers])}
    started = set(Transfer.objects.filter(member__in=members.values()).values_list("member__id_number", flat=True))
    events = []
    for index, (plan, spec) in enumerate(zip(TRANSFERS, movers)):
        member = members.get(spec.id_number)
        if member is None or spec.id_number in started or not member.is_active_member:
            continue  # done on an earlier run, or the record has since been changed by hand
        for step, (action, days) in enumerate((("issue", plan.issued), *plan.steps)):
            events.append((today - datetime.timedelta(days=days), index, step, action))

    letters: dict[int, Transfer] = {}
    numbers = Counter()
    for day, index, step, action in sorted(events):
        plan, spec = TRANSFERS[index], movers[index]
        by = _recorder(plan.organization, users)
        at = _at(day, 9 + (index + step) % 8, (7 * index + 13 * step) % 60)
        letter = letters.get(index)
        if action == "issue":
            numbers[day.year] += 1
            internal = plan.direction == Transfer.Direction.INTERNAL
            letters[index] = _dated(
                at,
                services.transfer_issue,
                member=members[spec.id_number],
                direction=plan.direction,
                issued_by=by,
                issued_on=day,
                to_organization=organizations[plan.to] if internal else None,
                to_name="" if internal else plan.to,
                reason=plan.reason,
                validity_days=plan.validity_days,
                dues_paid_until=day.replace(day=1),
                letter_number=f"{services.LETTER_PREFIX}〔{day.year}〕{numbers[day.year]:03d}号",
            )
        elif action == "report":
            _dated(at, services.transfer_report, transfer=letter, reported_on=day, by=by)
        elif action == "receipt":
            _dated(at, services.transfer_receipt, transfer=letter, returned_on=day, by=by)
        elif action == "close":
            _dated(at, services.transfer_close, transfer=letter, closed_on=day, by=by)
        elif action == "expire":
            # As the nightly job does it: nobody in particular.
            _dated(at, services.transfer_expire, transfer=letter, by=None, today=day)
        elif action == "reissue":
            letters[index] = _dated(
                at, services.transfer_reissue, transfer=letter, issued_on=day, by=by, dues_paid_until=day.replace(day=1)
            )
            # The service numbers a re-issued letter itself (the year's highest + 1); count on from there.
            numbers[day.year] = int(re.search(r"〕(\d+)号$", letters[index].letter_number).group(1))
        elif action == "cancel":
            _dated(at, services.transfer_cancel, transfer=letter, reason=plan.cancel_reason, by=by, on=day)
        else:
            raise ValueError(action)


def _run_proposals(proposers: list[MemberSpec], *, users: dict, today: datetime.date) -> None:
    """Submit (and decide) every PROPOSALS plan whose member has never proposed anything."""
    members = {m.id_number: m for m in _with_id_numbers(Member.objects.all(), [s.id_number for s in proposers])}
    started = set(
        ChangeProposal.objects.filter(member__in=members.values()).values_list("member__id_number", flat=True)
    )
    for plan, spec in zip(PROPOSALS, proposers):
        member = members.get(spec.id_number)
        if member is None or spec.id_number in started or not member.is_active_member:
            continue
        # Members propose in the evening; only member1 has an account to propose with.
        proposal = _dated(
            _at(today - datetime.timedelta(days=plan.proposed), 20, 15),
            services.proposal_submit,
            member=member,
            values=plan.values,
            proposed_by=users.get(spec.username),
        )
        if plan.decision:
            _dated(
                _at(today - datetime.timedelta(days=plan.decided), 9, 40),
                services.proposal_decide,
                proposal=proposal,
                approve=plan.decision == "approve",
                decided_by=_recorder(spec.organization, users),
                note=plan.note,
            )


def _enterprise_pools(enterprises: list, unit: int) -> dict[str, list[str]]:
    """Credit codes of the active enterprises of one unit of 241 that members of each kind of branch work for."""
    size = enterprise_demo.PER_SCALE
    active = [e for e in enterprises[unit * size : (unit + 1) * size] if e.status == Enterprise.Status.ACTIVE]
    companies = [e for e in active if e.kind == Enterprise.Kind.COMPANY]
    return {
        "company": [
            e.credit_code
            for e in companies
            if e.industry not in (enterprise_demo.ECOMMERCE_INDUSTRY, enterprise_demo.PROPERTY_INDUSTRY)
        ],
        "ecommerce": [e.credit_code for e in companies if e.industry == enterprise_demo.ECOMMERCE_INDUSTRY][
            :JOINT_BRANCH_UNITS
        ],
        "social_org": [e.credit_code for e in active if e.kind == Enterprise.Kind.SOCIAL_ORG][:JOINT_BRANCH_UNITS],
        "property": [enterprises[0].credit_code],  # the one property company runs the whole building
    }


class PersonNames:
    """Member names, unique by construction however many are drawn (district scale needs 5,200).

    A name already handed out is drawn again at most ``demo.NAME_REDRAWS`` times (as the first release did, so
    scale 1 keeps its people), never until free (that hung once the likely names ran out): it is then replaced
    by the next name of a fixed list of every name of that gender and generation — surname with a double
    given name, a single one or two singles (about 130,000 each) — in a shuffled order of its own, walked
    once. The list is made only when first needed.
    """

    def __init__(self):
        self.taken: set[str] = set()
        self._spare: dict[tuple[str, bool], tuple[list[str], int]] = {}

    def draw(self, rng: random.Random, gender: str, born: datetime.date) -> str:
        older = born.year < 1980
        doubles = DOUBLE_GIVEN[gender, older].split()
        for _draw in range(1 + demo.NAME_REDRAWS):
            surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
            name = surname + (rng.choice(doubles) if rng.random() < 0.7 else rng.choice(SINGLE_GIVEN[gender]))
            if name not in self.taken:
                break
        else:
            name = self._next_spare(gender, older)
        self.taken.add(name)
        return name

    def _next_spare(self, gender: str, older: bool) -> str:
        names, position = self._spare.get((gender, older)) or (self._all_names(gender, older), 0)
        while names[position] in self.taken:  # each name of the list is looked at once
            position += 1
        self._spare[gender, older] = (names, position + 1)
        return names[position]

    @staticmethod
    def _all_names(gender: str, older: bool) -> list[str]:
        singles = SINGLE_GIVEN[gender]
        given = [*DOUBLE_GIVEN[gender, older].split(), *singles, *(a + b for a in singles for b in singles if a != b)]
        names = [surname + g for surname in SURNAMES for g in given]
        random.Random(f"members-names-{gender}-{older}").shuffle(names)
        return names


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


def job_category_code(title: str) -> str:
    """The 党内统计 category of a demo job title."""
    return codes.job_category_from_title(title) or JOB_CATEGORY_BY_TITLE.get(title, codes.OTHER_JOB)


def ensure_job_categories() -> dict[str, JobCategory]:
    """The job categories by code; the migration seeds them, a database made without migrations gets them here."""
    for order, (code, name) in enumerate(codes.JOB_CATEGORIES, start=1):
        JobCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    return {c.code: c for c in JobCategory.objects.all()}
