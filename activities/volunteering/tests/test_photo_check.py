"""The activities' one photo check (activities.uploads.check_photo), now shared by meetings, volunteer activities
and the showcase: a volunteer activity's photos get the stricter check meetings had (the type the browser sent
must be a photo type too), and a drawing or page renamed as a photo is refused."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.uploads import PhotoForm, check_photo

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def photo(name="活动.png", content=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_real_photo_passes():
    assert check_photo(photo()) is not None


@pytest.mark.parametrize(
    ("file", "code"),
    [
        (photo(content=SVG), "file_content"),
        (photo("活动.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"), "file_content"),
        (photo(content_type="text/html"), "file_type"),
        (photo("活动.svg", SVG, "image/svg+xml"), "file_type"),
    ],
    ids=["svg-renamed-png", "html-renamed-jpg", "sent-as-html", "svg"],
)
def test_a_photo_that_is_not_one_is_refused(file, code):
    with pytest.raises(forms.ValidationError) as error:
        check_photo(file)
    assert error.value.code == code


def test_the_volunteering_and_meetings_forms_are_the_one_photo_form():
    from activities.meetings.views import meetings
    from activities.volunteering import views

    assert meetings.PhotoForm is views.PhotoForm is PhotoForm
    form = PhotoForm(data={}, files={"photos": [photo(content_type="text/html")]})
    assert not form.is_valid() and "photos" in form.errors
