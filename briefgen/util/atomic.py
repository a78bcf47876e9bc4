"""Atomic writes: an output is replaced whole or not at all, and what a
killed build left behind is cleaned up on the next run."""

import errno
import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path

from ..problems import OutputError


def write_text(text, target):
    with atomic_file(target, "w") as file:
        file.write(text)


@contextmanager
def atomic_file(target, mode):
    """Write next to the target, then rename: a failed write never leaves a
    half-written file, nor removes the previous good one. The file gets the
    permissions the umask gives, as any program's output; a failure of the
    file system is an OutputError naming the folder (or the target) and the cause."""
    target = Path(target)
    folder = f"{target.parent}{os.sep}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = _new_temporary(target)
    except FileExistsError:  # the folder's name is taken by a file
        raise OutputError(folder, errno.ENOTDIR) from None
    except OSError as error:
        raise OutputError(folder, error.errno) from None
    try:
        with os.fdopen(handle, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as file:
            yield file
    except BaseException as error:
        _discard(temporary)
        if isinstance(error, OSError):  # a full disk, a quota
            raise OutputError(folder, error.errno) from None
        raise
    try:
        os.replace(temporary, target)
    except OSError as error:  # the target is a folder, say
        _discard(temporary)
        raise OutputError(str(target), error.errno) from None


def _new_temporary(target):
    """A new file .<name>.<pid>.<random>.tmp beside the target, created with
    mode 0666 so the umask decides (tempfile.mkstemp makes 0600). The writer's
    process id tells a killed build's leftover from a running build's file
    (remove_stale_temporaries)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        temporary = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue


def _discard(temporary):
    try:
        os.unlink(temporary)
    except OSError:
        pass


TEMPORARY = re.compile(r"\..+?\.(\d+)\.\w+\.tmp")


def remove_stale_temporaries(folder):
    """Remove what atomic_file() left behind in a build that was killed:
    temporary files of processes that no longer run, and this process's own
    (called when nothing of this process is writing)."""
    for path in Path(folder).glob(".*.tmp"):
        match = TEMPORARY.fullmatch(path.name)
        if match is None or not _running(int(match.group(1))) or int(match.group(1)) == os.getpid():
            path.unlink(missing_ok=True)


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return not _zombie(pid)


def _zombie(pid):
    """A process that has ended and is not yet reaped (a worker killed with
    its parent, before init waits for it): it answers kill(pid, 0) but holds
    no file open. Linux's /proc says so; elsewhere it counts as running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])   # the state follows the name in parentheses
