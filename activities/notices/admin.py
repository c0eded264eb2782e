"""The bulletin board in Django's admin, for the rare correction the pages do not offer (a notice posted twice is
deleted here). Everyday writing goes through the board's pages, which check scope and sanitise the text."""

from django.contrib import admin

from .models import Notice, NoticeAttachment


class AttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    raw_id_fields = ["uploaded_by"]
    extra = 0


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "building", "audience", "pinned", "publish_at", "expires_at", "withdrawn_at"]
    list_filter = ["kind", "pinned", "building"]
    search_fields = ["title", "body"]
    date_hierarchy = "publish_at"
    raw_id_fields = ["building", "audience", "author", "withdrawn_by"]
    inlines = [AttachmentInline]
