from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import import_views, job_views, notification_views, two_factor_views, views

admin.site.site_header = "BuildingParty"
admin.site.site_title = "BuildingParty"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("audit/", views.audit_list, name="audit_list"),
    path("jobs/", job_views.job_list, name="job_list"),
    path("jobs/<str:name>/", job_views.job_detail, name="job_detail"),
    path("jobs/<str:name>/run/", job_views.job_run_now, name="job_run_now"),
    # imp: the import runs of large register imports (issue 14)
    path("imports/", import_views.import_run_list, name="import_run_list"),
    path("imports/<int:pk>/", import_views.import_run_detail, name="import_run_detail"),
    path("imports/<int:pk>/progress/", import_views.import_run_progress, name="import_run_progress"),
    # otp: two-factor sign-in (before Django's accounts/ URLs, which have none of these paths)
    path("accounts/two-factor/", two_factor_views.two_factor_account, name="two_factor_account"),
    path("accounts/two-factor/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", two_factor_views.two_factor_enrol, name="two_factor_enrol"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("members/dues/", include("members.dues.urls")),
    path("members/points/", include("members.points.urls")),
    path("members/committees/", include("members.committees.urls")),
    path("members/", include("members.urls")),
    path("enterprises/", include("enterprises.survey.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("activities/letters/", include("activities.letters.urls")),
    path("activities/funds/", include("activities.funds.urls")),
    path("activities/meetings/", include("activities.meetings.urls")),
    path("activities/appraisal/", include("activities.appraisal.urls")),
    path("activities/study/", include("activities.study.urls")),
    path("activities/duty/", include("activities.duty.urls")),
    path("activities/notices/", include("activities.notices.urls")),
    path("activities/visits/", include("activities.visits.urls")),
    path("activities/showcase/", include("activities.showcase.urls")),
    path("activities/rooms/", include("activities.rooms.urls")),
    path("activities/volunteering/", include("activities.volunteering.urls")),
    path("services/", include("services.urls")),
    path("admin/", admin.site.urls),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/read-all/", notification_views.notification_read_all, name="notification_read_all"),
    path("notifications/settings/", notification_views.notification_settings, name="notification_settings"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
]
