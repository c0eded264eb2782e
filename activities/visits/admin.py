"""Home visits and the hardship register in Django's admin, for the rare correction the pages do not offer (a
visit recorded twice is deleted here). Everyday recording goes through the visit pages, which check scope and keep
the member register's hardship flag in step: a hardship record changed here does not."""

from django.contrib import admin

from .models import Assistance, HardshipRecord, HomeVisit


@admin.register(HomeVisit)
class HomeVisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "organization", "kind", "whom", "member", "enterprise", "follow_up_on"]
    list_filter = ["kind", "whom", "organization__building"]
    search_fields = ["member__name", "enterprise__name", "visitors"]
    date_hierarchy = "visited_on"
    raw_id_fields = ["organization", "member", "enterprise", "recorded_by", "follow_up_done_by"]


@admin.register(HardshipRecord)
class HardshipRecordAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "since", "status", "resolved_on"]
    list_filter = ["status", "kind", "member__organization__building"]
    search_fields = ["member__name", "description"]
    raw_id_fields = ["member", "opened_by", "closed_by"]


@admin.register(Assistance)
class AssistanceAdmin(admin.ModelAdmin):
    list_display = ["given_on", "member", "what", "amount", "source"]
    list_filter = ["source", "member__organization__building"]
    search_fields = ["member__name", "what", "source_name"]
    date_hierarchy = "given_on"
    raw_id_fields = ["member", "recorded_by"]
