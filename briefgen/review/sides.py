"""The two sides of `brief diff`: each a brief file, or a git revision of one.

    brief diff v1.yaml v2.yaml              two files
    brief diff HEAD~1 briefs/x.yaml         the file at a revision, and as it is now
    brief diff v1.0:briefs/x.yaml HEAD:briefs/x.yaml

A revision is read with `git show REV:path` in the file's repository, and so
are the files it refers to (CSV data, images, bibliographies) at that same
revision, into a temporary folder laid out as the repository is: the old
version is loaded and validated like any brief file there.
"""

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..build.document import Prepared, bibliography, prepare
from ..inputs.load import load_brief
from ..problems import BriefError, Problem, shown
from ..brief.validate import referenced_files, validate_brief
from ..brief.variant import select_variant

GIT_SECONDS = 30


@dataclass
class Side:
    label: str          # how messages and the summary name it: 'HEAD~1:briefs/x.yaml' or the file
    file: Path          # the brief's file (in a temporary folder for a revision)
    prepared: Prepared

    @property
    def folder(self):
        return self.file.parent

    def full_brief(self):
        """The full brief as the variant selects it, each figure with its image's digest."""
        theme = self.prepared.theme
        brief = select_variant(self.prepared.data, "full", self.folder, theme.brand.brief_defaults())
        for section in brief["sections"] + brief["appendices"]:
            for block in section["content"]:
                if block["type"] == "figure":
                    block["picture"] = _digest(self.folder / block["image"])
        return brief


def read_sides(old, new, options, scratch):
    """(old Side, new Side); scratch: a folder for revisions' files. The new
    side resolves its theme as a build does; the old side is laid out with it."""
    old_file, old_rev = _parse(old)
    new_file, new_rev = _parse(new)
    if old_file is None and new_file is None:
        raise BriefError([Problem(old, 1, "", "name the brief's file on one side, e.g. "
                                  "`brief diff HEAD~1 briefs/x.yaml`")])
    old_file, new_file = old_file or new_file, new_file or old_file
    new_side = _side(new_file, new_rev, scratch / "new", lambda file: prepare(file, options))
    theme = new_side.prepared.theme
    old_side = _side(old_file, old_rev, scratch / "old", lambda file: _prepared_with(file, theme, old))
    return old_side, new_side


def _parse(argument):
    """(file, revision) of one side: a file has no revision; REV:path has both;
    a bare revision names no file (the other side's is used)."""
    if Path(argument).is_file():
        return Path(argument), None
    if argument.endswith((".yaml", ".yml")) and ":" not in argument:   # a file, not a revision
        raise BriefError([Problem(argument, 1, "", "file not found")])
    revision, colon, path = argument.partition(":")
    if colon and path:
        return Path(path), revision
    return None, argument


def _side(file, revision, scratch, prepare_file):
    if revision is None:
        return Side(shown(file), file, prepare_file(file))
    label = f"{revision}:{shown(file)}"
    copy = _checkout(file, revision, scratch, label)
    return Side(label, copy, prepare_file(copy))


def _prepared_with(file, theme, label):
    """The old version loaded and validated; its theme is the new one's (the
    changes are laid out as the new version is)."""
    loaded = load_brief(file, shown_path=label if not Path(label).is_file() else shown(file))
    return Prepared(loaded, validate_brief(loaded), theme, bibliography(loaded, theme))


def _checkout(file, revision, scratch, label):
    """The brief at the revision and the files it refers to, into scratch as the repository lays them out."""
    folder = Path(file).resolve().parent
    top = Path(_git(["rev-parse", "--show-toplevel"], _existing(folder), label).decode().strip())
    relative = Path(file).resolve().relative_to(top) if Path(file).resolve().is_relative_to(top) else None
    if relative is None:
        raise BriefError([Problem(label, 1, "", f"{shown(file)} is outside the git repository {top}")])
    copy = scratch / relative
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(_git(["show", f"{revision}:{relative.as_posix()}"], top, label))
    try:
        needed = referenced_files(load_brief(copy, shown_path=label).data, copy.parent)
    except (BriefError, AttributeError, TypeError):   # an invalid old version: validation says why
        needed = []
    for needed_file in needed:
        inside = Path(needed_file).resolve()
        if not inside.is_relative_to(scratch.resolve()):
            continue   # outside the repository: validation reports it missing
        data = _git(["show", f"{revision}:{inside.relative_to(scratch.resolve()).as_posix()}"], top, label,
                    missing_ok=True)
        if data is not None:
            inside.parent.mkdir(parents=True, exist_ok=True)
            inside.write_bytes(data)
    return copy


def _existing(folder):
    while not folder.is_dir():
        folder = folder.parent
    return folder


def _git(arguments, folder, label, missing_ok=False):
    try:
        done = subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, timeout=GIT_SECONDS,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise BriefError([Problem(label, 1, "", "reading a revision needs git, which is not installed")]) from None
    except subprocess.TimeoutExpired:
        raise BriefError([Problem(label, 1, "", f"git took over {GIT_SECONDS} s")]) from None
    if done.returncode:
        if missing_ok:
            return None
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["failed"])[-1]
        raise BriefError([Problem(label, 1, "", f"git cannot read it: {reason.removeprefix('fatal: ')}")])
    return done.stdout


def _digest(path):
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


