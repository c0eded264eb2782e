"""Writes for letters: the default letters of the building survey, and saving an edited letter."""

from django.db import transaction

from .models import LetterTemplate

_SIGNATURE = "中共慈溪中央大厦联合总支部委员会"

# The two letters of the building survey (调查摸底): the seed names them, this is their text. One line is one
# paragraph; {字段} are merge fields (LetterTemplate.FIELDS). Kept to one A4 page each.
_MEMBERS_LETTER = """\
您好！
近年来，随着经济成分、组织形式、就业方式和利益方式的深刻变化，越来越多的党员在“两新”组织中就业创业。中央大厦入驻\
“两新”组织二百余家，在楼里工作的党员有五十多名。为了让楼宇内的党员有组织、楼宇内的企业有后盾，在街道党工委的领导下，\
街道、社区和物业公司共同组建了慈溪中央大厦联合党总支，依托物业公司会议室建立了党支部活动室，设立了党员接访点。
楼宇党组织就是大家在楼里的“家”。我们诚挚地邀请您到楼宇党组织登记报到，填写统一格式的《党员登记表》；组织关系仍在原\
单位、户籍地或人才交流中心的，请带上组织关系介绍信转入楼宇党组织，暂时不便转接的，也可以作为流动党员参加楼宇党组织的\
活动。您的党员信息目前登记在{支部}，如有变动，请及时告诉我们。
楼宇党组织为党员提供组织关系接转、党费代交、党课教育、学习资料借阅、暂住证办理、就业指导、租房联系、法律咨询等服务。\
您在工作、学习和生活中遇到困难，欢迎随时来找党组织。
希望您亮明党员身份，按时参加组织生活，积极参加“自愿参加、无偿服务、志在奉献”的党员义务活动，在本职岗位上创先争优，\
为企业发展和楼宇和谐贡献力量。
您所在的{企业}（{房间}室）由党务联络员{联络员}同志联系，联系电话：{联络员电话}。党支部活动室就在物业公司会议室，欢迎\
常来坐坐。
祝您工作顺利，生活愉快！"""

_OWNERS_LETTER = """\
您好！
衷心感谢您和{企业}长期以来对中央大厦各项工作的理解和支持！
党的基层组织是党在社会基层组织中的战斗堡垒。在“两新”组织中建立党组织、开展党的工作，既是加强党的建设的需要，也是\
促进企业健康发展的重要保障。为此，在街道党工委的领导下，街道、社区和物业公司共同组建了慈溪中央大厦联合党总支，依托\
物业公司会议室建立了党支部活动室；党建经费采取“街道拨付一点、企业资助一点”的办法解决。
楼宇党组织坚持把党建工作与促进企业发展紧密结合起来，热情为楼宇内的企业提供招商引资、投资指南、子女入学、落户登记、\
政策咨询等有针对性的服务，协调企业与社区内其他组织及居民之间的关系，为企业发展创造良好的外部环境。
企业里的党员大多是业务骨干。恳请您支持党组织在贵单位开展工作：支持员工党员亮明身份、参加组织生活，把组织关系转入楼宇\
党组织；正式党员三名以上的单位可以单独建立党支部，不足三名的可以加入联合支部；在活动时间、场地和经费上给予力所能及的\
帮助。
贵单位（{房间}室）的党务联络员是{联络员}同志，联系电话：{联络员电话}。欢迎您随时与我们联系，也欢迎您参加楼宇党组织\
召开的企业主座谈会，对楼宇党建工作提出宝贵意见和建议。
祝事业兴旺，万事如意！"""


def default_letters() -> list[dict]:
    """The two survey letters as field values for ``LetterTemplate`` (without the building)."""
    return [
        {
            "audience": LetterTemplate.Audience.MEMBERS,
            "title": "致中央大厦党员的一封信",
            "body": _MEMBERS_LETTER,
            "signature": _SIGNATURE,
        },
        {
            "audience": LetterTemplate.Audience.OWNERS,
            "title": "致“两新”组织企业主的一封信",
            "body": _OWNERS_LETTER,
            "signature": _SIGNATURE,
        },
    ]


def missing_default_letters(building) -> list[dict]:
    titles = set(LetterTemplate.objects.filter(building=building).values_list("title", flat=True))
    return [values for values in default_letters() if values["title"] not in titles]


def ensure_default_letters(building, by=None) -> list[LetterTemplate]:
    """Create the default letters the building does not have yet (matched by title); returns those created.

    Safe to run again: a letter an admin has edited is left as it is.
    """
    created = []
    with transaction.atomic():
        for values in default_letters():
            letter, was_created = LetterTemplate.objects.get_or_create(
                building=building, title=values["title"], defaults={**values, "updated_by": by}
            )
            if was_created:
                created.append(letter)
    return created


def letter_save(*, letter: LetterTemplate, by) -> LetterTemplate:
    """Save a validated letter, remembering who edited it last."""
    letter.updated_by = by
    letter.save()
    return letter
