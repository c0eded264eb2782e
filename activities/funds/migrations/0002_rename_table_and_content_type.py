# The second half of moving FundEntry from the activities app (see 0001): the table takes the funds app's name
# (activities_fundentry -> funds_fundentry, renamed in place, rows kept), and the content type follows the
# model, so its permissions (granted to users and groups) and admin history come along.

from django.db import migrations

from buildingparty.moves import move_content_types

MODELS = ["fundentry"]


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0001_initial'),
        ('activities', '0003_move_to_funds_and_letters'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='fundentry', table=None),
        migrations.RunPython(move_content_types(MODELS, "activities", "funds"), move_content_types(MODELS, "funds", "activities")),
    ]
