"""Reads for letters: who gets a letter and what it says. Everything takes querysets already scoped with
``for_user`` and runs a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from enterprises.models import Enterprise
from members.models import Member

from .models import MERGE_FIELD, LetterTemplate

# Members who no longer belong here get no letter, whatever the filters say.
LETTERLESS_STATUSES = (Member.Status.DECEASED,)


@dataclass(frozen=True)
class Recipient:
    salutation: str  # the letter's first line, e.g. 张三同志：
    values: dict  # merge values by field name
    label: str  # how the recipient is listed on screen


@dataclass
class Letter:
    recipient: Recipient
    paragraphs: list[str]
    missing: list[str] = field(default_factory=list)  # merge fields the text uses that are empty for them


def letters_for(user) -> QuerySet:
    return LetterTemplate.objects.for_user(user).select_related("updated_by")


def owner_candidates(user) -> QuerySet:
    """The enterprises an owners' letter can go to, in building order, with what the merge needs."""
    return Enterprise.objects.for_user(user).select_related("liaison").order_by("floor", "room", "name", "pk")


def member_candidates(user) -> QuerySet:
    """The members a members' letter can go to (secretaries: their branch), with what the merge needs."""
    return (
        Member.objects.for_user(user)
        .exclude(status__in=LETTERLESS_STATUSES)
        .exclude(whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
        .select_related("organization", "enterprise__liaison")
        .order_by("organization__name", "name", "pk")
    )


def _liaison_values(enterprise: Enterprise | None) -> dict:
    liaison = enterprise.liaison if enterprise is not None else None
    return {
        "联络员": liaison.display_name if liaison else "",
        "联络员电话": liaison.phone if liaison else "",
    }


def owner_values(enterprise: Enterprise) -> dict:
    """The letter goes to the legal representative, or the contact person when none is recorded."""
    return {
        "姓名": enterprise.legal_representative or enterprise.contact_name,
        "企业": enterprise.name,
        "房间": enterprise.room,
        **_liaison_values(enterprise),
    }


def member_values(member: Member) -> dict:
    enterprise = member.enterprise if member.enterprise_id else None
    return {
        "姓名": member.name,
        "企业": enterprise.name if enterprise else "",
        "房间": member.workplace_room,
        **_liaison_values(enterprise),
        "支部": member.organization.name,
    }


def owner_recipient(enterprise: Enterprise) -> Recipient:
    values = owner_values(enterprise)
    # The letter is Chinese whatever the interface language, like the transfer letter.
    salutation = f"尊敬的{values['姓名']}：" if values["姓名"] else f"尊敬的{enterprise.name}负责人："
    label = f"{values['姓名'] or '—'} · {enterprise.name}（{enterprise.room}）"
    return Recipient(salutation=salutation, values=values, label=label)


def member_recipient(member: Member) -> Recipient:
    values = member_values(member)
    label = " · ".join(filter(None, [member.name, values["支部"], values["企业"]]))
    return Recipient(salutation=f"{member.name}同志：", values=values, label=label)


def recipients(letter: LetterTemplate, candidates) -> list[Recipient]:
    make = owner_recipient if letter.audience == LetterTemplate.Audience.OWNERS else member_recipient
    return [make(obj) for obj in candidates]


def used_fields(body: str) -> list[str]:
    return list(dict.fromkeys(MERGE_FIELD.findall(body or "")))


def compose(letter: LetterTemplate, to: list[Recipient]) -> list[Letter]:
    """One letter per recipient: the merged text as paragraphs (one per non-empty line), plain text."""
    fields = used_fields(letter.body)
    letters = []
    for recipient in to:
        text = letter.render(recipient.values)
        paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
        missing = [f for f in fields if f in recipient.values and not recipient.values[f]]
        letters.append(Letter(recipient=recipient, paragraphs=paragraphs, missing=missing))
    return letters
