# FundEntry moves here from the activities app, keeping its rows: this migration only tells Django's state that
# the model now belongs to "funds", on the table it already has (activities_fundentry); the database is not
# touched. activities 0003 then drops the model from the activities state, and 0002 here renames the table.
# The fields are those of activities 0001 as altered by activities 0002.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('activities', '0002_alter_fundentry_recorded_by_and_more'),
        ('buildingparty', '0001_initial'),
        ('enterprises', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FundEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('direction', models.CharField(choices=[('income', 'Income'), ('expense', 'Expense')], max_length=10, verbose_name='income or expense')),
                        ('source', models.CharField(blank=True, choices=[('street', 'Street allocation'), ('enterprise', 'Enterprise sponsorship'), ('other', 'Other income')], max_length=20, verbose_name='source')),
                        ('purpose', models.CharField(blank=True, choices=[('activities', 'Activities'), ('study', 'Study materials'), ('room', 'Activity room'), ('volunteer', 'Volunteer service'), ('hardship', 'Help for members in hardship'), ('publicity', 'Publicity'), ('other', 'Other expense')], max_length=20, verbose_name='purpose')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(0.01)], verbose_name='amount (yuan)')),
                        ('description', models.CharField(max_length=200, verbose_name='description')),
                        ('voucher_number', models.CharField(blank=True, max_length=50, verbose_name='voucher number')),
                        ('approver', models.CharField(blank=True, max_length=50, verbose_name='approved by')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('building', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fund_entries', to='buildingparty.building')),
                        ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fund_entries', to='enterprises.enterprise', verbose_name='sponsoring enterprise')),
                        ('recorded_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'funding entry',
                        'verbose_name_plural': 'funding ledger',
                        'ordering': ['-date', '-pk'],
                        'db_table': 'activities_fundentry',
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='fund_amount_positive'), models.CheckConstraint(condition=models.Q(models.Q(('direction', 'income'), models.Q(('source', ''), _negated=True), ('purpose', '')), models.Q(('direction', 'expense'), models.Q(('purpose', ''), _negated=True), ('source', '')), _connector='OR'), name='fund_income_has_source_expense_has_purpose'), models.CheckConstraint(condition=models.Q(('enterprise__isnull', True), ('source', 'enterprise'), _connector='OR'), name='fund_enterprise_only_for_sponsorship')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
