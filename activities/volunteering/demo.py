"""Demo volunteering for `manage.py seed_demo`: the building's 党员义务活动 over the last months and the weeks ahead,
after the members (20), the points rules (26) and the activity rooms (34).

Six activities already took place, one of each kind and a second 便民服务, each done with who came, the hours served
and a summary; member1 took part in three of them. Ahead: tomorrow's fire-safety drill (member1 signed up, so the
reminder job has her to remind), a 学雷锋 service day that is full with a waiting list (member1 first on it), a legal
lecture in the 党支部活动室 booked through the rooms service (a slot already taken moves to the next day), and a
draft for the 重阳节 visits. Upcoming ones are published through ``services.activity_publish`` (which tells the
members whose skills match) and filled through ``services.signup_create`` (which keeps the waiting list); the past
ones are written in bulk, dated as they happened. Each activity is known by its building and title, so a second run
adds nothing. The volunteering points are credited afterwards (``members/points/demo.py``), once per activity as always.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.rooms.models import Room
from buildingparty import demo
from buildingparty.models import PartyOrganization, User
from enterprises.demo import demo_day
from members.models import Member

from . import services
from .models import Activity, Signup

Kind = Activity.Kind
ACTIVITY_ROOM = "党支部活动室"  # the rooms demo makes it (activities/rooms/demo.py); made here when it is missing
ROOM_LOCATION = "中央大厦3楼"


@dataclass(frozen=True)
class Spec:
    title: str
    kind: str
    days_after: int  # from the demo's first day; negative: already taken place
    start: tuple[int, int]
    end: tuple[int, int]
    organizer: str | None  # an organisation's name; None: the general branch
    place: str = ""
    capacity: int | None = None
    skills: str = ""
    description: str = ""
    summary: str = ""
    came: int = 0  # past: how many volunteers came (the first members), one more did not
    member1: str = ""  # "attended", "signed_up", "waiting"
    in_room: bool = False
    draft: bool = False
    fill: int = 0  # upcoming: how many others sign up before member1


SPECS = [
    Spec(
        "楼宇职工义诊暨应急救护知识普及",
        Kind.SERVICE,
        -75,
        (9, 0),
        (11, 30),
        demo.BRANCH_1,
        place="中央大厦一楼大堂",
        capacity=10,
        skills="急救, 心理咨询",
        description="联系慈溪市人民医院医生为楼宇职工量血压、测血糖，党员志愿者讲解心肺复苏和海姆立克急救法。",
        summary="为大厦职工义诊120余人次，现场演示心肺复苏，发放应急救护手册200份。",
        came=7,
        member1="attended",
    ),
    Spec(
        "大厦周边环境卫生整治",
        Kind.ENVIRONMENT,
        -52,
        (8, 30),
        (10, 30),
        None,
        place="大厦南广场集合",
        capacity=20,
        description="清理大厦周边绿化带垃圾、小广告，整理共享单车。",
        summary="清理绿化带垃圾12袋、小广告60余处，整理共享单车80余辆。",
        came=12,
    ),
    Spec(
        "“宪法宣传周”普法进企业",
        Kind.LAW,
        -38,
        (14, 0),
        (16, 0),
        demo.BRANCH_2,
        place="中央大厦5楼多功能会议室",
        capacity=8,
        skills="法律咨询, 理论宣讲",
        description="党员律师为楼宇企业职工解答劳动合同、社保等法律问题。",
        summary="走访楼宇企业15家，解答劳动合同、社保等法律咨询36人次。",
        came=5,
        member1="attended",
    ),
    Spec(
        "结对帮扶困难党员家庭走访",
        Kind.PAIRING,
        -24,
        (14, 0),
        (17, 0),
        demo.BRANCH_1,
        place="古塘街道相关社区",
        capacity=6,
        description="与困难党员家庭结对，送去慰问品，了解实际困难。",
        summary="走访结对困难党员家庭4户，送去米油等慰问品，记录帮扶需求3项。",
        came=4,
    ),
    Spec(
        "电动自行车文明停放劝导",
        Kind.CIVILITY,
        -12,
        (7, 30),
        (9, 0),
        demo.PROPERTY_BRANCH,
        place="大厦北门非机动车停放区",
        capacity=8,
        summary="早高峰劝导规范停放电动自行车150余辆，清理占用消防通道车辆12辆。",
        came=6,
        member1="attended",
    ),
    Spec(
        "为楼宇老年职工维修家电、电脑",
        Kind.SERVICE,
        -5,
        (13, 30),
        (16, 30),
        demo.ECOMMERCE_BRANCH,
        place="中央大厦3楼物业服务中心",
        capacity=6,
        skills="家电维修, 电脑维修",
        summary="免费维修小家电11件、电脑6台，为老年职工安装反诈APP。",
        came=4,
    ),
    Spec(
        "大厦消防安全宣传与应急疏散演练",
        Kind.OTHER,
        1,
        (14, 30),
        (16, 0),
        demo.PROPERTY_BRANCH,
        place="中央大厦南广场",
        capacity=15,
        skills="消防",
        description="协助物业公司组织应急疏散演练，向楼宇职工讲解灭火器使用方法。",
        member1="signed_up",
        fill=6,
    ),
    Spec(
        "学雷锋便民服务日：理发、磨刀、家电维修",
        Kind.SERVICE,
        5,
        (9, 0),
        (11, 30),
        demo.BRANCH_2,
        place="中央大厦南广场",
        capacity=6,
        skills="家电维修, 电脑维修",
        description="为大厦职工和周边居民免费理发、磨刀、维修小家电。",
        member1="waiting",
        fill=8,
    ),
    Spec(
        "“法律明白人”普法讲座：职场维权那些事",
        Kind.LAW,
        9,
        (19, 0),
        (20, 30),
        demo.BRANCH_1,
        capacity=20,
        skills="法律咨询",
        description="党员律师讲解劳动合同、加班费、工伤认定等职场常见法律问题，现场答疑。",
        member1="signed_up",
        in_room=True,
        fill=5,
    ),
    Spec(
        "重阳节走访慰问退休老党员",
        Kind.PAIRING,
        24,
        (9, 0),
        (11, 0),
        None,
        place="各结对老党员家中",
        capacity=10,
        description="重阳节前走访慰问楼宇退休老党员，送上节日问候。",
        draft=True,
    ),
]


def _at(day: datetime.date, hour_minute: tuple[int, int]) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(*hour_minute)))


@demo.register(order=48)  # after the members (20), the points rules (26) and the activity rooms (34)
def seed_volunteering(*, building, scale, stdout):
    """1. The activities not there yet (by title), each drafted through ``services.activity_create`` (the one in
       the activity room books it; a slot already taken moves to the next day).
    2. The past ones: published, volunteers who came (hours, some by QR) and one who did not, done with a summary,
       in bulk.
    3. The upcoming ones: published (the members whose skills match are told), volunteers signed up through the
       service until full, member1 signed up or on the waiting list.
    """
    existing = set(Activity.objects.filter(building=building).values_list("title", flat=True))
    specs = [s for s in SPECS if s.title not in existing]
    if not specs:
        stdout.write("志愿服务：已有，未改动")
        return
    organizations = {o.name: o for o in PartyOrganization.objects.filter(building=building)}
    users = {u.username: u for u in User.objects.filter(building=building, role__in=["admin", "secretary"])}
    secretaries = {u.organization_id: u for u in users.values() if u.role == "secretary"}
    admin = users.get("admin")
    member1 = Member.objects.filter(user__username="member1", organization__building=building).first()
    volunteers = list(
        Member.objects.filter(organization__building=building)
        .active()
        .exclude(pk=member1.pk if member1 else None)
        .order_by("pk")[:40]
    )
    if not volunteers:
        return
    room = _activity_room(building)
    first_day = demo_day()
    now = timezone.now()
    made = {"done": 0, "published": 0, "draft": 0, "signups": 0}
    for index, spec in enumerate(specs):
        organizer = organizations.get(spec.organizer) if spec.organizer else None
        by = secretaries.get(organizer.pk) if organizer is not None else None
        by = by or admin
        activity = _create(spec, building=building, organizer=organizer, room=room, by=by, first_day=first_day)
        if activity is None:
            continue
        # a different slice of the building's members for each activity
        start = (index * 7) % max(len(volunteers) - 10, 1)
        people = volunteers[start:] + volunteers[:start]
        if spec.draft:
            made["draft"] += 1
        elif activity.starts_at <= now:
            made["signups"] += _took_place(activity, spec, people, member1=member1, by=by)
            made["done"] += 1
        else:
            services.activity_publish(activity=activity, by=by)
            made["signups"] += _fill(activity, spec, people, member1=member1)
            made["published"] += 1
    # The volunteering points are credited once for all activities, last (members/points/demo.py).
    stdout.write(
        f"志愿服务：活动 {sum(made[k] for k in ('done', 'published', 'draft'))} 项（已完成 {made['done']}，"
        f"报名中 {made['published']}，草稿 {made['draft']}），报名 {made['signups']} 人次"
    )


def _activity_room(building) -> Room:
    room, _created = Room.objects.get_or_create(
        building=building, name=ACTIVITY_ROOM, defaults={"location": ROOM_LOCATION, "capacity": 30}
    )
    return room


def _create(spec: Spec, *, building, organizer, room, by, first_day) -> Activity | None:
    for shift in range(5 if spec.in_room else 1):  # a slot the room already has moves to the next day
        day = first_day + datetime.timedelta(days=spec.days_after + shift)
        try:
            return services.activity_create(
                building=building,
                organizer=organizer,
                title=spec.title,
                kind=spec.kind,
                starts_at=_at(day, spec.start),
                ends_at=_at(day, spec.end),
                place=spec.place,
                room=room if spec.in_room else None,
                capacity=spec.capacity,
                skills_wanted=spec.skills,
                description=spec.description,
                by=by,
            )
        except ValidationError:
            continue
    return None


def _took_place(activity: Activity, spec: Spec, people: list[Member], *, member1, by) -> int:
    """Published a fortnight before, signed up over the following days; those who came took part for the whole
    activity (every other one checked in by QR), one did not come; done the evening after with a summary."""
    published = activity.starts_at - datetime.timedelta(days=14)
    came = people[: spec.came]
    if member1 is not None and spec.member1 == "attended":
        came = [member1] + came[:-1]
    missing = [p for p in people[spec.came : spec.came + 1] if p not in came]
    recorded = activity.ends_at + datetime.timedelta(hours=3)
    rows = []
    for n, member in enumerate(came):
        qr = n % 2 == 0
        rows.append(
            Signup(
                activity=activity,
                member=member,
                status=Signup.Status.ATTENDED,
                hours=activity.hours,
                method=Signup.Method.QR if qr else Signup.Method.ORGANISER,
                checked_in_at=activity.starts_at - datetime.timedelta(minutes=10 - n) if qr else None,
                signed_up_at=published + datetime.timedelta(days=1 + n % 5, hours=n),
                recorded_by=None if qr else by,
                recorded_at=activity.starts_at - datetime.timedelta(minutes=10 - n) if qr else recorded,
            )
        )
    for member in missing:
        rows.append(
            Signup(
                activity=activity,
                member=member,
                status=Signup.Status.NO_SHOW,
                method=Signup.Method.ORGANISER,
                signed_up_at=published + datetime.timedelta(days=2),
                recorded_by=by,
                recorded_at=recorded,
            )
        )
    Signup.objects.bulk_create(rows)
    Activity.objects.filter(pk=activity.pk).update(
        status=Activity.Status.DONE,
        published_at=published,
        created_at=published - datetime.timedelta(days=1),
        summary=spec.summary,
        done_recorded_by=by,
        done_recorded_at=recorded,
    )
    return len(rows)


def _fill(activity: Activity, spec: Spec, people: list[Member], *, member1) -> int:
    """Others sign up through the service; member1 signs up once the seats are taken (first on the waiting list) or
    among the first (a seat); the rest after her (behind her on the waiting list)."""
    others = people[: spec.fill]
    before = len(others) if spec.capacity is None else min(spec.capacity, len(others))
    if spec.member1 == "signed_up":
        before = min(before, 2)
    made = 0
    for member in others[:before]:
        services.signup_create(activity=activity, member=member, by=None)
        made += 1
    if member1 is not None and spec.member1 in ("signed_up", "waiting"):
        services.signup_create(activity=activity, member=member1, by=member1.user)
        made += 1
    for member in others[before:]:
        services.signup_create(activity=activity, member=member, by=None)
        made += 1
    return made
