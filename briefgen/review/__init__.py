"""Review and clearance: what changed between two versions of a brief
(`brief diff OLD NEW`).

    sides.py     each side: a brief file, or a git revision of one
    words.py     word-level differences (diff-match-patch), a tokenizer per script
    compare.py   the two versions walked side by side: the changes, and the merged brief
    document.py  the changes document, composed through the theme: PDF and web page
    report.py    the summary and the word-level text diff, for the terminal
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .compare import compare
from .document import budgets, drawn, write_changes
from .report import summary_data
from .sides import read_sides


@dataclass
class Review:
    old: object         # sides.Side
    new: object
    changes: object     # compare.Changes
    merged: dict        # the merged brief
    files: list         # what was written (empty for --check and --format text)


def review(old, new, options, write=True):
    """Compare two versions; with write, lay out the changes document and
    measure each variant's page budget (layouts), else compare content only."""
    with tempfile.TemporaryDirectory(prefix="brief-diff-") as scratch:
        scratch = Path(scratch)
        old_side, new_side = read_sides(old, new, options, scratch)
        merged, changes = compare(drawn(old_side, options), drawn(new_side, options),
                                  old_side.prepared.library.entries, new_side.prepared.library.entries,
                                  old_side.folder)
        files = []
        if write:
            changes.budgets = budgets(old_side, new_side, options, scratch)
            files = write_changes(merged, summary_data(changes, old_side, new_side), old_side, new_side, options)
        return Review(old_side, new_side, changes, merged, files)
