"""A member's and an incoming mobile member's ``source_lead`` now point at the survey app's SurveyLead (state
only): the lead's table is the same, so the column and its foreign key stay as they are. Before enterprises 0004
deletes the old model from the state, so the state never points at a model that is gone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0006_move_dues_and_points'),
        ('survey', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='incomingmobilemember',
                    name='source_lead',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='incoming_member', to='survey.surveylead', verbose_name='found in the survey as'),
                ),
                migrations.AlterField(
                    model_name='member',
                    name='source_lead',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='members', to='survey.surveylead', verbose_name='found in the survey as'),
                ),
            ],
            database_operations=[],
        ),
    ]
