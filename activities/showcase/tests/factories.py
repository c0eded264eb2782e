"""Factories and helpers for 党员亮相 tests."""

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from activities.showcase.demo import portrait_png
from activities.showcase.models import ShowcaseProfile
from tests.factories import MemberFactory

PNG = portrait_png(0)  # a real picture: the browser journeys draw it
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32


class ShowcaseProfileFactory(factory.django.DjangoModelFactory):
    """A card with consent given online; ``photo=True`` stores a small PNG."""

    class Meta:
        model = ShowcaseProfile
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory, shows_membership=True, showcase_post="党员先锋岗")
    pledge = "立足岗位作表率"
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_method = ShowcaseProfile.Method.ONLINE

    @factory.post_generation
    def photo(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.photo.save("photo.png", ContentFile(PNG))


def on_board(organization, **member_fields) -> ShowcaseProfile:
    """A member of ``organization`` who shows membership and consented, with a photo."""
    member = MemberFactory(organization=organization, shows_membership=True, **member_fields)
    return ShowcaseProfileFactory(member=member, photo=True)
