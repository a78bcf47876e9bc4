"""One build at a time writes into an output folder: a second build into the
same folder waits for the first to finish (and then finds its work up to
date), instead of both writing the same files and the manifest at once.

The lock is an flock on a file in the user's cache folder named after the
output folder's real path, not a file in the output folder: it works for a
folder that does not exist yet, is read-only or full, and leaves nothing
behind there. The kernel releases it when the build ends, however it ends."""

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

import click

from ..util import cache
from ..problems import shown


def lock_file(out_dir):
    """The lock's file for the folder; None without a cache folder."""
    digest = hashlib.sha256(str(Path(out_dir).resolve()).encode()).hexdigest()[:24]
    return cache.folder() and cache.folder() / "locks" / f"{digest}.lock"


@contextmanager
def output_folder_lock(out_dir):
    """Hold the output folder's lock, saying so on stderr when another build
    holds it and this one waits. Without a cache folder to hold the lock
    file (unwritable), the build goes on unlocked, as before."""
    path = lock_file(out_dir)
    try:
        if path is None:
            raise FileNotFoundError(out_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            click.echo(f"waiting for the other build writing into {shown(out_dir)}/ to finish", err=True)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)   # closing releases the lock
