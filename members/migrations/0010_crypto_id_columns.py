"""ID numbers encrypted at rest (issue 14): the column becomes ciphertext (text), beside it a keyed hash for exact
matches and the last four characters for search. The next migration encrypts the existing rows; the one after
makes the member's hash unique (it replaces the old unique ID number)."""

import buildingparty.crypto
import members.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_code_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="id_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="member",
            name="id_last4",
            field=models.CharField(db_index=True, default="", editable=False, max_length=4),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="member",
            name="id_number",
            field=buildingparty.crypto.EncryptedIDField(
                max_length=18, validators=[members.validators.validate_id_number], verbose_name="ID number"
            ),
        ),
        migrations.AddField(
            model_name="incomingmobilemember",
            name="id_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="incomingmobilemember",
            name="id_last4",
            field=models.CharField(blank=True, editable=False, max_length=4),
        ),
        migrations.AlterField(
            model_name="incomingmobilemember",
            name="id_number",
            field=buildingparty.crypto.EncryptedIDField(
                blank=True, max_length=18, validators=[members.validators.validate_id_number], verbose_name="ID number"
            ),
        ),
    ]
