"""Points' tables are renamed in place (members_point* → points_point*), their content types (with the
permissions that hang on them) move from the members app to points, and automatic entries credited for a dues
bill name it by its new label ("members.duesbill:42" → "dues.duesbill:42"), so the nightly crediting still
finds them and never credits a bill twice. No row is copied, none can be lost."""

from django.db import migrations

from buildingparty.moves import move_content_types
from django.db.models import Value
from django.db.models.functions import Concat, Substr

MODELS = ["pointrule", "pointyear", "pointentry"]


def relabel_sources(old, new):
    def relabel(apps, schema_editor):
        PointEntry = apps.get_model("points", "PointEntry")
        PointEntry.objects.using(schema_editor.connection.alias).filter(source__startswith=old).update(
            source=Concat(Value(new), Substr("source", len(old) + 1))
        )

    return relabel


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_initial"),
        ("members", "0006_move_dues_and_points"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *(migrations.AlterModelTable(name=model, table=None) for model in MODELS),
        migrations.RunPython(move_content_types(MODELS, "members", "points"), move_content_types(MODELS, "points", "members")),
        migrations.RunPython(
            relabel_sources("members.duesbill:", "dues.duesbill:"), relabel_sources("dues.duesbill:", "members.duesbill:")
        ),
    ]
