from django.contrib import admin

from .models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "category", "status", "organization", "enterprise", "is_mobile"]
    list_filter = ["category", "status", "is_mobile", "organization"]
    search_fields = ["name", "phone"]
    list_select_related = ["organization", "enterprise"]
    raw_id_fields = ["user", "enterprise"]
