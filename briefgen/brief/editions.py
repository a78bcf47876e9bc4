"""Editions of one brief in other languages: `<stem>.<language>.yaml` beside
`<stem>.yaml`. A translation shares the original's CSV tables and figures (same
folder, same relative paths) and its outputs are `<stem>.<language>-<variant>.<ext>`
(the file's stem already ends in `.<language>`). What the original has and the
translation lacks (a section, a recommendation, a summary) is reported as a
warning, so a translator sees what is left to do.

An edition made with `brief translate import` records the hash of the English
of each unit it translates (`translation: units:`, units.py): its build says in
one line how much is translated, and how many units are stale (their English
changed since) or missing; `brief translate status` lists them.
"""

import re
from pathlib import Path

from ..inputs.load import load_brief
from ..problems import BriefError
from .units import source_units, unit_status

EDITION = re.compile(r"(?P<stem>.+)\.(?P<language>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)")
LISTS = ("key_points", "sections", "recommendations", "references", "authors")


def original_of(brief_file):
    """The original beside a translation, or None when the file is no edition."""
    path = Path(brief_file)
    match = EDITION.fullmatch(path.stem)
    original = path.with_name(match["stem"] + path.suffix) if match else None
    return original if original is not None and original.is_file() else None


def lacking(loaded):
    """Warnings (Problems) for what the translation lacks: for an edition that
    records its units, one line of completion; for another, the fields of the
    original that the translation lacks."""
    original_file = original_of(loaded.path)
    if original_file is None:
        return []
    try:
        original = load_brief(original_file).data
    except BriefError:
        return []  # the original's own check reports its problems
    if "translation" in loaded.data:
        return completion(loaded, original, original_file)
    name = original_file.name
    return [loaded.problem(path, f"the original ({name}) has {what}")
            for path, what in _differences(original, loaded.data)]


def completion(loaded, original, original_file):
    """[one warning] when units are stale or missing, else []."""
    states = [unit_status(unit, loaded.data) for unit in source_units(original, original_file.parent)]
    translated, stale = states.count("translated"), states.count("stale")
    if translated == len(states):
        return []
    missing = len(states) - translated - stale
    share = int(100 * translated / len(states))   # 99% until the last unit is done
    what = [f"{stale} stale (the original changed since they were translated)"] if stale else []
    what += [f"{missing} missing"] if missing else []
    return [loaded.problem(("translation",), f"{share}% translated ({translated} of {len(states)} units; "
                                             f"{', '.join(what)}); `brief translate status {loaded.shown_path}` "
                                             "lists them")]


def _differences(original, translation, path=()):
    if not isinstance(original, dict) or not isinstance(translation, dict):
        return
    for key, value in original.items():
        if key == "bibliography" and ("references" in translation or key in translation):
            continue   # a translation may list its sources translated, in its own `references:`
        if key not in translation:
            yield path + (key,), f"'{key}', which this translation lacks"
        elif key in LISTS and isinstance(value, list) and isinstance(translation[key], list):
            yield from _shorter(value, translation[key], path + (key,))
            if key == "sections":
                for index, (section, translated) in enumerate(zip(value, translation[key])):
                    yield from _differences(section, translated, path + (key, index))
        elif key == "variants" and isinstance(value, dict):
            yield from _differences(value, translation[key], path + (key,))
        elif path[-1:] == ("variants",) and isinstance(value, dict):
            yield from _differences(value, translation[key], path + (key,))
        elif key == "content" and isinstance(value, list) and isinstance(translation[key], list):
            yield from _shorter(value, translation[key], path + (key,))


def _shorter(original, translation, path):
    """One warning for a list with items left untranslated, at its first missing item."""
    if len(translation) < len(original):
        missing = len(original) - len(translation)
        yield path + (len(translation),), (f"{len(original)} items in {path[-1]}, "
                                           f"{missing} more than this translation")
