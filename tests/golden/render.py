"""Writes the golden files from the processor's current output:

    .venv/bin/python tests/golden/render.py

Only after reading every changed line against the style's published rules
(git diff tests/golden/): a golden file is what a reviewer checked by hand."""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from briefgen.content.citations import STYLES, Cite, format_citations, style_path  # noqa: E402
from briefgen.inputs.sources import read_bibtex  # noqa: E402

ENTRIES = json.loads((HERE / "entries.json").read_text(encoding="utf-8"))
# Every entry cited once, in the file's order, then the citation forms of the format.
CLUSTERS = [[Cite(item["id"])] for item in ENTRIES] + [
    [Cite("smith-journal", "p. 12"), Cite("lee-book", "chap. 3")],   # [@smith-journal, p. 12; @lee-book, chap. 3]
    [Cite("two-authors", mode="suppress")],                           # [-@two-authors]
    [Cite("many-authors", mode="intext")],                            # @many-authors
    [Cite("smith-journal")],                                          # a later citation of the first item
]


# The language each style's published examples are written in: Cite Them Right is British.
LANGUAGES = {"harvard": "en-GB"}


def rendered(style):
    formatted = format_citations(ENTRIES, CLUSTERS, style_path(style, None), LANGUAGES.get(style, "en-US"))
    lines = [f"cite {' '.join(c.id for c in cluster)}: {names + ' ' if names else ''}{text}"
             for cluster, (names, text) in zip(CLUSTERS, formatted.clusters)]
    lines += [f"entry {entry['id']}: {entry['label'] + ' ' if entry['label'] else ''}{entry['entry']}"
              for entry in formatted.entries]
    return "\n".join(lines) + "\n"


# BibTeX as people write it (bibtex.bib): read as LaTeX, then formatted like the rest.
BIBTEX = HERE / "bibtex.bib"


def bibtex_items():
    entries, problems = read_bibtex(BIBTEX.read_text(encoding="utf-8"), str(BIBTEX))
    assert not problems, problems
    return [entry.item for entry in entries]


def rendered_bibtex(style):
    items = bibtex_items()
    clusters = [[Cite(item["id"])] for item in items] + [[Cite("park-chapter", "p. 110")]]
    formatted = format_citations(items, clusters, style_path(style, None), LANGUAGES.get(style, "en-US"))
    lines = [f"cite {' '.join(c.id for c in cluster)}: {names + ' ' if names else ''}{text}"
             for cluster, (names, text) in zip(clusters, formatted.clusters)]
    lines += [f"entry {entry['id']}: {entry['label'] + ' ' if entry['label'] else ''}{entry['entry']}"
              for entry in formatted.entries]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    for style in STYLES:
        (HERE / f"{style}.txt").write_text(rendered(style), encoding="utf-8")
        (HERE / f"{style}.bib.txt").write_text(rendered_bibtex(style), encoding="utf-8")
