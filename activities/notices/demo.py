"""The demo bulletin board for `manage.py seed_demo`: the Central Building's four rules, its notices and news, and
who has read them.

1. The rules (制度), pinned, for the whole building: 支部活动制度, 党员行为规范, 党员亮相制度 and 积分制. The points
   scheme's table is written from the points ledger's default rules (``members.points.services.DEFAULT_RULES``)
   and the building's base score, so the document says what the ledger does.
2. Notices and news for the whole building (one pinned, with a form attached; one that has left the board; one
   scheduled for the week after the demo was first seeded) and one notice for each branch, written by its
   secretary where it has a demo account (else by the admin).
3. Read receipts: member1 (the one member with an account) has read the rules and some notices; the admin, the
   secretaries and the enterprise contact have read what is theirs to read.

Notices are known by building and title, so a second run adds nothing; receipts are written once per notice and
user. Dates count from the day the demo was first seeded (``enterprises.demo.demo_day``).
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from buildingparty.services import stored
from enterprises.demo import demo_day
from members.models import Member
from members.points import services as points

from .models import Notice, NoticeAttachment, NoticeRead

Kind = Notice.Kind

ACTIVITY_RULES = """为规范楼宇各党支部的组织生活，依据《中国共产党支部工作条例（试行）》，\
结合中央大厦“两新”组织党员分散、流动性大的实际，制定本制度。

## 一、“三会一课”

| 会议 | 频次 | 要求 |
|---|---|---|
| 支部党员大会 | 每季度至少一次 | 有表决权的到会党员超过应到会人数的半数，方可进行表决 |
| 支委会 | 每月一次 | 设支部委员会的支部召开 |
| 党小组会 | 每月一次 | 设党小组的支部召开 |
| 党课 | 每季度一次 | 支部书记每年至少讲一次党课 |

## 二、主题党日、组织生活会和民主评议党员

1. 每月开展一次主题党日，与学习教育、志愿服务结合进行。
2. 每年至少召开一次组织生活会，开展批评和自我批评。
3. 每年开展一次民主评议党员，等次为优秀、合格、基本合格、不合格，评为优秀的一般不超过参评党员的三分之一。

## 三、考勤与学习

- 党员参加组织生活扫码签到；因公出差、生病等不能参加的，应当事先向支部书记请假。
- 党员每年学习不少于**32学时**，支部书记和支委委员不少于**56学时**；集中学、帮学、送学均计入学时。
- 无故缺席组织生活的，按积分制扣分。

## 四、活动场所

支部活动使用党支部活动室（中央大厦3楼，物业公司会议室），须提前在系统中预约，时间不得冲突。
"""

CODE_OF_CONDUCT = """中央大厦全体党员应当在楼宇企业和社会组织中带头做到：

1. **坚定理想信念。** 认真学习党的理论，自觉在思想上政治上行动上同党中央保持高度一致。
2. **严守党的纪律。** 遵守党章党规，按时交纳党费，按时参加组织生活，工作单位或居住地变动时及时办理组织关系转接。
3. **爱岗敬业。** 立足本职岗位争创一流业绩，在企业发展中当先锋、作表率。
4. **诚信守法。** 遵守国家法律法规和企业规章制度，不参与任何违法违规经营活动。
5. **服务群众。** 关心身边职工，积极参加楼宇志愿服务和群防群治队，主动帮助困难党员和群众。
6. **廉洁自律。** 不利用职务便利谋取私利，自觉抵制不正之风。
7. **文明有礼。** 在公共场所和网络空间言行文明，维护党员形象。

党员有违反本规范行为的，由所在支部进行批评教育；情节较重的，经支委会研究，每次扣除积分5分，并依照党的纪律处理。
"""

SHOWCASE_RULES = """为引导楼宇党员“亮身份、亮承诺、亮形象”，主动接受职工群众监督，制定本制度。

## 一、亮身份

- 党员在工作时间佩戴党徽，工位摆放党员身份标识牌。
- 有条件的企业在前台、服务窗口等显著位置设立“党员示范岗”。

## 二、亮承诺

每名党员每年年初结合岗位职责作出一条公开承诺（不超过120字），年底对照检查、向支部报告。

## 三、亮形象

- 总支在大厦一楼大厅设置党员亮相栏，展示党员照片、所在企业、示范岗位和承诺。
- 上栏须经党员本人同意。党员可以随时撤回同意，撤回后亮相栏即时撤下其信息。

## 四、监督评价

党员亮相情况作为民主评议党员的参考。职工群众对党员有意见建议的，可以向支部书记或党员接访点反映。
"""

POINTS_INTRO = """为激励党员在楼宇党建中发挥先锋模范作用，总支实行党员积分管理。

## 一、基础分

每名党员每年基础分为 **{base} 分**。

## 二、加分和扣分项目

| 项目 | 分值 | 年度上限 | 计分方式 | 说明 |
|---|--:|--:|---|---|
{rows}

## 三、计分办法

