"""What each role finds in the navigation bar. Pages a role cannot use are not offered to it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

# (label, url name, icon, roles)
NAV_ITEMS = [
    (_("Home"), "home", "house", None),
    (_("Organisations"), "organization_list", "diagram-3", {Role.ADMIN, Role.SECRETARY, Role.STREET}),
    (_("Members"), "members:list", "people", {Role.ADMIN, Role.SECRETARY, Role.STREET}),
    (_("Transfers"), "members:transfer_list", "envelope-paper", {Role.ADMIN, Role.SECRETARY, Role.STREET}),
    (_("My record"), "members:mine", "person-vcard", {Role.MEMBER}),
    (_("Enterprises"), "enterprises:list", "buildings", {Role.ADMIN, Role.SECRETARY, Role.STREET, Role.LIAISON}),
    (_("My enterprise"), "enterprises:mine", "building", {Role.CONTACT}),
    (_("Audit log"), "audit_list", "shield-check", {Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name, icon, roles in NAV_ITEMS:
        if roles is not None and user.role not in roles:
            continue
        url = reverse(name)
        active = path == url if name == "home" else path.startswith(url)
        items.append({"label": label, "url": url, "icon": icon, "active": active, "name": name})
    return {"nav_items": items, "show_admin_site": user.is_staff}
