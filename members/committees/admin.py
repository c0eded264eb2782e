"""Terms in the Django admin, to read: each with its posts.

Nothing is changed here. An election ends the current term and its posts and computes the end date
(``members.committees.services.term_elect``); a post changes through ``seat_add`` / ``seat_end``, which check who
may hold it and record who did it. An admin form writing rows directly would bypass all of that, so the pages
for recording elections are /members/committees/.
"""

from django.contrib import admin

from .models import CommitteeSeat, CommitteeTerm


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommitteeSeatInline(ReadOnlyMixin, admin.TabularInline):
    model = CommitteeSeat
    fields = ["post", "member", "since", "until", "end_note", "created_by", "ended_by"]
    readonly_fields = fields
    extra = 0


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["organization", "elected_on", "term_years", "ends_on", "ended_on", "is_committee"]
    list_filter = ["organization__building", "is_committee"]
    list_select_related = ["organization"]
    search_fields = ["organization__name"]
    date_hierarchy = "elected_on"
    inlines = [CommitteeSeatInline]
    readonly_fields = [
        "organization",
        "is_committee",
        "elected_on",
        "term_years",
        "ends_on",
        "ended_on",
        "note",
        "created_by",
        "created_at",
    ]
