"""Register uploads waiting for an import (issue 14): a file never confirmed goes after a day, with the nightly
prune; one an import still waits for stays. A register file holds ID numbers in clear."""

import os
import time

from buildingparty import imports
from buildingparty.builtin_jobs import prune_history
from buildingparty.models import ImportRun


def _upload(folder, name, *, age_hours):
    path = folder / name
    path.write_bytes(b"PK\x03\x04")
    stamp = time.time() - age_hours * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_the_nightly_prune_deletes_uploads_never_confirmed_and_keeps_those_an_import_waits_for(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "media" / imports.UPLOAD_DIR
    folder.mkdir(parents=True)
    forgotten = _upload(folder, "aaaa.xlsx", age_hours=30)
    fresh = _upload(folder, "bbbb.xlsx", age_hours=2)
    waiting = _upload(folder, "cccc.xlsx", age_hours=30)
    ImportRun.objects.create(token="cccc", kind="members", file_name="花名册.xlsx", file_suffix=".xlsx")

    assert prune_history()["uploads_deleted"] == 1

    assert not forgotten.exists()
    assert fresh.exists() and waiting.exists()
    assert prune_history()["uploads_deleted"] == 0


def test_with_no_upload_folder_nothing_is_pruned(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path / "nothing-here"
    assert imports.prune_uploads() == 0
