"""Dues' tables are renamed in place (members_dues* → dues_dues*), and their content types (with the
permissions that hang on them) move from the members app to dues. No row is copied, none can be lost."""

from django.db import migrations

from buildingparty.moves import move_content_types

MODELS = ["duesstandard", "duesbill", "duespayment", "duesallocation"]


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0001_initial"),
        ("members", "0006_move_dues_and_points"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *(migrations.AlterModelTable(name=model, table=None) for model in MODELS),
        migrations.RunPython(move_content_types(MODELS, "members", "dues"), move_content_types(MODELS, "dues", "members")),
    ]
