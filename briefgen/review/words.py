"""Word-level differences between two texts, with diff-match-patch.

diff-match-patch compares characters; each word (a token of the text) is
mapped to one character first, as its line mode does for lines, so the
differences fall on whole words. The tokenizer knows each script's words:
letters with their combining marks (Arabic's vowel signs, Hangul's
space-separated words), one character each in scripts written without spaces
(Han, kana, Thai), numbers whole (12,500 or 3.4%), and a citation or a
cross-reference as one token.
"""

import re
import unicodedata
from dataclasses import dataclass
from itertools import zip_longest

from diff_match_patch import diff_match_patch

# Marks of a change inside a merged markdown text (private-use characters no
# brief holds; compose.py's own is U+E004). document.py turns them into ins/del.
INS_START, INS_END, DEL_START, DEL_END = "\ue010", "\ue011", "\ue012", "\ue013"
MARKS = INS_START + INS_END + DEL_START + DEL_END


def _mark_ranges():
    """Combining marks (Mn, Mc, Me) of the Basic Multilingual Plane, as a regex class body."""
    marks = [code for code in range(0x300, 0x10000) if unicodedata.category(chr(code)).startswith("M")]
    ranges, start = [], marks[0]
    for previous, code in zip(marks, marks[1:] + [None]):
        if code != previous + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = code
    return "".join(ranges)


UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff"
WORD = rf"(?:[^\W\d_{UNSPACED}]|[{_mark_ranges()}\u200c\u200d\u2060])+(?:['’](?:[^\W\d_{UNSPACED}])+)*"
NUMBER = r"[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b\u066c\u00a0\u202f][0-9\u0660-\u0669\u06f0-\u06f9]+)*%?"
TOKEN = re.compile("|".join([
    r"\[-?@[^\[\]]*\]",                 # a citation cluster: [@id], [@a; @b, p. 12]
    r"-?@[A-Za-z0-9_][A-Za-z0-9_.:-]*[A-Za-z0-9_]",   # a cross-reference or an in-text citation
    NUMBER,
    WORD,
    rf"[{UNSPACED}]",                   # a character of a script written without spaces
    r"\s+",
    r".",                               # punctuation, a symbol
]), re.S)
IS_NUMBER = re.compile(NUMBER)


def tokens(text):
    return TOKEN.findall(text)


@dataclass(frozen=True)
class Hunk:
    """A run of text: equal in both (old == new), or what was deleted and inserted there."""
    old: str
    new: str

    @property
    def changed(self):
        return self.old != self.new


def hunks(old, new):
    """The two texts as a list of Hunks, equal ones and changed ones alternating."""
    old, new = str(old or ""), str(new or "")
    if old == new:
        return [Hunk(old, new)] if old else []
    table = {}
    old_chars, new_chars = _encoded(tokens(old), table), _encoded(tokens(new), table)
    words = {char: token for token, char in table.items()}
    matcher = diff_match_patch()
    matcher.Diff_Timeout = 2.0     # seconds; past it the difference is coarser, never wrong
    diffs = matcher.diff_main(old_chars, new_chars, False)
    matcher.diff_cleanupSemantic(diffs)
    found, deleted, inserted = [], "", ""
    for operation, chars in diffs:
        text = "".join(words[char] for char in chars)
        if operation == matcher.DIFF_EQUAL:
            if deleted or inserted:
                found.append(Hunk(deleted, inserted))
                deleted = inserted = ""
            found.append(Hunk(text, text))
        elif operation == matcher.DIFF_DELETE:
            deleted += text
        else:
            inserted += text
    if deleted or inserted:
        found.append(Hunk(deleted, inserted))
    return found


def _encoded(words, table):
    """One character per distinct word (planes 15 and 16: private use, never in a brief)."""
    chars = []
    for word in words:
        if word not in table:
            if len(table) >= 0x1FFFE:
                raise ValueError("more than 131,070 distinct words in one text")
            table[word] = chr(0xF0000 + len(table))
        chars.append(table[word])
    return "".join(chars)


def numbers(text):
    return IS_NUMBER.findall(text)


def changed_numbers(found):
    """(old, new) of each number that changed; None on the side that has none."""
    pairs = []
    for hunk in found:
        if hunk.changed:
            pairs += [(old, new) for old, new in zip_longest(numbers(hunk.old), numbers(hunk.new)) if old != new]
    return pairs


# --- a merged markdown text: both versions, the changes marked --------------

LINE_PREFIX = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)]|>|#{1,6})[ \t]+)*")
INERT_IN_DELETED = re.compile(r"([\[\]@^!])")


def merged(found):
    """A markdown text holding the new version with the old one's deleted words
    in place, each change between marks. A deleted citation, footnote, image or
    cross-reference is printed as its text (escaped), so it cites nothing."""
    text = ""
    for hunk in found:
        if not hunk.changed:
            text += hunk.old
            continue
        if hunk.old and hunk.old.strip():
            text += _marked(INERT_IN_DELETED.sub(r"\\\1", hunk.old), DEL_START, DEL_END, _at_line_start(text))
        elif hunk.old and not hunk.new:
            text += " " if "\n" not in hunk.old else "\n"   # words the deleted space separated stay apart
        if hunk.new:
            text += _marked(hunk.new, INS_START, INS_END, _at_line_start(text))
    return text


def _at_line_start(text):
    return not text or text.endswith("\n")


def _marked(change, start, end, at_line_start):
    """Marks around each line's words: a list item's or heading's marker at a line's
    start stays outside, so the markdown keeps its blocks."""
    lines = change.split("\n")
    out = []
    for index, line in enumerate(lines):
        prefix = LINE_PREFIX.match(line).group() if index or at_line_start else ""
        body = line[len(prefix):]
        words = body.strip()
        if words:   # the spaces around the words stay outside the marks
            lead = body[:len(body) - len(body.lstrip())]
            body = f"{lead}{start}{words}{end}{body[len(lead) + len(words):]}"
        out.append(prefix + body)
    return "\n".join(out)


def plain_marked(found, old_mark=("[-", "-]"), new_mark=("{+", "+}")):
    """The text with wdiff's marks: [-deleted-]{+inserted+}."""
    parts = []
    for hunk in found:
        if not hunk.changed:
            parts.append(hunk.old)
            continue
        if hunk.old:
            parts.append(f"{old_mark[0]}{hunk.old}{old_mark[1]}")
        if hunk.new:
            parts.append(f"{new_mark[0]}{hunk.new}{new_mark[1]}")
    return "".join(parts)


def strip_marks(text, keep="new"):
    """A merged text as one version: the new (insertions kept) or the old."""
    if keep == "new":
        text = re.sub(f"{DEL_START}.*?{DEL_END}", "", text, flags=re.S)
    else:
        text = re.sub(f"{INS_START}.*?{INS_END}", "", text, flags=re.S)
    return re.sub(f"[{MARKS}]", "", text)
