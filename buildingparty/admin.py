from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect
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
    actions = ["deactivate"]

    # A user on record (history, audit, money recorded) is deactivated, never deleted (User.history_counts and
    # the pre_delete guard in models.py); the admin says so before it would try.
    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for user in objs:
            counts = user.history_counts()
            if counts:
                protected = [*protected, on_record_message(user, counts)]
        return deleted, model_count, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is not None and request.method == "POST":
            counts = user.history_counts()
            if counts:
                self.message_user(request, on_record_message(user, counts), messages.ERROR)
                return redirect("admin:buildingparty_user_change", user.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description=_("Deactivate the selected users (they can no longer sign in; their records stay)"))
    def deactivate(self, request, queryset):
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(request, _("%(count)d users deactivated.") % {"count": count}, messages.SUCCESS)


def on_record_message(user, counts: dict[str, int]) -> str:
    return _(
        "%(user)s cannot be deleted: the account is named in %(rows)s. Deactivate it instead (untick "
        "“Active” on the user, or the “Deactivate” action in the list): the person can no longer sign in and "
        "every record keeps who did it."
    ) % {"user": user, "rows": ", ".join(f"{label} ({n})" for label, n in counts.items())}


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at", "count"]
    readonly_fields = ["name", "beat_at", "count"]


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "who", "subject", "row_count", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("who"), ordering="actor_name")
    def who(self, record):
        return record.actor_display or "—"

    def has_delete_permission(self, request, obj=None):
        return False
