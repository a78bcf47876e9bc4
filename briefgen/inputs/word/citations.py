"""Citations Zotero or Mendeley stored in the draft, as CSL-JSON with keys an
author can read and type: Zotero's item numbers ("109") and Mendeley's
"ITEM-1" become "smith2013", "boer2016a", ...

Pandoc reads the citations, but keys them by the id each citation field
gives its items, and Mendeley numbers the items of every field from ITEM-1:
two different works would become one. So the works are taken from the fields
themselves (each CSL_CITATION field holds its items' CSL-JSON), in the order
pandoc met the citations, and told apart by what they are (DOI, URI, title
and year), whenever the fields and pandoc's citations match one for one."""

import json
import re
import unicodedata

from .tree import nodes_of

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

def rekeyed(items):
    """(the items with new ids, {old id: new id})."""
    keys, taken = {}, set()
    for item in items:
        base = _base(item)
        key, letter = base, 0
        while key in taken:
            key = f"{base}{chr(ord('a') + letter)}" if letter < 26 else f"{base}-{letter}"
            letter += 1
        taken.add(key)
        keys[str(item.get("id"))] = key
    return [_tidy(dict(item, id=keys[str(item.get("id"))])) for item in items], keys


def _tidy(item):
    """Mendeley's empty name parts and its 'parse-names' flag, which CSL processors warn about, left out."""
    for role in ("author", "editor", "translator", "container-author"):
        if isinstance(item.get(role), list):
            item[role] = [{key: value for key, value in person.items() if value != "" and key != "parse-names"}
                          if isinstance(person, dict) else person for person in item[role]]
    return item


def _base(item):
    people = item.get("author") or item.get("editor") or []
    name = ""
    if people and isinstance(people[0], dict):
        name = people[0].get("family") or people[0].get("literal") or ""
    if not name:   # no author: the title's first word
        name = (str(item.get("title") or "").split() or ["ref"])[0]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    ascii_name = re.sub(r"[^a-z0-9]+", "", ascii_name) or "ref"
    return f"{ascii_name}{_year(item)}"


def _year(item):
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    year = parts[0][0] if parts and parts[0] else ""
    return str(year) if str(year).isdigit() else ""


def cited_works(tree, document):
    """The CSL items the tree's citations cite, taken from the Word file's
    citation fields, with each citation's id set to its work's; None when the
    fields and the citations do not match one for one (then pandoc's own list)."""
    cites = list(nodes_of(tree["blocks"], "Cite"))
    fields = field_citations(document) if document is not None else []
    if not cites or len(fields) != len(cites) or any(
            field is None or len(field) != len(cite["c"][0]) or not all(field)
            for field, cite in zip(fields, cites)):
        return None
    works = {}
    for field, cite in zip(fields, cites):
        for item, citation in zip(field, cite["c"][0]):
            work = works.setdefault(_identity(item), dict(item, id=f"work-{len(works) + 1}"))
            citation["citationId"] = work["id"]
    return list(works.values())


def field_citations(document):
    """The items (CSL-JSON) of each CSL_CITATION field of a python-docx
    Document's body, in order; None for a field whose data cannot be read."""
    fields, parts, open_field = [], [], False
    for element in document.element.body.iter(f"{W}fldChar", f"{W}instrText", f"{W}fldSimple"):
        if element.tag == f"{W}fldChar":
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                open_field, parts = True, []
            elif open_field:
                open_field = False
                _add_field("".join(parts), fields)
        elif element.tag == f"{W}instrText" and open_field:
            parts.append(element.text or "")
        elif element.tag == f"{W}fldSimple":
            _add_field(element.get(f"{W}instr") or "", fields)
    return fields


def _add_field(instruction, fields):
    if "CSL_CITATION" not in instruction or "{" not in instruction:
        return
    try:
        data = json.JSONDecoder().raw_decode(instruction[instruction.index("{"):])[0]
        fields.append([item.get("itemData") for item in data.get("citationItems", [])])
    except (ValueError, AttributeError, TypeError):
        fields.append(None)


def _identity(item):
    doi = str(item.get("DOI") or "").lower()
    if doi:
        return ("doi", doi)
    title = re.sub(r"\W+", " ", str(item.get("title") or "")).strip().lower()
    return ("work", title, _year(item), str(item.get("type") or ""))
