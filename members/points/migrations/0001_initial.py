"""Points move out of the members app into their own app (label points): state only, see 0002 for the tables."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('buildingparty', '0003_jobrun_outboxmessage'),
        ('members', '0005_dues_bill_excused_by'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables already exist (made by the members app); only Django's idea of who owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PointRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(help_text='Automatic sources find their rule by this code, e.g. dues_on_time.', verbose_name='code')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('points', models.SmallIntegerField(help_text='Per entry; negative for a deduction.', validators=[django.core.validators.MinValueValidator(-100), django.core.validators.MaxValueValidator(100)], verbose_name='points')),
                        ('kind', models.CharField(choices=[('automatic', 'Automatic, from a record'), ('claimed', 'Claimed by the member, approved by the secretary'), ('deduction', 'Deduction')], max_length=20, verbose_name='kind')),
                        ('yearly_cap', models.PositiveSmallIntegerField(blank=True, help_text='The most points (or deduction) one member can get from this rule in a year; empty for none.', null=True, verbose_name='yearly cap')),
                        ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                        ('is_active', models.BooleanField(default=True, verbose_name='in use')),
                        ('building', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='point_rules', to='buildingparty.building', verbose_name='building')),
                    ],
                    options={
                        'db_table': 'members_pointrule',
                        'verbose_name': 'point rule',
                        'verbose_name_plural': 'point rules',
                        'ordering': ['kind', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='PointEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('occurred_on', models.DateField(verbose_name='date')),
                        ('points', models.SmallIntegerField(help_text="As credited: the rule's points, less what the yearly cap took off.", verbose_name='points')),
                        ('source', models.CharField(blank=True, max_length=100, verbose_name='source')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='what for')),
                        ('evidence', models.FileField(blank=True, upload_to='points/%Y/', verbose_name='evidence')),
                        ('status', models.CharField(choices=[('pending', 'Awaiting approval'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='approved', max_length=20, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='entered at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('decision_note', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                        ('created_by', models.ForeignKey(blank=True, help_text='Empty for automatic entries.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='point_entries', to='members.member', verbose_name='party member')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='points.pointrule', verbose_name='rule')),
                    ],
                    options={
                        'db_table': 'members_pointentry',
                        'verbose_name': 'points entry',
                        'verbose_name_plural': 'points entries',
                        'ordering': ['-occurred_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PointYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('base_score', models.PositiveSmallIntegerField(help_text='Commonly 60 to 70.', validators=[django.core.validators.MaxValueValidator(100)], verbose_name='base score')),
                        ('building', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='point_years', to='buildingparty.building')),
                    ],
                    options={
                        'db_table': 'members_pointyear',
                        'verbose_name': 'points year',
                        'verbose_name_plural': 'points years',
                        'ordering': ['-year'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='pointrule',
                    constraint=models.UniqueConstraint(fields=('building', 'code'), name='point_rule_code_unique'),
                ),
                migrations.AddConstraint(
                    model_name='pointrule',
                    constraint=models.CheckConstraint(condition=models.Q(('points', 0), _negated=True), name='point_rule_not_zero'),
                ),
                migrations.AddConstraint(
                    model_name='pointrule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'deduction'), ('points__lt', 0)), models.Q(models.Q(('kind', 'deduction'), _negated=True), ('points__gt', 0)), _connector='OR'), name='point_rule_sign_matches_kind'),
                ),
                migrations.AddIndex(
                    model_name='pointentry',
                    index=models.Index(fields=['member', 'year'], name='point_entry_member_year'),
                ),
                migrations.AddConstraint(
                    model_name='pointentry',
                    constraint=models.UniqueConstraint(condition=models.Q(('source', ''), _negated=True), fields=('member', 'rule', 'source'), name='point_entry_once_per_source'),
                ),
                migrations.AddConstraint(
                    model_name='pointentry',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'rejected'), _negated=True), models.Q(('decision_note', ''), _negated=True), _connector='OR'), name='point_rejection_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='pointyear',
                    constraint=models.UniqueConstraint(fields=('building', 'year'), name='point_year_unique'),
                ),
            ],
            database_operations=[],
        ),
    ]
