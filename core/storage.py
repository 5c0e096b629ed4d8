"""The storage folder every node shares: uploaded files and the work files made from them.

`STORAGE_DIR` (default: the instance folder's `storage/`) is a folder all app nodes and job workers
mount at the same path. Records keep paths relative to it, so that no record depends on which node
wrote the file. Paths written before there was a storage folder are absolute and are used as they are.
"""

import os
import shutil
import tempfile

from flask import current_app


class StorageError(ValueError):
    """A relative path that would leave the storage folder."""


def storage_dir() -> str:
    """Return (and create) the current app's storage folder."""
    path = current_app.config["STORAGE_DIR"]
    os.makedirs(path, exist_ok=True)
    return path


def absolute(relative: str) -> str:
    """Return where a stored path lives on this node; an absolute one (written before) as it is."""
    if os.path.isabs(relative):
        return relative
    root = os.path.realpath(storage_dir())
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, path]) != root:
        raise StorageError(f"{relative!r} leaves the storage folder")
    return path


def store_copy(source: str, relative: str) -> str:
    """Copy a file into the storage folder under a relative path, unless it is there; return the path.

    The copy is written beside its place and renamed into it, so another node never sees half a file.
    """
    target = absolute(relative)
    if os.path.exists(target):
        return target
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    handle, part = tempfile.mkstemp(dir=folder, prefix=".part-")
    os.close(handle)
    try:
        shutil.copyfile(source, part)
        os.replace(part, target)
    finally:
        if os.path.exists(part):
            os.remove(part)
    return target
