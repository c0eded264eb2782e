"""Dues and points leave the members app for their own apps (dues, points): state only, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_dues_bill_excused_by'),
        ('dues', '0001_initial'),
        ('points', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='duesbill',
                    name='excused_by',
                ),
                migrations.RemoveField(
                    model_name='duesbill',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='duesbill',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='duesbill',
                    name='standard',
                ),
                migrations.RemoveField(
                    model_name='duespayment',
                    name='consent_by',
                ),
                migrations.RemoveField(
                    model_name='duespayment',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='duespayment',
                    name='payer_enterprise',
                ),
                migrations.RemoveField(
                    model_name='duespayment',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='duesstandard',
                    name='confirmed_by',
                ),
                migrations.RemoveField(
                    model_name='duesstandard',
                    name='declared_by',
                ),
                migrations.RemoveField(
                    model_name='duesstandard',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='duesstandard',
                    name='payer_enterprise',
                ),
                migrations.RemoveField(
                    model_name='pointentry',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='pointentry',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='pointentry',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='pointentry',
                    name='rule',
                ),
                migrations.RemoveField(
                    model_name='pointrule',
                    name='building',
                ),
                migrations.RemoveField(
                    model_name='pointyear',
                    name='building',
                ),
                migrations.DeleteModel(
                    name='DuesAllocation',
                ),
                migrations.DeleteModel(
                    name='DuesBill',
                ),
                migrations.DeleteModel(
                    name='DuesPayment',
                ),
                migrations.DeleteModel(
                    name='DuesStandard',
                ),
                migrations.DeleteModel(
                    name='PointEntry',
                ),
                migrations.DeleteModel(
                    name='PointRule',
                ),
                migrations.DeleteModel(
                    name='PointYear',
                ),
            ],
            database_operations=[],
        ),
    ]
