"""Incremental builds: a small manifest in the output folder remembers, for
each brief built with given options, the inputs it was built from and the
PDFs it made. A brief whose inputs are unchanged is skipped.

Inputs: the brief file, the files it references, every file of the theme's
folders (default's included) and the tool itself. A file counts as unchanged
when its size and modification time are; when only those changed, its hash
decides. A missing or unreadable manifest means a full build, never a crash.
"""

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from . import __version__
from .pdf import write_text

MANIFEST = ".brief-manifest.json"
PACKAGE = Path(__file__).parent
TOOL_FILES = sorted(PACKAGE.glob("*.py")) + [PACKAGE / "brief.schema.json", PACKAGE.parent / "generate.py"]


class Manifest:
    def __init__(self, out_dir):
        self.file = Path(out_dir) / MANIFEST
        try:
            self.entries = json.loads(self.file.read_text(encoding="utf-8"))["entries"]
            assert isinstance(self.entries, dict)
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            self.entries = {}
        self.changed = False

    def current(self, key):
        """The outputs recorded for key, if every input and output is as it was; else None."""
        entry = self.entries.get(key)
        try:
            if entry["tool"] != tool_fingerprint() or _listing(entry["folders"]) != entry["listing"]:
                return None
            if not all(_unchanged(path, recorded) for path, recorded in entry["inputs"].items()):
                return None
            if not all(Path(output["pdf"]).is_file() for output in entry["outputs"]):
                return None
        except (TypeError, KeyError, ValueError):
            return None
        return entry["outputs"]

    def record(self, key, inputs, folders, outputs):
        self.entries[key] = {
            "tool": tool_fingerprint(),
            "inputs": {str(path): _fingerprint(path) for path in sorted(set(map(Path, inputs)))},
            "folders": [str(folder) for folder in folders],
            "listing": _listing([str(folder) for folder in folders]),
            "outputs": outputs,
        }
        self.changed = True

    def forget(self, key):
        self.changed |= self.entries.pop(key, None) is not None

    def save(self):
        if self.changed:
            write_text(json.dumps({"entries": self.entries}, indent=1, sort_keys=True), self.file)


def entry_key(brief_file, theme, variants, allow_overflow, standard):
    """What a build depends on besides files: the brief and the options given."""
    return json.dumps([str(Path(brief_file).resolve()), theme and str(theme), sorted(variants), allow_overflow, standard])


@lru_cache(maxsize=1)
def tool_fingerprint():
    digest = hashlib.sha256(__version__.encode())
    for file in TOOL_FILES:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _fingerprint(path):
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, _sha256(path)]


def _unchanged(path, recorded):
    try:
        stat = os.stat(path)
    except OSError:
        return False
    size, mtime, digest = recorded
    if stat.st_size != size:
        return False
    return stat.st_mtime_ns == mtime or _sha256(Path(path)) == digest


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _listing(folders):
    """Every file below the folders: a file added to a theme is a change too."""
    names = sorted(str(Path(root) / name) for folder in folders
                   for root, _, files in os.walk(folder) for name in files)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()
