"""Notification texts were stored HTML-escaped by templates rendered with autoescaping (the bell then showed
``&lt;…&amp;``). They are plain text now, escaped once at display: unescape the rows written escaped.

The events listed in ``PLAIN_ALREADY`` had ``{% autoescape off %}`` in their templates and were stored plain; they
are left alone. Only rows holding an ``&`` can have been changed by escaping."""

import html

from django.db import migrations

PLAIN_ALREADY = {
    "duty_reminder", "duty_swap_approved", "duty_swap_refused", "duty_swap_requested", "meeting_cancelled",
    "meeting_leave_approved", "meeting_leave_refused", "meeting_leave_requested", "meeting_leave_waiting",
    "meeting_reminder", "showcase_consent_recorded", "showcase_withdrawn", "showcase_withdrawn_member",
    "visit_follow_up_due", "visit_follow_up_overdue", "volunteering_cancelled", "volunteering_changed",
    "volunteering_promoted", "volunteering_reminder", "volunteering_suggested",
}  # fmt: skip


def unescape_texts(apps, schema_editor):
    Notification = apps.get_model("buildingparty", "Notification")
    rows = Notification.objects.exclude(event__in=PLAIN_ALREADY).filter(title__contains="&") | (
        Notification.objects.exclude(event__in=PLAIN_ALREADY).filter(body__contains="&")
    )
    for note in rows.only("pk", "title", "body").iterator(chunk_size=500):
        title, body = html.unescape(note.title), html.unescape(note.body)
        if (title, body) != (note.title, note.body):
            Notification.objects.filter(pk=note.pk).update(title=title, body=body)


class Migration(migrations.Migration):
    dependencies = [("buildingparty", "0009_guards_email_failures")]

    operations = [migrations.RunPython(unescape_texts, migrations.RunPython.noop)]
