from django.urls import path

from .views import checkin, compliance, meetings, register

app_name = "meetings"

urlpatterns = [
    # meetings, attendance, leave, photos, the printable record (views/meetings.py)
    path("", meetings.meeting_list, name="list"),
    path("mine/", meetings.my_meetings, name="mine"),
    path("new/", meetings.meeting_create, name="create"),
    path("<int:pk>/", meetings.meeting_detail, name="detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="edit"),
    path("<int:pk>/held/", meetings.meeting_hold, name="hold"),
    path("<int:pk>/cancel/", meetings.meeting_cancel, name="cancel"),
    path("<int:pk>/attendance/", meetings.attendance_record, name="attendance"),
    path("<int:pk>/leave/", meetings.leave_request, name="leave_request"),
    path("attendance/<int:pk>/leave/", meetings.leave_decide, name="leave_decide"),
    path("<int:pk>/photos/", meetings.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", meetings.photo_file, name="photo"),
    path("<int:pk>/record/", meetings.meeting_record, name="record"),
    # QR check-in (views/checkin.py)
    path("<int:pk>/qr/", checkin.checkin_qr, name="checkin_qr"),
    path("<int:pk>/qr.svg", checkin.checkin_qr_image, name="checkin_qr_image"),
    path("checkin/<str:token>/", checkin.checkin, name="checkin"),
    # the 组织生活台账 download (views/register.py)
    path("export/", register.meeting_export, name="export"),
    # compliance (views/compliance.py)
    path("compliance/", compliance.compliance, name="compliance"),
    path("settings/", compliance.compliance_settings, name="settings"),
]
