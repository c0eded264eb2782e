from django.contrib import admin

from .models import FundEntry, LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "audience", "building", "updated_at", "updated_by"]
    list_filter = ["audience", "building"]
    search_fields = ["title", "body"]
    list_select_related = ["building", "updated_by"]
    readonly_fields = ["updated_by", "updated_at"]


@admin.register(FundEntry)
class FundEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "direction", "source", "purpose", "enterprise", "description", "amount", "building"]
    list_filter = ["direction", "source", "purpose", "building"]
    search_fields = ["description", "voucher_number", "approver", "enterprise__name"]
    date_hierarchy = "date"
    list_select_related = ["enterprise", "building"]
    autocomplete_fields = ["enterprise"]
    readonly_fields = ["recorded_by", "recorded_at"]
