from django.contrib import admin

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
