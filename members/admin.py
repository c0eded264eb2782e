from django.contrib import admin

from .models import ChangeProposal, JobCategory, Member, MemberChange, MobilePeriod, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by the services and never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "category", "status", "organization", "enterprise", "is_mobile"]
    list_filter = ["category", "status", "is_mobile", "organization"]
    search_fields = ["name", "name_initials", "phone"]
    list_select_related = ["organization", "enterprise"]
    raw_id_fields = ["user", "enterprise"]
    # The ID number only masked here: the full number is shown through the app's audited 「显示」 (issue 14).
    exclude = ["id_number"]
    readonly_fields = ["masked_id_number"]

    def has_add_permission(self, request):
        return False  # members are added through the register's form or import, which write their history

    def has_delete_permission(self, request, obj=None):
        return False  # records are closed, never deleted


@admin.register(JobCategory)
class JobCategoryAdmin(admin.ModelAdmin):
    """工作岗位: the 党内统计 categories as data. A category in use is switched off, never deleted."""

    list_display = ["code", "name", "is_active", "order"]
    list_editable = ["name", "is_active", "order"]
    list_display_links = ["code"]
    ordering = ["order", "code"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.members.exists()


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["letter_number", "member", "direction", "from_name", "to_name", "issued_on", "status"]
    list_filter = ["direction", "status"]
    search_fields = ["letter_number", "member__name", "from_name", "to_name"]
    list_select_related = ["member"]
    raw_id_fields = ["member", "reissue_of"]


@admin.register(MobilePeriod)
class MobilePeriodAdmin(admin.ModelAdmin):
    list_display = ["member", "province", "city", "county", "since", "until", "card_number"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]


@admin.register(MemberChange)
class MemberChangeAdmin(ReadOnlyAdmin):
    list_display = ["member", "action", "changed_by", "changed_at", "note"]
    list_filter = ["action"]
    list_select_related = ["member", "changed_by"]


@admin.register(ChangeProposal)
class ChangeProposalAdmin(ReadOnlyAdmin):
    list_display = ["member", "status", "proposed_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["member", "decided_by"]
