"""Reads that several pages share."""

from .models import Heartbeat


def last_heartbeat(name: str = "worker"):
    return Heartbeat.objects.filter(name=name).first()


# --- members counted under an organisation ----------------------------------------------------------------------
# Who counts as a 党员 is the members app's rule (``Member.objects.in_party``, a floor above this one): it hands
# its condition over at start-up, as a Q over ``PartyOrganization``'s reverse relation ``members``, so the
# organisation pages count with the very same definition as every other page.
_in_party_q = None


def count_members_with(q_factory) -> None:
    """Set the condition for 党员 (``q_factory(prefix)`` → Q); called once by the members app."""
    global _in_party_q
    _in_party_q = q_factory


def member_counts_by_organization(organizations) -> dict[int, int]:
    """{organisation id: 党员 in it and everything below it} for the given organisations, in one query."""
    from django.db.models import Count

    from .models import PartyOrganization

    organizations = list(organizations)
    if not organizations:
        return {}
    condition = _in_party_q("members__")
    building_ids = {o.building_id for o in organizations}
    rows = (
        PartyOrganization.objects.filter(building_id__in=building_ids)
        .annotate(n=Count("members", filter=condition))
        .values_list("pk", "parent_id", "n")
    )
    direct, parent_of = {}, {}
    for pk, parent_id, n in rows:
        direct[pk], parent_of[pk] = n, parent_id
    totals = dict.fromkeys(direct, 0)
    for pk, n in direct.items():
        node = pk
        while node is not None:  # add to itself and every organisation above (at most three levels)
            totals[node] += n
            node = parent_of.get(node)
    return {o.pk: totals.get(o.pk, 0) for o in organizations}


def money_history(instance) -> list:
    """Every recorded change of one money row (a fund entry, a dues payment), oldest first, with who did it. Each
    record's ``changed`` lists (field label, old, new) for the page."""
    from .models import AuditRecord

    records = list(
        AuditRecord.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
        .select_related("actor")
        .order_by("at", "pk")
    )
    fields = {field.name: field for field in instance._meta.get_fields() if hasattr(field, "verbose_name")}
    for record in records:
        record.changed = []
        for name, (before, after) in record.changes.items():
            field = fields.get(name)
            label = field.verbose_name if field is not None else name
            if field is not None and field.choices:
                choices = {str(key): text for key, text in field.flatchoices}
                before, after = choices.get(str(before), before), choices.get(str(after), after)
            record.changed.append((label, before, after))
    return records
