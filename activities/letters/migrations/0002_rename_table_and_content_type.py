# The second half of moving LetterTemplate from the activities app (see 0001): the table takes the letters app's name
# (activities_lettertemplate -> letters_lettertemplate, renamed in place, rows kept), and the content type follows the
# model, so its permissions (granted to users and groups) and admin history come along.

from django.db import migrations

from buildingparty.moves import move_content_types

MODELS = ["lettertemplate"]


class Migration(migrations.Migration):

    dependencies = [
        ('letters', '0001_initial'),
        ('activities', '0003_move_to_funds_and_letters'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='lettertemplate', table=None),
        migrations.RunPython(move_content_types(MODELS, "activities", "letters"), move_content_types(MODELS, "letters", "activities")),
    ]
