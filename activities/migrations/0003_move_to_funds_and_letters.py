# FundEntry and LetterTemplate now belong to the nested apps activities.funds (label "funds") and
# activities.letters (label "letters"), whose 0001 migrations took them over on the same tables. This drops them
# from the activities state only: the tables and their rows stay (the nested apps' 0002 migrations rename them).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0002_alter_fundentry_recorded_by_and_more'),
        ('funds', '0001_initial'),
        ('letters', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='FundEntry'),
                migrations.DeleteModel(name='LetterTemplate'),
            ],
            database_operations=[],
        ),
    ]
