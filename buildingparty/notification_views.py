"""The bell's pages: each user's own notifications, marking them read, and the switch for their emails."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import Notification

PAGE_SIZE = 20


def notification_list(request):
    """The signed-in user's notifications, newest first; unread ones stand out."""
    notifications = Notification.objects.filter(user=request.user).only(
        "pk", "user_id", "title", "body", "url", "created_at", "read_at"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "buildingparty/notifications.html", {"page": page})


@require_POST
def notification_read(request, pk):
    """Mark one of one's own notifications read and go where it points (someone else's is a 404)."""
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    target = note.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("notification_list")
    return redirect(target)


@require_POST
def notification_read_all(request):
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notification_list")


class NotificationSettingsForm(forms.Form):
    email_notifications = forms.BooleanField(
        label=gettext_lazy("Also send my notifications by email"),
        required=False,
        help_text=gettext_lazy("They always appear under the bell."),
    )


def notification_settings(request):
    user = request.user
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            user.email_notifications = form.cleaned_data["email_notifications"]
            user.save(update_fields=["email_notifications"])
            if user.email_notifications:
                messages.success(request, _("Notifications will be emailed to you."))
            else:
                messages.success(request, _("Notifications will no longer be emailed to you."))
            return redirect("notification_settings")
    else:
        form = NotificationSettingsForm(initial={"email_notifications": user.email_notifications})
    return render(request, "buildingparty/notification_settings.html", {"form": form})
