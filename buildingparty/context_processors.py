"""What each role finds in the navigation bar. Pages a role cannot use are not offered to it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

READERS = frozenset({Role.ADMIN, Role.SECRETARY, Role.STREET})
MEMBER = frozenset({Role.MEMBER})
OFFICERS = frozenset({Role.ADMIN, Role.SECRETARY})


@dataclass(frozen=True)
class Item:
    label: str
    name: str  # URL name
    icon: str
    roles: frozenset | None  # None: everybody signed in
    operator: bool = False  # also offered to the platform operator (a superuser), whatever the role


@dataclass(frozen=True)
class Group:
    label: str
    icon: str
    items: tuple


NAV = [
    Item(_("Home"), "home", "house", None),
    Group(
        _("Members"),
        "people",
        (
            Item(_("Member register"), "members:list", "people", READERS),
            Item(_("Transfers"), "members:transfer_list", "envelope-paper", READERS),
            Item(_("Proposed changes"), "members:proposals", "pencil-square", frozenset({Role.ADMIN, Role.SECRETARY})),
            Item(_("Incoming mobile members"), "members:incoming_list", "person-walking", READERS),
        ),
    ),
    Item(_("My record"), "members:mine", "person-vcard", frozenset({Role.MEMBER})),
    Group(
        _("Dues and points"),
        "wallet2",
        (
            Item(_("Dues collection"), "dues:month", "wallet2", READERS),
            Item(_("Dues arrears"), "dues:arrears", "exclamation-diamond", READERS),
            Item(_("Dues standards"), "dues:standards", "calculator", READERS),
            Item(_("Dues reports"), "dues:ledger", "journal-text", READERS),
            Item(_("My dues"), "dues:mine", "wallet2", MEMBER),
            Item(_("Declare my dues base"), "dues:declare", "calculator", MEMBER),
            Item(_("My points"), "points:mine", "star", MEMBER),
            Item(_("Points leaderboard"), "points:board", "trophy", READERS | MEMBER),
            Item(_("Points claims"), "points:claims", "check2-square", frozenset({Role.ADMIN, Role.SECRETARY})),
            Item(_("Point rules"), "points:rules", "sliders", frozenset({Role.ADMIN})),
        ),
    ),
    Group(
        _("Organisational life"),
        "calendar-event",
        (
            Item(_("Meetings (三会一课)"), "meetings:list", "calendar-event", READERS),
            Item(_("My meetings"), "meetings:mine", "calendar-check", MEMBER),
            Item(_("Compliance of organisational life"), "meetings:compliance", "grid-3x3", READERS),
            Item(_("Study sessions"), "study:session_list", "book-half", READERS),
            Item(_("Members' study hours"), "study:hours", "hourglass-split", READERS),
            Item(_("My study hours"), "study:mine", "hourglass-split", MEMBER),
            Item(_("Democratic appraisal"), "appraisal:list", "clipboard2-check", READERS),
            Item(_("My democratic appraisal"), "appraisal:mine", "clipboard2-check", MEMBER),
            Item(_("Committees and terms"), "committees:list", "people-fill", READERS | MEMBER),
            Item(_("Terms falling due"), "committees:due", "hourglass-bottom", frozenset({Role.ADMIN, Role.STREET})),
            Item(_("Organisational life settings"), "meetings:settings", "sliders", frozenset({Role.ADMIN})),
        ),
    ),
    Group(
        _("Teams and places"),
        "megaphone",
        (
            Item(_("Bulletin board"), "notices:board", "megaphone", None),
            Item(_("Volunteer activities"), "volunteering:list", "heart", READERS | MEMBER),
            Item(_("My volunteer service"), "volunteering:mine", "heart", MEMBER),
            Item(_("Duty teams"), "duty:teams", "shield-check", READERS | MEMBER),
            Item(_("The week's duty roster"), "duty:building_roster", "calendar-week", READERS),
            Item(_("My duty"), "duty:mine", "shield-check", MEMBER),
            Item(_("Home visits"), "visits:list", "house-heart", OFFICERS),
            Item(_("Hardship register"), "visits:hardship", "heart-pulse", OFFICERS),
            Item(_("Home visits: counts"), "visits:summary", "bar-chart", frozenset({Role.STREET})),
            Item(_("Activity rooms"), "rooms:week", "door-open", READERS),
            Item(_("Members on show"), "showcase:index", "person-badge", None),
            Item(_("My card on show"), "showcase:mine", "person-badge", MEMBER),
            Item(_("Consent and cards"), "showcase:manage", "list-check", OFFICERS),
        ),
    ),
    Group(
        _("Enterprises"),
        "buildings",
        (
            Item(_("Enterprise registry"), "enterprises:list", "buildings", READERS | {Role.LIAISON}),
            Item(_("Party coverage"), "enterprises:coverage", "pie-chart", READERS),
            Item(_("Building survey"), "survey:campaign_list", "clipboard-check", READERS | {Role.LIAISON}),
            Item(
                _("Survey leads"),
                "survey:lead_list",
                "person-exclamation",
                frozenset({Role.ADMIN, Role.SECRETARY, Role.LIAISON}),
            ),
        ),
    ),
    Item(_("My enterprise"), "enterprises:mine", "building", frozenset({Role.CONTACT})),
    Group(
        _("Services"),
        "life-preserver",
        (
            Item(_("Service requests"), "services:list", "inbox", frozenset(Role)),
            Item(_("Reception point"), "services:reception_list", "door-open", frozenset({Role.ADMIN, Role.SECRETARY})),
            Item(_("Study materials"), "services:material_list", "book", frozenset(Role) - {Role.STREET}),
            Item(_("Service statistics"), "services:statistics", "bar-chart", READERS),
        ),
    ),
    Group(
        _("General branch"),
        "flag",
        (
            Item(_("Organisations"), "organization_list", "diagram-3", READERS),
            Item(_("Funding ledger"), "funds:list", "cash-coin", READERS),
            Item(_("Letters"), "letters:list", "envelope", frozenset({Role.ADMIN, Role.SECRETARY})),
            Item(_("Audit log"), "audit_list", "shield-check", frozenset({Role.ADMIN})),
            Item(_("Scheduled jobs"), "job_list", "clock-history", frozenset({Role.ADMIN}), operator=True),
        ),
    ),
]


def _visible(item: Item, user) -> bool:
    return item.roles is None or user.role in item.roles or (item.operator and user.is_superuser)


def navigation(request):
    """``nav_items``: entries for the bar (an item, or a group with ``children``); ``nav_names``: the URL names
    offered, flat. The active entry is the one whose URL is the longest prefix of the current path."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_names": []}
    entries = []
    for entry in NAV:
        if isinstance(entry, Group):
            children = [_entry(i) for i in entry.items if _visible(i, user)]
            if len(children) == 1:
                entries.append(children[0])
            elif children:
                entries.append(
                    {
                        "label": entry.label,
                        "icon": entry.icon,
                        "children": children,
                        "active": False,
                        "name": f"group:{entry.icon}",
                    }
                )
        elif _visible(entry, user):
            entries.append(_entry(entry))
    flat = [c for e in entries for c in e.get("children", [e])]
    path = request.path
    matches = [c for c in flat if path == c["url"] or (c["name"] != "home" and path.startswith(c["url"]))]
    if matches:
        best = max(matches, key=lambda c: len(c["url"]))
        best["active"] = True
        for e in entries:
            if best in e.get("children", []):
                e["active"] = True
    return {"nav_items": entries, "nav_names": [c["name"] for c in flat], "show_admin_site": user.is_staff}


def _entry(item: Item) -> dict:
    return {"label": item.label, "url": reverse(item.name), "icon": item.icon, "name": item.name, "active": False}


def notification_count(request):
    """``unread_notifications``: how many unread notifications the signed-in user has (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .notifications import unread_count

    return {"unread_notifications": unread_count(user)}
