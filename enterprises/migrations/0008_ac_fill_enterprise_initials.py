"""Every enterprise gets the pinyin initials of its name, so pickers find 慈溪星火科技 by typing cxxh."""

from django.db import migrations
from pypinyin import Style, lazy_pinyin


def initials(name):
    # Frozen here as buildingparty.autocomplete.name_initials is today.
    return "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore")).lower()[:20]


def fill(apps, schema_editor):
    Enterprise = apps.get_model("enterprises", "Enterprise")
    batch = []
    for enterprise in Enterprise.objects.only("pk", "name").order_by("pk").iterator(chunk_size=2000):
        enterprise.name_initials = initials(enterprise.name)
        batch.append(enterprise)
        if len(batch) == 1000:
            Enterprise.objects.bulk_update(batch, ["name_initials"])
            batch = []
    Enterprise.objects.bulk_update(batch, ["name_initials"])


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0007_ac_enterprise_name_initials"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
