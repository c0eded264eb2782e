"""The duty teams in Django's admin, for the rare correction the pages do not offer. Rosters are kept on the duty
pages (/activities/duty/), whose services check leave, shifts at the same time and the weekly limit; an admin form
editing an assignment directly would bypass them, so assignments are shown, not edited, here."""

from django.contrib import admin

from .models import DutyTeam, MediationCase, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ["member", "enterprise"]
    extra = 0


@admin.register(DutyTeam)
class DutyTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "building", "weekly_limit"]
    list_filter = ["kind", "building"]
    search_fields = ["name"]
    raw_id_fields = ["building", "leader"]
    inlines = [TeamMemberInline]


@admin.register(MediationCase)
class MediationCaseAdmin(admin.ModelAdmin):
    list_display = ["held_on", "team", "outcome"]
    list_filter = ["outcome", "team__building"]
    raw_id_fields = ["team", "shift", "log", "recorded_by"]
    date_hierarchy = "held_on"
