"""Meeting photos: uploaded by the meeting's officers (images only, at most 5 MB), served only to those who can see
the meeting."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import uploads
from activities.meetings import services
from activities.meetings.models import MeetingPhoto
from activities.meetings.tests.test_meetings_views import members_a as members_a  # fixtures
from activities.meetings.tests.test_meetings_views import messages_of, plan, url
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


def image(name="会场.jpg", content=JPEG, content_type="image/jpeg", size=None):
    if size is not None:
        content = content + b"\x00" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def meeting_a(branch_a, members_a):
    return plan(branch_a, starts_in=-datetime.timedelta(hours=1))


@pytest.fixture
def photo_a(meeting_a, secretary_a):
    return services.photo_add(meeting=meeting_a, image=image(), by=secretary_a, caption="会议现场")


def test_the_secretary_uploads_photos_of_a_meeting(secretary_a_client, secretary_a, meeting_a):
    response = secretary_a_client.post(
        url("photo_upload", meeting_a.pk),
        {
            "photos": [image(), image("合影.png", PNG, "image/png"), image("板报.webp", WEBP, "image/webp")],
            "caption": "主题党日",
        },
        follow=True,
    )
    assert messages_of(response) == ["已上传 3 张照片。"]
    photos = list(meeting_a.photos.all())
    assert len(photos) == 3 and {p.uploaded_by for p in photos} == {secretary_a}
    assert all(p.caption == "主题党日" for p in photos)
    assert not any("会场" in p.image.name for p in photos)  # stored under a random name
    assert url("photo", photos[0].pk) in response.content.decode()


@pytest.mark.parametrize(
    "upload",
    [
        image("文件.pdf", PDF, "application/pdf"),
        image("伪装.jpg", PDF, "image/jpeg"),
        image("会场.jpg", JPEG, "application/octet-stream"),
        image("会场.gif", b"GIF89a" + b"\x00" * 16, "image/gif"),
        image(size=uploads.MAX_PHOTO_SIZE + 1),
    ],
    ids=["pdf", "pdf-named-jpg", "wrong-type-sent", "gif", "too-big"],
)
def test_only_photos_of_at_most_5_mb_are_taken(secretary_a_client, meeting_a, upload):
    response = secretary_a_client.post(url("photo_upload", meeting_a.pk), {"photos": [upload]}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    assert not MeetingPhoto.objects.exists()


def test_a_photo_of_exactly_5_mb_is_taken(secretary_a_client, meeting_a):
    secretary_a_client.post(url("photo_upload", meeting_a.pk), {"photos": [image(size=uploads.MAX_PHOTO_SIZE)]})
    assert MeetingPhoto.objects.count() == 1


def test_members_and_street_viewers_cannot_upload(login_as, member_user, street_user, meeting_a):
    for user in (member_user, street_user):
        response = login_as(user).post(url("photo_upload", meeting_a.pk), {"photos": [image()]})
        assert response.status_code == 403
    assert not MeetingPhoto.objects.exists()


def test_another_branchs_secretary_cannot_upload(login_as, secretary_b, meeting_a):
    assert login_as(secretary_b).post(url("photo_upload", meeting_a.pk), {"photos": [image()]}).status_code == 404


def test_a_photo_is_served_to_those_who_see_the_meeting(
    login_as, secretary_a, member_user, admin_user, street_user, photo_a
):
    for user in (secretary_a, member_user, admin_user, street_user):
        response = login_as(user).get(url("photo", photo_a.pk))
        assert response.status_code == 200, user.username
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_a_photo_is_not_found_outside_the_meetings_scope(login_as, secretary_b, outsider, liaison_user, photo_a):
    for user in (secretary_b, outsider, liaison_user):
        assert login_as(user).get(url("photo", photo_a.pk)).status_code == 404, user.username


def test_a_member_not_expected_at_the_meeting_cannot_see_its_photos(login_as, branch_a, group_a, secretary_a):
    from tests.factories import UserFactory

    in_group = UserFactory(username="group_member", role="member", building=branch_a.building)
    MemberFactory(organization=group_a, user=in_group)
    outside_group = UserFactory(username="branch_only", role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, user=outside_group)
    group_meeting = plan(group_a, kind="group", starts_in=-datetime.timedelta(hours=1))
    photo = services.photo_add(meeting=group_meeting, image=image(), by=secretary_a)
    assert login_as(in_group).get(url("photo", photo.pk)).status_code == 200
    assert login_as(outside_group).get(url("photo", photo.pk)).status_code == 404


def test_anonymous_visitors_get_no_photo(client, photo_a):
    assert client.get(url("photo", photo_a.pk)).status_code == 302


def test_a_cancelled_meeting_takes_no_photos(secretary_a_client, branch_a, members_a):
    meeting = plan(branch_a)
    services.meeting_cancel(meeting=meeting, by=None, reason="改期")
    response = secretary_a_client.post(url("photo_upload", meeting.pk), {"photos": [image()]}, follow=True)
    assert messages_of(response) == ["已取消的会议不能上传照片。"]
    assert not MeetingPhoto.objects.exists()
