"""Incremental builds: a manifest in the output folder describes what each
build made, so that the next build can skip what is up to date.

An entry's key is the brief and every option that changes the output's bytes
(theme, variants, --html, --allow-overflow, --pdf-standard, the tool's
version). The entry records the inputs (the brief, the files it references,
every file of the theme's folders and every file the layout read, such as an
image inside an SVG) and each output file's size and sha256. A brief is up to
date when every input is unchanged (same size and modification time, or same
hash) and every output file is there with the size and hash recorded: a PDF
overwritten by a build with other options, emptied or damaged is rebuilt.
An entry may also record facts, a digest of what else the outputs depend on
that is no file (a series row's filled brief and its theme): a brief is up to
date only while they are the same.

The manifest is written under a lock (flock on a lock file beside it) and
merged with what is on disk, so builds into one folder at the same time keep
each other's entries. A manifest that cannot be read, or an entry of the wrong
shape, counts as absent: a full build, never a crash.
"""

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..util import cache
from ..util.cache import tool_fingerprint
from ..util.atomic import write_text

MANIFEST = ".brief-manifest.json"
LOCK = ".brief-manifest.lock"

_INTEGER, _TEXT = {"type": "integer", "minimum": 0}, {"type": "string"}
# A file in the output folder, as a relative path: no empty, '.' or '..' part, nothing absolute.
_FILE_NAME = {"type": "string", "pattern": r"^(?!\.\.?(/|$))(?!.*/\.\.?(/|$))(?!.*//)[^/\x00][^\x00]*(?<!/)$"}
ENTRY_SCHEMA = {
    "type": "object",
    "required": ["tool", "inputs", "folders", "listing", "outputs"],
    "properties": {
        "tool": _TEXT,
        "inputs": {"type": "object", "additionalProperties": {
            "type": "array", "prefixItems": [_INTEGER, _INTEGER, _TEXT], "minItems": 3, "maxItems": 3}},
        "folders": {"type": "array", "items": _TEXT},
        "listing": _TEXT,
        "facts": _TEXT,
        "outputs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["variant", "pages", "file", "files"],
            "properties": {
                "variant": _TEXT, "pages": _INTEGER, "file": _FILE_NAME,
                "files": {"type": "object", "minProperties": 1,
                          "propertyNames": _FILE_NAME,
                          "additionalProperties": {"type": "array", "prefixItems": [_INTEGER, _TEXT],
                                                   "minItems": 2, "maxItems": 2}},
            }}},
    },
}


@lru_cache(maxsize=1)
def _entry_validator():
    from jsonschema import Draft202012Validator   # only for a manifest this tool did not just write
    return Draft202012Validator(ENTRY_SCHEMA)


class Manifest:
    def __init__(self, out_dir):
        self.folder = Path(out_dir)
        self.file = self.folder / MANIFEST
        self.entries = _read(self.file)
        self.updates = {}   # key -> new entry: merged into the manifest on disk on save
        self.dropped = set()   # keys whose entries go on save (their outputs were removed)

    def current(self, key, facts=None):
        """The outputs recorded for key (variant, pages, output file), if every input
        and every output file is as recorded, and the facts too; else None."""
        entry = self.entries.get(key)
        if entry is None or entry["tool"] != tool_fingerprint() or _listing(entry["folders"]) != entry["listing"]:
            return None
        if entry.get("facts") != facts:
            return None
        if not all(_unchanged(path, recorded) for path, recorded in entry["inputs"].items()):
            return None
        if not all(_same_output(self.folder / name, recorded)
                   for output in entry["outputs"] for name, recorded in output["files"].items()):
            return None
        return [{"variant": output["variant"], "pages": output["pages"], "file": self.folder / output["file"]}
                for output in entry["outputs"]]

    def record(self, key, inputs, folders, outputs, facts=None):
        """outputs: (variant, pages, [files: the writer's output first]) of each document built;
        a file is recorded by its path in the output folder (a web page's assets are in its own folder);
        facts: what else the outputs depend on that is no file (a series row's content).
        An input or output gone meanwhile: nothing is recorded, the next build rebuilds."""
        try:
            entry = {
                "tool": tool_fingerprint(),
                "inputs": {str(path): _fingerprint(path) for path in sorted({Path(p).resolve() for p in inputs})},
                "folders": [str(folder) for folder in folders],
                "listing": _listing([str(folder) for folder in folders]),
                "outputs": [{"variant": variant, "pages": pages, "file": self._name(files[0]),
                             "files": {self._name(file): _output_fingerprint(file) for file in files}}
                            for variant, pages, files in outputs],
            }
            if facts is not None:
                entry["facts"] = facts
        except OSError:
            return
        self.updates[key] = self.entries[key] = entry

    def _name(self, file):
        """A file's path in the output folder (a file elsewhere: its name)."""
        file, folder = Path(file).resolve(), self.folder.resolve()
        return file.relative_to(folder).as_posix() if file.is_relative_to(folder) else file.name

    def drop(self, key):
        """Forget key's entry (on save, on disk too): its outputs are gone."""
        self.entries.pop(key, None)
        self.updates.pop(key, None)
        self.dropped.add(key)

    def recorded_files(self, key):
        """The files of key's entry that are still as recorded (this tool's, not another's)."""
        entry = self.entries.get(key, {"outputs": []})
        return [self.folder / name for output in entry["outputs"] for name, recorded in output["files"].items()
                if _same_output(self.folder / name, recorded)]

    def pages_of(self, file):
        """The page count recorded for an output file that is still as recorded; None if none is."""
        name = self._name(file)
        for entry in self.entries.values():
            for output in entry["outputs"]:
                if output["file"] == name and _same_output(self.folder / name, output["files"][name]):
                    return output["pages"]
        return None

    def save(self):
        """Merge this build's entries into the manifest on disk, under the lock.
        OSError or OutputError when the folder cannot be written."""
        if not self.updates and not self.dropped:
            return
        with _locked(self.folder / LOCK):
            entries = _read(self.file)
            entries.update(self.updates)
            for key in self.dropped:
                entries.pop(key, None)
            text = json.dumps({"entries": entries}, indent=1, sort_keys=True)
            write_text(text, self.file)
        cache.note("own-manifest", _digest(text))
        self.entries, self.updates, self.dropped = entries, {}, set()


