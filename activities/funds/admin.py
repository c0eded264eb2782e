from django.contrib import admin

from . import services
from .models import FundEntry


@admin.register(FundEntry)
class FundEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "direction", "source", "purpose", "enterprise", "description", "amount", "building"]
    list_filter = ["direction", "source", "purpose", "building"]
    search_fields = ["description", "voucher_number", "approver", "enterprise__name"]
    date_hierarchy = "date"
    list_select_related = ["enterprise", "building"]
    autocomplete_fields = ["enterprise"]
    readonly_fields = ["recorded_by", "recorded_at"]

    # Money changed here is recorded like on the ledger's pages (issue 14, point 10).
    def save_model(self, request, obj, form, change):
        services.fund_entry_save(entry=obj, by=request.user, request=request)

    def delete_model(self, request, obj):
        services.fund_entry_delete(entry=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.fund_entry_delete(entry=entry, by=request.user, request=request)
