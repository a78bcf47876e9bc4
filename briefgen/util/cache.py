"""What one run works out and the next can reuse, in the user's cache folder
($BRIEF_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, then
policy-brief-generator/): compiled templates (sandbox.py), the characters and
family names of font files, and which brief contents passed the JSON Schema. A one-document
build spends a tenth of its time on these otherwise.

Every entry is named by a hash of everything its value depends on (a file's
content, or its path, size, modification time and inode, and the tool's own
code), so an entry is never stale: a changed input is another entry. A
cache folder that cannot be read or written means working it out again,
never a failed build.
"""

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..problems import OutputError
from .atomic import write_text

FORMAT = 1   # raise when what is stored changes shape
PACKAGE = Path(__file__).parents[1]   # briefgen/


@lru_cache(maxsize=1)
def folder():
    """The cache folder, made if need be (only the user may read it), or None."""
    base = os.environ.get("BRIEF_CACHE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policy-brief-generator"
    try:
        Path(base).mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return Path(base)


@lru_cache(maxsize=1)
def tool_fingerprint():
    """The tool's version and code: what every remembered result and every
    recorded build also depends on."""
    digest = hashlib.sha256(__version__.encode())
    command_line = PACKAGE.parent / "generate.py"
    for file in sorted(PACKAGE.rglob("*.py")) + [PACKAGE / "brief" / "brief.schema.json", command_line]:
        if file.is_file():
            digest.update(str(file.relative_to(PACKAGE.parent)).encode() + file.read_bytes())
    return digest.hexdigest()


def remembered(kind, key, compute):
    """compute()'s value (JSON data), from the cache when an earlier run
    stored it under the same key (JSON data: what the value depends on)."""
    entry = _entry(kind, key)
    if entry is None:
        return compute()
    value = _read(entry)
    if value is MISSING:
        value = compute()
        _store(entry, value)
    return value


def seen(kind, key):
    """Whether an earlier run noted the key (see note)."""
    entry = _entry(kind, key)
    return entry is not None and entry.is_file()


def note(kind, key):
    """Remember that the key was seen: a fact with no value, e.g. that a
    text passed a check."""
    entry = _entry(kind, key)
    if entry is not None:
        _store(entry, True)


def recall(kind, key):
    """What remember() stored under the key, or None. Unlike the entries
    above, such a value is only a guess, which may be out of date: what
    uses it checks it (the fit step an output needed last time, fit.py)."""
    entry = _entry(kind, key)
    value = MISSING if entry is None else _read(entry)
    return None if value is MISSING else value


def remember(kind, key, value):
    entry = _entry(kind, key)
    if entry is not None:
        _store(entry, value)


MISSING = object()   # no entry, or one that cannot be read: unlike a stored null


def _read(entry):
    try:
        return json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return MISSING


def _entry(kind, key):
    place = folder()
    if place is None:
        return None
    digest = hashlib.sha256(json.dumps([FORMAT, tool_fingerprint(), kind, key], sort_keys=True).encode()).hexdigest()
    return place / kind / f"{digest[:40]}.json"


def _store(entry, value):
    """Written whole or not at all: a reader never sees half an entry. A
    cache that cannot be written only makes the next run slower."""
    try:
        entry.parent.mkdir(exist_ok=True, mode=0o700)
        write_text(json.dumps(value), entry)
    except (OSError, OutputError):
        pass