def pdf_editions(out_dir, stem, variants):
    """The PDF editions of a brief in the output folder, for its web page to
    link: variant, file, size in bytes, and pages (None when no manifest says)."""
    manifest, editions = None, []
    for variant, file in zip(variants, pdf_files(out_dir, stem, variants)):
        if file.is_file():
            manifest = manifest or Manifest(out_dir)
            editions.append({"variant": variant, "file": file.resolve(), "bytes": file.stat().st_size,
                             "pages": manifest.pages_of(file)})
    return editions


def pdf_files(out_dir, stem, variants):
    return [Path(out_dir) / f"{stem}-{variant}.pdf" for variant in variants]


def entry_key(brief_file, options):
    """What a build's output depends on besides files: the brief and the options that change the bytes."""
    return json.dumps([str(Path(brief_file).resolve()), options.theme and str(options.theme),
                       sorted(options.variants), options.keep_html, options.allow_overflow,
                       options.allow_missing_glyphs, options.standard, options.format, _style_key(options.csl),
                       _style_key(options.cmyk_profile), __version__])


def _style_key(style_file):
    """--csl's style or --cmyk-profile's profile by its content: an edited file rebuilds."""
    return style_file and hashlib.sha256(Path(style_file).read_bytes()).hexdigest()


@contextmanager
def _locked(lock_file):
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _read(file):
    """The entries of a manifest file that have the right shape; {} when it is unreadable."""
    try:
        text = file.read_text(encoding="utf-8")
        entries = json.loads(text)["entries"]
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError):
        return {}
    if not isinstance(entries, dict):
        return {}
    if cache.seen("own-manifest", _digest(text)):   # as this tool wrote it: every entry has its shape
        return entries
    return {key: entry for key, entry in entries.items() if _entry_validator().is_valid(entry)}


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _fingerprint(path):
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, _sha256(path)]


def _output_fingerprint(file):
    return [Path(file).stat().st_size, _sha256(file)]


def _unchanged(path, recorded):
    try:
        stat = os.stat(path)
        size, mtime, digest = recorded
        if stat.st_size != size:
            return False
        return stat.st_mtime_ns == mtime or _sha256(Path(path)) == digest
    except OSError:
        return False


def _same_output(file, recorded):
    """The output file is there, with the size and hash recorded: not another build's, not damaged."""
    size, digest = recorded
    try:
        return file.is_file() and file.stat().st_size == size and _sha256(file) == digest
    except OSError:
        return False


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _listing(folders):
    """Every file below the folders, and which of them exist: a file added to a
    theme is a change too, and so is a folder or a file (a PDF a web page links
    to) that appears or goes."""
    names = sorted(str(Path(root) / name) for folder in folders
                   for root, _, files in os.walk(folder) for name in files)
    names += [f"{folder}: {os.path.exists(folder)}" for folder in folders]
    return hashlib.sha256("\n".join(names).encode()).hexdigest()
