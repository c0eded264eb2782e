from django.contrib import admin

from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "floor", "room", "status", "liaison"]
    list_filter = ["kind", "status", "floor"]
    search_fields = ["name", "credit_code", "room"]
    list_select_related = ["liaison"]
    filter_horizontal = ["contacts"]
