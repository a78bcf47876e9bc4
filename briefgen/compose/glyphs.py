"""Characters that no font of the theme can draw, reported by script: one line
per script naming the first field that uses it, not one line per character.

Without a font for a script, WeasyPrint would quietly draw it with whatever the
machine has (or empty boxes on a fresh one), so this is an error by default;
--allow-missing-glyphs makes it one warning.
"""

import re
from dataclasses import dataclass

from fontTools import unicodedata

from ..problems import Problem

SHOWN = 8   # characters quoted in a message; the rest are counted


def script_of(character):
    """'Hangul', 'Arabic', 'Han', ...; punctuation and symbols are 'Common'."""
    return unicodedata.script_name(unicodedata.script(character))


def by_script(characters):
    groups = {}
    for character in characters:
        groups.setdefault(script_of(character), []).append(character)
    return groups


@dataclass(frozen=True)
class ThemeFonts:
    """What the check needs of a theme: plain values, for a process that only lays out."""
    name: str
    files: tuple          # its font files and the system fonts its brand names
    not_installed: tuple  # (family, Debian package) of fonts its brand names that are missing


def theme_fonts(theme):
    return ThemeFonts(theme.name, tuple(theme.font_files()), tuple(theme.brand.missing_fonts))


def glyph_problems(missing, loaded, fonts, allow):
    """(problems, warnings): one problem per script of the missing characters;
    with allow, one warning instead. fonts: ThemeFonts."""
    groups = by_script(missing)
    if not groups:
        return [], []
    if allow:
        scripts = ", ".join(groups)
        return [], [f"{len(missing)} character{'s' if len(missing) > 1 else ''} ({scripts}) "
                    f"in no font of the theme '{fonts.name}'; a fallback font draws them (--allow-missing-glyphs)"]
    return [_problem(script, characters, loaded, fonts) for script, characters in groups.items()], []


def _problem(script, characters, loaded, fonts):
    path = first_use(loaded.data, set(characters))
    shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in characters[:SHOWN])
    if len(characters) > SHOWN:
        shown += f" and {len(characters) - SHOWN} more"
    installed = [f"{family} (Debian package {package})" for family, package in fonts.not_installed]
    hint = (f"the theme's fonts {', '.join(installed)} are not installed (README, Set up)" if installed else
            f"add a font for {script} to the theme's _brand.yml (defaults: policy-brief: scripts:)")
    message = (f"no font of the theme '{fonts.name}' draws {script} text: {shown}; "
               f"{hint}, or build with --allow-missing-glyphs")
    if path is None:   # not in the brief: a label of the theme's catalogue for this language
        return Problem(loaded.shown_path, loaded.line_of(("language",)), "language", message)
    first = next(character for character in characters if character in _text_at(loaded.data, path))
    return loaded.problem(path, message, loaded.line_in(path, re.escape(first)))


def _text_at(data, path):
    for key in path:
        data = data[key]
    return data


def first_use(data, characters, path=()):
    """The path of the first field (in file order) whose text holds one of the characters."""
    if isinstance(data, str):
        return path if characters.intersection(data) else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = first_use(value, characters, (*path, key))
        if found is not None:
            return found
    return None
