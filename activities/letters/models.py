"""Outreach letters with merge fields (外联信函)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building
from buildingparty.scope import building_officers

MERGE_FIELD = re.compile(r"\{([^{}]+)\}")


class LetterTemplateQuerySet(models.QuerySet):
    def for_user(self, user):
        return building_officers(user, self)


class LetterTemplate(models.Model):
    """An outreach letter with merge fields, e.g. 《致中央大厦党员的一封信》."""

    class Audience(models.TextChoices):
        MEMBERS = "members", _("Party members")
        OWNERS = "owners", _("Enterprise owners")

    # The fields each audience can merge; {字段} in the body.
    FIELDS = {
        Audience.MEMBERS: ["姓名", "企业", "房间", "联络员", "联络员电话", "支部"],
        Audience.OWNERS: ["姓名", "企业", "房间", "联络员", "联络员电话"],
    }

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="letter_templates")
    audience = models.CharField(_("to"), max_length=10, choices=Audience.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), help_text=_("Merge fields in braces, e.g. {姓名}, {企业}, {房间}."))
    signature = models.CharField(_("signed"), max_length=100, default="中共慈溪中央大厦联合总支部委员会")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["audience", "title"]
        constraints = [models.UniqueConstraint(fields=["building", "title"], name="letter_title_unique")]

    def __str__(self):
        return self.title

    def clean(self):
        allowed = set(self.FIELDS.get(self.audience, []))
        unknown = sorted({m for m in MERGE_FIELD.findall(self.body or "")} - allowed)
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown merge fields: %(fields)s. Available: %(allowed)s.")
                    % {"fields": "、".join(unknown), "allowed": "、".join(self.FIELDS.get(self.audience, []))}
                }
            )

    def render(self, values: dict) -> str:
        """The body with each {field} replaced (values are plain text; the template escapes them)."""
        return MERGE_FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), self.body)
