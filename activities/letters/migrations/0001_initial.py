# LetterTemplate moves here from the activities app, keeping its rows: this migration only tells Django's state
# that the model now belongs to "letters", on the table it already has (activities_lettertemplate); the database
# is not touched. activities 0003 then drops the model from the activities state, and 0002 here renames the
# table. The fields are those of activities 0001 as altered by activities 0002.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('activities', '0002_alter_fundentry_recorded_by_and_more'),
        ('buildingparty', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LetterTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('audience', models.CharField(choices=[('members', 'Party members'), ('owners', 'Enterprise owners')], max_length=10, verbose_name='to')),
                        ('title', models.CharField(max_length=100, verbose_name='title')),
                        ('body', models.TextField(help_text='Merge fields in braces, e.g. {姓名}, {企业}, {房间}.', verbose_name='text')),
                        ('signature', models.CharField(default='中共慈溪中央大厦联合总支部委员会', max_length=100, verbose_name='signed')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('building', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letter_templates', to='buildingparty.building')),
                        ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'letter template',
                        'verbose_name_plural': 'letter templates',
                        'ordering': ['audience', 'title'],
                        'db_table': 'activities_lettertemplate',
                        'constraints': [models.UniqueConstraint(fields=('building', 'title'), name='letter_title_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
