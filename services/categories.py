"""The service categories every building starts with (from the issue): what members and enterprises can ask
for, who handles it and in how many working days. Admins edit them afterwards in Django admin."""

from django.db import transaction

from buildingparty.models import Role, User

from .models import ServiceCategory

# Who may be a category's named handler: the building's own staff (guards: issue 14, point 7). Members, enterprise
# contacts, street viewers and anyone of another building may not: the handler sees every request of the category.
HANDLER_ROLES = (Role.ADMIN, Role.SECRETARY, Role.LIAISON)

Audience, Handler = ServiceCategory.Audience, ServiceCategory.Handler

# (code, name, audience, handler kind, working days, is_transfer). Names are the building's own wording, stored
# as data (an admin may rename them), so they are not translated.
_DEFAULTS = [
    ("transfer", "组织关系接转", Audience.MEMBERS, Handler.SECRETARY, 5, True),
    ("party-dues", "党费代交", Audience.MEMBERS, Handler.SECRETARY, 5, False),
    ("party-class", "党课教育", Audience.MEMBERS, Handler.ADMINS, 10, False),
    ("study-materials", "学习资料借阅", Audience.MEMBERS, Handler.ADMINS, 3, False),
    ("residence-permit", "暂住证办理", Audience.MEMBERS, Handler.ADMINS, 5, False),
    ("employment", "就业指导", Audience.MEMBERS, Handler.ADMINS, 10, False),
    ("housing", "租房联系", Audience.MEMBERS, Handler.ADMINS, 5, False),
    ("legal-advice", "法律咨询", Audience.MEMBERS, Handler.SECRETARY, 5, False),
    ("hardship", "困难帮扶", Audience.MEMBERS, Handler.SECRETARY, 5, False),
    ("member-other", "其他", Audience.MEMBERS, Handler.SECRETARY, 5, False),
    ("investment", "招商引资", Audience.ENTERPRISES, Handler.ADMINS, 10, False),
    ("investment-guide", "投资指南", Audience.ENTERPRISES, Handler.ADMINS, 5, False),
    ("school-enrolment", "子女入学", Audience.ENTERPRISES, Handler.ADMINS, 10, False),
    ("household-registration", "落户登记", Audience.ENTERPRISES, Handler.ADMINS, 10, False),
    ("policy-advice", "政策咨询", Audience.ENTERPRISES, Handler.ADMINS, 5, False),
    ("enterprise-other", "其他", Audience.ENTERPRISES, Handler.ADMINS, 5, False),
]


def default_categories() -> list[dict]:
    """The default categories as field values for ``ServiceCategory`` (without the building)."""
    return [
        {
            "code": code,
            "name": name,
            "audience": audience,
            "handler_kind": handler_kind,
            "limit_days": limit_days,
            "is_transfer": is_transfer,
            "order": order,
        }
        for order, (code, name, audience, handler_kind, limit_days, is_transfer) in enumerate(_DEFAULTS, start=1)
    ]


@transaction.atomic
def ensure_default_categories(building) -> int:
    """Create the default categories the building lacks (by code); returns how many it created.

    Safe to run twice: an existing category, even one an admin edited or switched off, is left alone."""
    existing = set(ServiceCategory.objects.filter(building=building).values_list("code", flat=True))
    missing = [ServiceCategory(building=building, **values) for values in default_categories()]
    missing = [category for category in missing if category.code not in existing]
    ServiceCategory.objects.bulk_create(missing, ignore_conflicts=True)  # another run may have just made one
    return len(missing)


def handler_candidates(building_id: int | None):
    """The users who may be named handler of a category of this building: its active admins, secretaries and
    liaisons (a short list: the building's staff, never every user)."""
    if building_id is None:
        return User.objects.none()
    staff = User.objects.filter(building_id=building_id, role__in=HANDLER_ROLES, is_active=True)
    return staff.select_related("organization").order_by("role", "name", "username")
