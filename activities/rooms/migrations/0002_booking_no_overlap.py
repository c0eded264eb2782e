"""No two active bookings of one room overlap, enforced by PostgreSQL itself: an exclusion constraint over the room
and the half-open time range, with btree_gist for the room's equality. SQLite has no such constraint; there the
booking service's check under the room's lock is the guard (and on PostgreSQL it gives the clear message first)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE rooms_roombooking ADD CONSTRAINT booking_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (cancelled_at IS NULL);
"""
DROP = "ALTER TABLE rooms_roombooking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("rooms", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
