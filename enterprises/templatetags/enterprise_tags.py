from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from .. import selectors
from ..models import Enterprise

register = template.Library()

CHOICE_FIELDS = {f.name: dict(f.choices) for f in Enterprise._meta.concrete_fields if f.choices}


@register.filter
def readable_changes(entry):
    """An enterprise history entry's changes as (label, old, new), with choice labels.

    Related rows (liaison, party organisation) and dates were stored as text by the services already.
    """
    rows = []
    for name, pair in (entry.changes or {}).items():
        try:
            label = capfirst(Enterprise._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a field since removed: show its name
            label = name
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if name in CHOICE_FIELDS:
            old, new = CHOICE_FIELDS[name].get(old, old), CHOICE_FIELDS[name].get(new, new)
        elif isinstance(old, list) or isinstance(new, list):  # several values, e.g. contacts
            old, new = ("、".join(map(str, v)) if isinstance(v, list) else v for v in (old, new))
        rows.append((label, old, new))
    return rows


ATTITUDE_CLASSES = {
    Enterprise.Attitude.SUPPORTIVE: "text-bg-success",
    Enterprise.Attitude.NEUTRAL: "text-bg-secondary",
    Enterprise.Attitude.RESERVED: "text-bg-warning",
    Enterprise.Attitude.OPPOSED: "text-bg-danger",
}
COVERAGE_CLASSES = {
    Enterprise.PartyOrgStatus.OWN_BRANCH: "text-bg-success",
    Enterprise.PartyOrgStatus.JOINT_BRANCH: "text-bg-primary",
}


@register.filter
def attitude_class(value) -> str:
    return ATTITUDE_CLASSES.get(value, "text-bg-light border")


@register.filter
def coverage_class(value) -> str:
    return COVERAGE_CLASSES.get(value, "text-bg-light border")


@register.filter
def coverage_flags(enterprise) -> list[str]:
    """The coverage rules an enterprise annotated by ``with_member_counts`` breaks: ``should_form_branch``,
    ``members_without_organization``."""
    facts = {"status": enterprise.status, "party_org_status": enterprise.party_org_status}
    flags = []
    if selectors.should_form_branch(**facts, full_members=enterprise.member_full):
        flags.append("should_form_branch")
    if selectors.members_without_organization(
        **facts, members=enterprise.member_total, members_in_building=enterprise.member_in_building
    ):
        flags.append("members_without_organization")
    return flags
