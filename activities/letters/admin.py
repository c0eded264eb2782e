from django.contrib import admin

from .models import LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "audience", "building", "updated_at", "updated_by"]
    list_filter = ["audience", "building"]
    search_fields = ["title", "body"]
    list_select_related = ["building", "updated_by"]
    readonly_fields = ["updated_by", "updated_at"]
