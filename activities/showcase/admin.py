"""The 党员亮相 profiles in Django's admin, for the rare correction the pages do not offer. Consent is given and
withdrawn on the pages (the member's own, or her officer's), which record who did it and tell whoever must know."""

from django.contrib import admin

from .models import ShowcaseProfile


@admin.register(ShowcaseProfile)
class ShowcaseProfileAdmin(admin.ModelAdmin):
    list_display = ["member", "consent_given_at", "consent_method", "consent_withdrawn_at"]
    list_filter = ["consent_method", "member__organization__building"]
    search_fields = ["member__name", "pledge"]
    raw_id_fields = ["member", "consent_recorded_by", "consent_withdrawn_by"]
    readonly_fields = [
        "consent_given_at",
        "consent_method",
        "consent_recorded_by",
        "consent_withdrawn_at",
        "consent_withdrawn_by",
    ]
