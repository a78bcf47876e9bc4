"""What changed between two versions of a brief, and the brief that shows it.

Both versions are compared as the full brief selects them (variant.py). The
comparison walks them side by side and, at once, builds the merged brief: the
new version with the old one's deleted words, items, blocks and sections in
place and every change between marks (words.merged), which the changes
document composes like any brief. What it found is collected in Changes, for
the summary page, `brief diff --check` and `--format text`.
"""

import json
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import zip_longest

from .. import blocks
from ..content.markdown import Markdown
from ..inputs.sources import yaml_to_csl
from . import words

TOP_TEXTS = (("title", "Title"), ("subtitle", "Subtitle"), ("audience", "Audience"), ("series", "Series"),
             ("number", "Number"), ("summary", "Executive summary"), ("about", "About"),
             ("contact", "Contact"), ("disclaimer", "Disclaimer"))
TOP_VALUES = ("date", "language", "status", "url", "keywords", "organisation", "citation_style")
SIMILAR = 0.4   # two items at the same place this alike are one item edited, not one removed and one added


@dataclass
class TextChange:
    where: str          # 'Section “Scope”, paragraph 2'
    hunks: list         # words.Hunk


@dataclass
class Moved:
    title: str
    old: int            # 1-based positions among the sections
    new: int


@dataclass
class NumberChange:
    where: str
    old: str            # None: the number is new
    new: str            # None: it was removed


@dataclass
class Changes:
    texts: list = field(default_factory=list)           # TextChange of every changed text, in reading order
    sections_added: list = field(default_factory=list)  # titles
    sections_removed: list = field(default_factory=list)
    sections_moved: list = field(default_factory=list)  # Moved
    sections_edited: list = field(default_factory=list)
    key_points_added: int = 0
    key_points_removed: int = 0
    figures: list = field(default_factory=list)         # where a figure's or chart's picture changed
    references_added: list = field(default_factory=list)    # (id, title)
    references_removed: list = field(default_factory=list)
    references_changed: list = field(default_factory=list)
    values: list = field(default_factory=list)          # (field, old, new) of the other top-level fields
    budgets: list = field(default_factory=list)         # document.Budget of each variant with a page budget

    @property
    def numbers(self):
        return [NumberChange(text.where, old, new) for text in self.texts
                for old, new in words.changed_numbers(text.hunks)]

    @property
    def none(self):
        return not (self.texts or self.sections_moved or self.figures or self.references_added
                    or self.references_removed or self.references_changed or self.values
                    or self.sections_added or self.sections_removed)


def compare(old, new, old_library=(), new_library=(), old_folder=None):
    """(merged brief, Changes) of two full briefs (variant.select_variant, charts
    drawn); the libraries: their bibliography files' sources.Entry; old_folder:
    where the old version's files are (its pictures are shown from there)."""
    comparison = _Comparison(old_folder)
    merged = comparison.brief(old, new)
    comparison.references(old, new, old_library, new_library)
    return merged, comparison.changes


