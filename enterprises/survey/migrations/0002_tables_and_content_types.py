"""The survey's tables are renamed in place (enterprises_survey*, enterprises_followup → survey_*), and their
content types (with the permissions that hang on them) move from the enterprises app to survey. Foreign keys
into the tables (visits → campaign, leads and follow-ups → visit, members' source_lead → lead) follow the
rename. No row is copied, none can be lost."""

from django.db import migrations

from buildingparty.moves import move_content_types

MODELS = ["surveycampaign", "surveyvisit", "followup", "surveylead"]


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0001_initial"),
        ("enterprises", "0004_move_survey"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *(migrations.AlterModelTable(name=model, table=None) for model in MODELS),
        migrations.RunPython(
            move_content_types(MODELS, "enterprises", "survey"), move_content_types(MODELS, "survey", "enterprises")
        ),
    ]