1. 党费交纳、组织生活签到、志愿服务和学习学时，由系统根据记录自动计分，每条记录只计一次。
2. 申报项目由党员本人提交证明材料（证书、照片或截图），经支部书记审核后计分。
3. 扣分项目由支部记录，并写明原因。
4. 积分每年公布排行，作为评先评优和民主评议党员的重要参考。
"""
HOW = {
    points.Kind.AUTOMATIC: "系统自动计分",
    points.Kind.CLAIMED: "本人申报、支部审核",
    points.Kind.DEDUCTION: "支部记录",
}

RULES = [
    ("中央大厦联合党总支支部活动制度", ACTIVITY_RULES),
    ("中央大厦党员行为规范", CODE_OF_CONDUCT),
    ("中央大厦党员亮相制度", SHOWCASE_RULES),
    ("中央大厦党员积分管理制度（积分制）", None),  # written from the points ledger's rules
]


def points_scheme(base: int) -> str:
    rows = "\n".join(
        f"| {stored(rule.name)} | {rule.points:+d} | {rule.yearly_cap if rule.yearly_cap is not None else '不设上限'} "
        f"| {HOW[rule.kind]} | {stored(rule.description)} |"
        for rule in points.DEFAULT_RULES
    )
    return POINTS_INTRO.format(base=base, rows=rows)


APPRAISAL_FORM = "民主评议党员测评表.pdf"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (title, kind, days from the demo's first day, days on the board or None, pinned, body)
BUILDING_NOTICES = [
    (
        "关于开展年度民主评议党员工作的通知",
        Kind.NOTICE,
        -5,
        None,
        True,
        """各党支部、全体党员：

根据总支工作安排，现开展年度民主评议党员工作。

1. **学习动员**：各支部召开支部党员大会，传达评议要求。
2. **个人自评**：党员对照党员行为规范撰写个人总结。
3. **民主测评**：党员填写附件《民主评议党员测评表》，交所在支部。
4. **组织评定**：支部综合测评结果，评定优秀、合格、基本合格、不合格等次，优秀一般不超过三分之一。

请各支部在本月底前完成，并将结果报总支。

中央大厦联合党总支""",
    ),
    (
        "关于按时交纳党费的提醒",
        Kind.NOTICE,
        -12,
        None,
        False,
        """全体党员：

党费按月交纳，请于每月月底前交纳当月党费。可在系统“我的党费”中查看应交金额。

- 确有困难的，可向支部说明情况，经批准后少交或免交；
- 因出差等原因不能按时交纳的，可委托其他党员代交，但**不得由单位代交**。

欠交党费的，支部将逐一谈心提醒。""",
    ),
    (
        "中央大厦党员志愿服务队走进企业开展消防安全宣传",
        Kind.NEWS,
        -3,
        None,
        False,
        """近日，中央大厦党员志愿服务队联合物业公司，走进楼内12家企业开展消防安全宣传，
检查灭火器、疏散通道，并为企业员工讲解火灾逃生常识。

本次活动共有18名党员参加，发放宣传资料300余份。党员志愿者表示，将把“自愿参加、无偿服务、志在奉献”
落到实处，为楼宇安全出一份力。""",
    ),
    (
        "党员亮相栏更新",
        Kind.NEWS,
        -20,
        None,
        False,
        """大厦一楼大厅党员亮相栏已完成更新，新增展示党员示范岗6个。

党员如需更新照片或承诺，可在系统中修改，或联系所在支部书记。上栏须经本人同意，可随时撤回。""",
    ),
    (
        "关于春节假期党支部活动室暂停开放的通知",
        Kind.NOTICE,
        -60,
        20,
        False,
        """春节假期期间，党支部活动室（中央大厦3楼）暂停开放，假期结束后恢复预约。假期内如有急事，
请联系物业服务中心。""",
    ),
    (
        "关于开展下月主题党日活动的预告",
        Kind.NOTICE,
        7,
        None,
        False,
        """下月主题党日定于第二周周五下午在党支部活动室举行，内容为集中学习和“党员进企业”志愿服务。

请各支部提前组织报名，参加活动请扫码签到。""",
    ),
]

# branch → (title, body); the branch's secretary writes it, or the admin
BRANCH_NOTICES = {
    demo.BRANCH_1: (
        "第一党支部关于召开支部党员大会的通知",
        """第一党支部全体党员：

定于本周四晚7时在党支部活动室召开支部党员大会，议题：

1. 学习《中国共产党支部工作条例（试行）》；
2. 讨论预备党员转正事项。

请准时参加，扫码签到；不能参加的请提前向支部书记请假。""",
    ),
    demo.BRANCH_2: (
        "第二党支部关于开展结对帮学的通知",
        """本季度支部继续开展“结对帮学”，由老党员与新党员结对，每月共同学习不少于2学时，
