"""The study sessions in Django's admin, for the rare correction the pages do not offer (a session recorded twice
is deleted here). Everyday recording goes through the study pages, which check scope."""

from django.contrib import admin

from .models import StudyParticipation, StudySession


class ParticipationInline(admin.TabularInline):
    model = StudyParticipation
    raw_id_fields = ["member"]
    extra = 0


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = ["held_on", "organization", "kind", "topic", "hours"]
    list_filter = ["kind", "organization__building"]
    search_fields = ["topic", "led_by", "materials"]
    date_hierarchy = "held_on"
    raw_id_fields = ["organization", "created_by"]
    inlines = [ParticipationInline]
