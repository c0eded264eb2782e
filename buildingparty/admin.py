from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditRecord, Building, Heartbeat, PartyOrganization, User


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "floors", "issuing_committee"]
    search_fields = ["name"]
    fields = [
        "name",
        "city",
        "address",
        "floors",
        "issuing_committee",
        "issuing_phone",
        "issuing_fax",
        "issuing_postcode",
    ]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "building", "founded_on"]
    list_filter = ["kind", "building"]
    search_fields = ["name"]
    list_select_related = ["parent", "building"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "name", "role", "organization", "building", "is_active", "last_login"]
    list_filter = ["role", "is_active", "building"]
    search_fields = ["username", "name", "phone", "email"]
    list_select_related = ["organization", "building"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            _("Role in the building"),
            {"fields": ("name", "phone", "role", "building", "organization", "email_notifications")},
        ),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Role in the building"), {"fields": ("name", "role", "building", "organization")}),
    )


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at", "count"]
    readonly_fields = ["name", "beat_at", "count"]


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "subject", "row_count", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