class _Comparison:
    def __init__(self, old_folder):
        self.changes = Changes()
        self.old_folder = old_folder
        self.plain = Markdown(None, "en").plain

    def text(self, where, old, new):
        """The merged markdown of one field; recorded when it changed."""
        if old == new:
            return new
        old_text, new_text = ("" if value is None else str(value) for value in (old, new))
        found = words.hunks(old_text, new_text)
        if not any(hunk.changed for hunk in found):
            return new
        self.changes.texts.append(TextChange(where, found))
        return words.merged(found)

    def brief(self, old, new):
        merged = dict(new)
        for key, label in TOP_TEXTS:
            merged[key] = self.text(label, old.get(key), new.get(key))
        self.changes.values += [(key, old.get(key), new.get(key)) for key in TOP_VALUES
                                if old.get(key) != new.get(key)]
        merged["key_points"] = self.key_points(old["key_points"], new["key_points"])
        merged["sections"] = self.sections(old["sections"], new["sections"], "Section")
        merged["recommendations"] = self.items(old["recommendations"], new["recommendations"],
                                               "Recommendation", ("title", "text", "audience"))
        merged["appendices"] = self.sections(old.get("appendices", []), new.get("appendices", []), "Appendix")
        return merged

    def key_points(self, old, new):
        before = len(self.changes.texts)
        merged = self.items(old, new, "Key point", None)
        added = [text for text in self.changes.texts[before:] if not any(hunk.old for hunk in text.hunks)]
        removed = [text for text in self.changes.texts[before:] if not any(hunk.new for hunk in text.hunks)]
        self.changes.key_points_added += len(added)
        self.changes.key_points_removed += len(removed)
        return merged

    def items(self, old, new, label, keys):
        """A list of texts (keys None) or of maps with those text keys, merged item by item."""
        merged = []
        for number, (before, after) in enumerate(_paired(old, new, _item_text), 1):
            where = f"{label} {number}"
            if keys is None:
                merged.append(self.text(where, before, after))
            else:
                base = dict(after or before)
                merged.append({**base, **{key: self.text(f"{where}, {key}", (before or {}).get(key),
                                                         (after or {}).get(key)) for key in keys}})
        return merged

    # --- sections -------------------------------------------------------------

    def sections(self, old, new, label):
        old_ids, new_ids = [section["id"] for section in old], [section["id"] for section in new]
        old_by_id = {section["id"]: section for section in old}
        kept_old_order = [id_ for id_ in old_ids if id_ in new_ids]
        kept_new_order = [id_ for id_ in new_ids if id_ in old_by_id]
        matcher = SequenceMatcher(None, kept_old_order, kept_new_order, autojunk=False)
        in_place = {id_ for block in matcher.get_matching_blocks()
                    for id_ in kept_new_order[block.b:block.b + block.size]}
        removed_after = {}   # id of the surviving old section before a removed one (None: at the start)
        previous = None
        for section in old:
            if section["id"] in new_ids:
                previous = section["id"]
            else:
                removed_after.setdefault(previous, []).append(section)
        merged = [self.section(None, section, label, "removed", old_ids.index(section["id"]) + 1)
                  for section in removed_after.get(None, [])]
        for position, section in enumerate(new, 1):
            id_ = section["id"]
            if id_ not in old_by_id:
                merged.append(self.section(None, section, label, "added", position))
            else:
                moved = id_ not in in_place
                merged.append(self.section(old_by_id[id_], section, label, "moved" if moved else None,
                                           old_ids.index(id_) + 1, position))
                merged += [self.section(None, gone, label, "removed", old_ids.index(gone["id"]) + 1)
                           for gone in removed_after.get(id_, [])]
        return merged

    def section(self, old, new, label, kind, old_position=None, new_position=None):
        """One section merged; kind: added, removed, moved or None (in place)."""
        if kind == "removed":
            old, new = new, None
        title = self.plain((new or old)["title"])
        where = f"{label} “{title}”"
        before = len(self.changes.texts) + len(self.changes.figures)
        base = dict(new or old)
        base["title"] = self.text(where + ", title", old and old["title"], new and new["title"])
        base["summary"] = self.text(where + ", summary", old and old.get("summary"), new and new.get("summary"))
        base["content"] = self.blocks(where, (old or {}).get("content", []), (new or {}).get("content", []))
        edited = len(self.changes.texts) + len(self.changes.figures) > before
        if label == "Section":
            if kind == "added":
                self.changes.sections_added.append(title)
            elif kind == "removed":
                self.changes.sections_removed.append(title)
            else:
                if kind == "moved":
                    self.changes.sections_moved.append(Moved(title, old_position, new_position))
                if edited:
                    self.changes.sections_edited.append(title)
        base["change"] = {"kind": kind or ("edited" if edited else None), "old": old_position, "new": new_position}
        return base

    # --- blocks ---------------------------------------------------------------

    def blocks(self, where, old, new):
        merged = []
        counts = {}
        for before, after in _paired(old, new, _block_text, same_kind=lambda a, b: a["type"] == b["type"]):
            kind = (after or before)["type"]
            counts[kind] = counts.get(kind, 0) + 1
            merged.append(self.block(f"{where}, {_BLOCK_NAMES.get(kind, kind)} {counts[kind]}", before, after))
        return merged

    def block(self, where, old, new):
        base = dict(new or self._shown_from_old(old))
        kind = blocks.block_type(base["type"])
        for key in [name or "text" for name in kind.markdown_fields] + (["title"] if base["type"] == "callout" else []):
            if key in base or (old and key in old):
                base[key] = self.text(f"{where}, {key}" if key != "text" else where,
                                      (old or {}).get(key), (new or {}).get(key))
        if base["type"] == "table":
            self.table(where, base, old, new)
        if old and new and base["type"] in ("figure", "chart") and _picture(old) != _picture(new):
            self.changes.figures.append(where)
            base["before"] = self._shown_from_old(old)
        return base

    def _shown_from_old(self, block):
        """An old block as the new document shows it: its picture from the old version's folder."""
        block = dict(block)
        if block.get("type") == "figure" and self.old_folder:
            block["image"] = (self.old_folder / block["image"]).resolve().as_uri()
        return block

    def table(self, where, merged, old, new):
        """Cell by cell: headers, then rows paired by their content."""
        old = old or {"columns": [], "rows": []}
        new = new or {"columns": [], "rows": []}
        merged["columns"] = [self.text(f"{where}, header {index}", before, after) for index, (before, after)
                             in enumerate(zip_longest(old["columns"], new["columns"]), 1)]
        width = len(merged["columns"])
        headers = [words.strip_marks(str(column or "")) for column in merged["columns"]]
        rows = []
        for number, (before, after) in enumerate(_paired(old["rows"], new["rows"], _row_text), 1):
            before, after = before or [None] * width, after or [None] * width
            rows.append([self.text(f"{where}, row {number}, {headers[index]}", old_cell, new_cell)
                         for index, (old_cell, new_cell) in enumerate(zip_longest(before, after))][:width])
        merged["rows"] = rows
        merged["align"] = (list(new.get("align") or old.get("align") or []) + ["left"] * width)[:width]

    # --- references -----------------------------------------------------------

    def references(self, old, new, old_library, new_library):
        before, after = _reference_items(old, old_library), _reference_items(new, new_library)
        self.changes.references_added = [(id_, _title(item)) for id_, item in after.items() if id_ not in before]
        self.changes.references_removed = [(id_, _title(item)) for id_, item in before.items() if id_ not in after]
        self.changes.references_changed = [(id_, _title(item)) for id_, item in after.items()
                                           if id_ in before and before[id_] != item]


