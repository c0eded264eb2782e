"""Helpers for migrations that move models from one app to another (the layout's nested apps).

A model moves the documented way: the new app's first migration creates it in Django's state only, on the old
table; the old app's next migration deletes it from the state only; then the new app renames the table in
place (``AlterModelTable``) and moves the content types here, so permissions, admin log entries and anything
else that points at a content type follow. No row is copied, so none can be lost.

Kept stable on purpose: migrations import it, so its behaviour must not change once a migration uses it.
"""


def move_content_types(models: list[str], from_label: str, to_label: str):
    """A ``RunPython`` function moving ``models``' content types from ``from_label`` to ``to_label``.

    When apps are migrated one at a time, ``post_migrate`` may already have made an empty content type under the
    new label (with fresh, unassigned permissions); the old one, which carries the real permissions and
    references, wins and the empty one is removed.
    """

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        for model in models:
            old = types.filter(app_label=from_label, model=model).first()
            if old is None:
                continue
            types.filter(app_label=to_label, model=model).delete()
            old.app_label = to_label
            old.save(update_fields=["app_label"])

    return move
