"""Files that hold staff questions or restricted text are private to the service's user.

Snapshots (passages.jsonl holds every passage, restricted ones included), uploads, the Slack answer
store and the audit log are created 0600 in 0700 folders whatever the process umask, so another
account on the same machine cannot read them.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path, tighten: bool = True) -> Path:
    """Create `path` 0700 (missing parents too). An existing folder is made 0700 only with `tighten`:
    pass False for a folder a setting names, which may be shared (never chmod someone's /tmp)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(path, DIR_MODE)
    elif tighten:
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, 0600 from the first byte (no window in which it is readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)
    return Path(path)


def open_private(path: Path, mode: str = "w", **kwargs):
    """open() for a new file created 0600 (mode "w", "wb", "a", "ab")."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    return os.fdopen(fd, mode, **kwargs)


def make_tree_private(root: Path) -> None:
    """chmod a folder tree written by a library (bm25s) to 0700 folders and 0600 files."""
    os.chmod(root, DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), DIR_MODE)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), FILE_MODE)
