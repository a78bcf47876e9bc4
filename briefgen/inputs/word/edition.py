"""What a Word file says in links and anchors, read back as the brief's own
references: the Word edition (`--format docx`) writes citations as links to
the entries of its reference list ("[1]" to #reference-ID), cross-references
as links ("Figure 2" to #fig-ID) and a contents heading (Word's *TOC Heading*)
with the cover's lines under it. Any Word file that links this way is read
the same way; a link that points nowhere stays its words."""

import re

from .tree import list_items, nodes_of, stringify, words

REFERENCE_ANCHOR = "reference-"
CROSS_KINDS = ("fig", "tbl", "app", "sec")
NUMBER = re.compile(r"(?:[0-9]+|[A-Z](?:\.[0-9]+)?)\s*$")   # Figure 2, Table A.1, Appendix B
LOCATOR = re.compile(r"^\[?\s*[0-9]+\s*,\s*(.+?)\s*\]?$")


def reference_entries(blocks):
    """{id: the entry's printed text} of a reference list whose entries carry
    anchors #reference-ID (the Word edition's)."""
    entries = {}
    for block in blocks:
        for item in list_items(block) or ([[block]] if block.get("t") == "Para" else []):
            anchors = [span["c"][0][0] for span in nodes_of(item, "Span")
                       if span["c"][0][0].startswith(REFERENCE_ANCHOR)]
            if anchors:
                entries[anchors[0][len(REFERENCE_ANCHOR):]] = words(stringify(item))
    return entries


def cross_reference_ids(tree):
    """{(kind, number): id} from links like [Figure 2](#fig-heat): the second
    figure's id is 'heat'."""
    found = {}
    for link in nodes_of(tree["blocks"], "Link"):
        url, text = link["c"][2][0], words(stringify(link["c"][1]))
        kind, _, name = url[1:].partition("-") if url.startswith("#") else ("", "", "")
        number = NUMBER.search(text)
        if kind in ("fig", "tbl", "app") and name and number:
            found.setdefault((kind, number.group(0).strip()), name)
    return found


def link_citation(url, text, cite_keys):
    """(id, locator) when a link is a citation of a reference entry, else None."""
    if not url.startswith("#" + REFERENCE_ANCHOR):
        return None
    key = url[1 + len(REFERENCE_ANCHOR):]
    if key not in cite_keys:
        return None
    locator = LOCATOR.match(words(text))
    return cite_keys[key], locator.group(1) if locator else None


def cross_reference(url):
    """(kind, id) of a link to a figure, table or appendix (#fig-heat), else None."""
    kind, _, name = url[1:].partition("-") if url.startswith("#") else ("", "", "")
    return (kind, name) if kind in CROSS_KINDS[:3] and name else None


def is_contents_heading(block):
    return block.get("t") == "Header" and "TOC-Heading" in block["c"][1][1]
