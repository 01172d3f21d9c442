"""The app's own folder for the files an export builds (EXPORT_TMP_DIR): owner-only, one
workspace per export removed when the export ends however it ends, and at every process start
emptied of what dead processes left behind (docs/exports.md "Temporary files").

A workspace is a folder holding a lock file that its export keeps locked (flock) while it runs.
The kernel releases the lock when the process ends, killed or not, so a workspace whose lock can
be taken belongs to nobody: that is the one rule start-up cleaning goes by, and it never touches
a workspace a live process (any worker, any thread) is writing in.
"""

import fcntl
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

LOCK = ".lock"
PREFIX = "export-"
# A workspace is made, then its lock file: one without a lock younger than this may be a
# workspace being made right now.
GRACE_SECONDS = 60


def folder(setting: str = "EXPORT_TMP_DIR") -> Path:
    """The folder of `setting` (EXPORT_TMP_DIR, or EXPORT_JOB_DIR for finished job files), made
    if missing, owned by this process's user and closed to others."""
    root = Path(getattr(settings, setting))
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = root.stat()
    if found.st_uid != os.geteuid():
        raise ImproperlyConfigured(
            f"{setting} {root} belongs to another user: give the app a folder of its own"
        )
    if stat.S_IMODE(found.st_mode) != 0o700:
        root.chmod(0o700)
    return root


def owner_only_file(path: Path) -> Path:
    """Create the empty file `path` that only its owner may read (0600), for a writer that
    opens it by name."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


@contextmanager
def workspace() -> Iterator[Path]:
    """A new owner-only folder for one export's files, locked while the export runs and removed
    with everything in it when the block ends, however it ends."""
    path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=folder()))  # mode 0700
    lock = os.open(path / LOCK, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)  # still locked: no cleaner can race us
        os.close(lock)


def remove_stale() -> list[str]:
    """Remove what dead processes left in EXPORT_TMP_DIR: workspaces nobody holds locked and any
    other entry (past GRACE_SECONDS); the names removed. Nothing to do when the folder is missing."""
    root = Path(settings.EXPORT_TMP_DIR)
    if not root.is_dir():
        return []
    removed = []
    for entry in sorted(root.iterdir()):
        if _stale(entry):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
    if removed:
        logger.info("removed %d export workspaces that ended processes left", len(removed))
    return removed


def _stale(entry: Path) -> bool:
    if not entry.is_dir() or entry.is_symlink() or not (entry / LOCK).exists():
        return older_than_grace(entry)
    try:
        lock = os.open(entry / LOCK, os.O_RDWR)
    except FileNotFoundError:
        return False  # its export ended meanwhile and removed it
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a live export holds it
    finally:
        os.close(lock)
    return True


def older_than_grace(entry: Path) -> bool:
    try:
        return time.time() - entry.lstat().st_mtime > GRACE_SECONDS
    except FileNotFoundError:
        return False