帮学记录计入学时。结对名单见支部群，有调整需要的请联系支部书记。""",
    ),
    demo.ECOMMERCE_BRANCH: (
        "电商企业联合支部关于核对流动党员去向的通知",
        """请外出6个月以上的党员，在本月内向支部报告所在地和联系方式，以便支部保持联系、按时送学。""",
    ),
    demo.SOCIAL_ORG_BRANCH: (
        "社会组织联合支部关于社区志愿服务报名的通知",
        """支部将于本月组织党员到浒山街道社区开展普法宣传志愿服务，请有意参加的党员在系统中报名。""",
    ),
    demo.PROPERTY_BRANCH: (
        "物业公司党支部关于消防安全检查分工的通知",
        """本月消防安全检查由支部党员分楼层负责，检查情况请当天报物业服务中心。""",
    ),
}

BRANCH_SECRETARIES = {demo.BRANCH_1: "secretary1", demo.BRANCH_2: "secretary2"}


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@demo.register(order=60)  # after the members (20) and the points ledger's rules (26)
def seed_notices(*, building, scale, stdout):
    """1. The rules. 2. The building's notices and news, one with a form attached. 3. A notice for each branch.
    4. Read receipts."""
    first_day = demo_day()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["admin", "secretary1", "secretary2", "member1", "contact1"])
    }
    admin = users.get("admin")
    existing = {n.title: n for n in Notice.objects.filter(building=building)}
    branches = {o.name: o for o in PartyOrganization.objects.filter(building=building).branches()}
    new = []

    def add(title, **fields):
        if title not in existing:
            notice = Notice(building=building, title=title, created_at=fields["publish_at"], **fields)
            new.append(notice)
            existing[title] = notice

    rules_day = _at(first_day.replace(month=1, day=1) - datetime.timedelta(days=365))
    base = points.base_score(building.pk, first_day.year)
    for title, body in RULES:
        add(title, kind=Kind.RULE, body=body or points_scheme(base), pinned=True, publish_at=rules_day, author=admin)
    for title, kind, days, lasts, pinned, body in BUILDING_NOTICES:
        publish_at = _at(first_day + datetime.timedelta(days=days))
        expires_at = publish_at + datetime.timedelta(days=lasts) if lasts else None
        add(title, kind=kind, body=body, pinned=pinned, publish_at=publish_at, expires_at=expires_at, author=admin)
    for name, (title, body) in BRANCH_NOTICES.items():
        if name in branches:
            author = users.get(BRANCH_SECRETARIES.get(name, "")) or admin
            publish_at = _at(first_day - datetime.timedelta(days=2), 14)
            add(title, kind=Kind.NOTICE, body=body, audience=branches[name], publish_at=publish_at, author=author)
    Notice.objects.bulk_create(new)

    _attach_form(existing[BUILDING_NOTICES[0][0]], by=admin)
    reads = _read(building, users, existing)
    stdout.write(f"党建宣传栏：本次新增制度、通知和动态 {len(new)} 条，阅读记录 {reads} 条")


def _attach_form(notice: Notice, *, by) -> None:
    if notice.attachments.exists():
        return
    attachment = NoticeAttachment(notice=notice, name=APPRAISAL_FORM, size=len(PDF), uploaded_by=by)
    attachment.file.save(APPRAISAL_FORM, ContentFile(PDF), save=False)
    attachment.save()


def _read(building, users, notices: dict) -> int:
    """Who has read what: each reader what she may read and what is on the board, a few hours after it went up."""
    now = timezone.now()
    member1 = users.get("member1")
    own = Member.objects.filter(user=member1).select_related("organization").first() if member1 else None
    branch_1 = BRANCH_NOTICES[demo.BRANCH_1][0]
    plan = {
        "admin": [t for t, n in notices.items() if n.audience_id is None],
        "secretary1": [BUILDING_NOTICES[0][0], BUILDING_NOTICES[1][0], branch_1] + [title for title, _ in RULES],
        "secretary2": [BUILDING_NOTICES[0][0], BRANCH_NOTICES[demo.BRANCH_2][0]],
        "member1": [title for title, _ in RULES] + [BUILDING_NOTICES[0][0], BUILDING_NOTICES[2][0]],
        "contact1": [BUILDING_NOTICES[2][0]],
    }
    if own is not None and own.organization.branch.name == demo.BRANCH_1:
        plan["member1"].append(branch_1)
    rows = []
    for username, titles in plan.items():
        user = users.get(username)
        if user is None:
            continue
        readable = set(Notice.objects.for_user(user).filter(building=building).values_list("pk", flat=True))
        for title in titles:
            notice = notices.get(title)
            if notice is None or notice.pk not in readable or not notice.publish_at <= now:
                continue
            read_at = min(notice.publish_at + datetime.timedelta(hours=3 + len(rows) % 5), now)
            rows.append(NoticeRead(notice=notice, user=user, read_at=read_at))
    before = NoticeRead.objects.filter(notice__building=building).count()
    NoticeRead.objects.bulk_create(rows, ignore_conflicts=True)
    return NoticeRead.objects.filter(notice__building=building).count() - before
