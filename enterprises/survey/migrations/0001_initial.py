"""The building survey moves out of the enterprises app into its own app (label survey): state only, see 0002
for the tables."""

import django.db.models.deletion
import enterprises.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('buildingparty', '0003_jobrun_outboxmessage'),
        ('enterprises', '0003_alter_surveylead_options'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables already exist (made by the enterprises app); only Django's idea of who owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SurveyCampaign',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('starts_on', models.DateField(verbose_name='starts on')),
                        ('ends_on', models.DateField(blank=True, null=True, verbose_name='ends on')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('active', 'Under way'), ('closed', 'Closed')], default='active', max_length=10, verbose_name='status')),
                        ('working_group', models.TextField(blank=True, help_text='Who visits: staff from the street, the community and the property company.', verbose_name='joint working group')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('building', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='buildingparty.building', verbose_name='building')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'enterprises_surveycampaign',
                        'verbose_name': 'survey campaign',
                        'verbose_name_plural': 'survey campaigns',
                        'ordering': ['-starts_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SurveyVisit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('visited_on', models.DateField(verbose_name='visited on')),
                        ('visitors', models.CharField(blank=True, help_text='Members of the working group who went.', max_length=200, verbose_name='visitors')),
                        ('met_with', models.CharField(blank=True, max_length=100, verbose_name='met with')),
                        ('enterprise_situation', models.TextField(blank=True, help_text='Business, staff, how long in the building.', verbose_name="the enterprise's situation")),
                        ('members_found', models.PositiveIntegerField(blank=True, null=True, verbose_name='party members found')),
                        ('relationships_note', models.TextField(blank=True, help_text="Which members' organisational relationships are with us, which elsewhere (and where).", verbose_name='where their relationships are')),
                        ('members_thinking', models.TextField(blank=True, verbose_name="members' thinking")),
                        ('owner_attitude', models.CharField(blank=True, choices=[('supportive', 'Supportive'), ('neutral', 'Neutral'), ('reserved', 'Reserved'), ('opposed', 'Opposed'), ('unknown', 'Not yet known')], max_length=20, verbose_name="owner's attitude")),
                        ('attitude_note', models.TextField(blank=True, verbose_name="about the owner's attitude")),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='survey.surveycampaign', verbose_name='campaign')),
                        ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='enterprises.enterprise', verbose_name='enterprise')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                    ],
                    options={
                        'db_table': 'enterprises_surveyvisit',
                        'verbose_name': 'survey visit',
                        'verbose_name_plural': 'survey visits',
                        'ordering': ['-visited_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SurveyLead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, verbose_name='name')),
                        ('phone', models.CharField(blank=True, max_length=20, validators=[enterprises.validators.validate_phone], verbose_name='phone')),
                        ('relationship_location', models.CharField(help_text='The party organisation that holds it now.', max_length=150, verbose_name='where the relationship is')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('transferred_in', 'Transferred in'), ('mobile', 'Registered as incoming mobile member'), ('closed', 'Closed')], default='open', max_length=20, verbose_name='status')),
                        ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                        ('close_reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('visit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leads', to='survey.surveyvisit', verbose_name='visit')),
                    ],
                    options={
                        'db_table': 'enterprises_surveylead',
                        'verbose_name': 'survey lead',
                        'verbose_name_plural': 'survey leads',
                        'ordering': [models.Case(models.When(status='open', then=0), default=1), '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='FollowUp',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=200, verbose_name='action')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('done_on', models.DateField(blank=True, null=True, verbose_name='done on')),
                        ('outcome', models.CharField(blank=True, max_length=200, verbose_name='outcome')),
                        ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='follow_ups', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                        ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='survey.surveyvisit')),
                    ],
                    options={
                        'db_table': 'enterprises_followup',
                        'verbose_name': 'follow-up',
                        'verbose_name_plural': 'follow-ups',
                        'ordering': ['done_on', 'due_on'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='surveycampaign',
                    constraint=models.UniqueConstraint(fields=('building', 'name'), name='campaign_name_unique_in_building'),
                ),
                migrations.AddConstraint(
                    model_name='surveycampaign',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='campaign_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='surveylead',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), models.Q(('close_reason', ''), _negated=True), _connector='OR'), name='lead_closed_needs_reason'),
                ),
            ],
            database_operations=[],
        ),
    ]
