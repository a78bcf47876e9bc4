"""Species names a BibTeX title leaves to the style's case: title-case styles
(Chicago) print "Clupea Harengus" unless the .bib braces or italicises the
name. A name is spotted as a capitalised word and a lower-case one, neither
of them English (Debian's en_US Hunspell word list, which LibreOffice brings
and the set-up installs; without it nothing is spotted)."""

import re
from functools import lru_cache
from pathlib import Path

from .sources import NOCASE, STYLED

ENGLISH_WORDS = Path("/usr/share/hunspell/en_US.dic")
NAME = re.compile(r"(?<![\w-])([A-Z][a-z]{2,})((?: [a-z]{3,}(?![\w-]))+)")   # a genus, then lower-case words
# English inflections the word list leaves to its affix file
SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", ""))


def unprotected_species(title):
    """The names (genus, epithet and a subspecies, if any) in the title's text
    that no brace group or italics protects."""
    words = _english_words()
    if not words or not isinstance(title, str):
        return []
    names = []
    for genus, rest in NAME.findall(_unprotected(title)):
        latin = []
        for word in rest.split():
            if _english(word, words):
                break
            latin.append(word)
        if latin and not _english(genus.lower(), words):
            names.append(" ".join([genus, *latin[:2]]))
    return names


def _unprotected(title):
    for opening, closing in (NOCASE, STYLED["i"]):
        title = re.sub(re.escape(opening) + ".*?" + re.escape(closing), " ", title)
    return title


def _english(word, words):
    return word in words or any(word.endswith(suffix) and word[:-len(suffix)] + replacement in words
                                for suffix, replacement in SUFFIXES)


@lru_cache(maxsize=1)
def _english_words():
    try:
        lines = ENGLISH_WORDS.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    except OSError:
        return frozenset()
    return frozenset(line.split("/", 1)[0].lower() for line in lines)
