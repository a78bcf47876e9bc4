"""One temporary folder per command, for whatever its processes put in the
system's temporary folder, removed when the command ends.

WeasyPrint copies the fonts of a stylesheet's @font-face rules into a
folder of its own (for Fontconfig) and removes it only when its
FontConfiguration is garbage-collected. A process that leaves by os._exit
(a forked child, a pool's worker) or is killed never does that, and even
the command's own process often tears down first: every build left a copy
of the theme's fonts behind, up to 90 MB with the CJK fonts. Here every
process of the command, forked or spawned (TMPDIR), makes its temporary
folders inside the command's one, and that one goes when the command ends.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager


@contextmanager
def scratch_folder():
    folder = tempfile.mkdtemp(prefix="brief-")
    previous = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = folder
    try:
        yield folder
    finally:
        tempfile.tempdir = previous[0]
        if previous[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous[1]
        shutil.rmtree(folder, ignore_errors=True)