_BLOCK_NAMES = {"text": "paragraph", "callout": "call-out"}


def _paired(old, new, text_of, same_kind=lambda a, b: True):
    """(old, new) items in the new order, with removed items at their old place
    (None on the side that lacks one); changed items at the same place are
    paired when alike."""
    matcher = SequenceMatcher(None, [text_of(item) for item in old], [text_of(item) for item in new], autojunk=False)
    pairs = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            pairs += list(zip(old[old_start:old_end], new[new_start:new_end]))
            continue
        removed, added = list(old[old_start:old_end]), list(new[new_start:new_end])
        while removed or added:
            if removed and added and same_kind(removed[0], added[0]) and _alike(text_of(removed[0]), text_of(added[0])):
                pairs.append((removed.pop(0), added.pop(0)))
            elif removed and (not added or len(removed) >= len(added)):
                pairs.append((removed.pop(0), None))
            else:
                pairs.append((None, added.pop(0)))
    return pairs


def _alike(old, new):
    return SequenceMatcher(None, words.tokens(old), words.tokens(new), autojunk=False).ratio() >= SIMILAR


def _item_text(item):
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def _block_text(block):
    shown = {key: value for key, value in block.items() if key not in ("svg",)}
    return _item_text(shown)


def _row_text(row):
    return " | ".join("" if cell is None else str(cell) for cell in row)


def _picture(block):
    """What a figure or chart draws: the chart's svg (named by its content), the figure's image digest (sides.py)."""
    return block.get("svg") or block.get("picture") or block.get("image")


def _reference_items(brief, library):
    items = {ref["id"]: yaml_to_csl(ref) for ref in brief.get("references", [])}
    items.update({entry.id: entry.item for entry in library})
    return items


def _title(item):
    return str(item.get("title") or item.get("id"))
