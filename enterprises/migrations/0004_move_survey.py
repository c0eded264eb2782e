"""The building survey leaves the enterprises app for its own app (survey): state only, the tables stay (survey
0002 renames them). After members 0007, which re-points the members' source_lead at survey.SurveyLead."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0003_alter_surveylead_options'),
        ('survey', '0001_initial'),
        ('members', '0007_source_lead_to_survey'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='surveycampaign',
                    name='building',
                ),
                migrations.RemoveField(
                    model_name='surveycampaign',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='surveyvisit',
                    name='campaign',
                ),
                migrations.RemoveField(
                    model_name='surveylead',
                    name='closed_by',
                ),
                migrations.RemoveField(
                    model_name='surveylead',
                    name='visit',
                ),
                migrations.RemoveField(
                    model_name='surveyvisit',
                    name='enterprise',
                ),
                migrations.RemoveField(
                    model_name='surveyvisit',
                    name='recorded_by',
                ),
                migrations.DeleteModel(
                    name='FollowUp',
                ),
                migrations.DeleteModel(
                    name='SurveyCampaign',
                ),
                migrations.DeleteModel(
                    name='SurveyLead',
                ),
                migrations.DeleteModel(
                    name='SurveyVisit',
                ),
            ],
            database_operations=[],
        ),
    ]
