"""Citations Zotero or Mendeley stored in the draft, as CSL-JSON with keys an
author can read and type: Zotero's item numbers ("109") and Mendeley's
"ITEM-1" become "smith2013", "boer2016a", ..."""

import re
import unicodedata

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
    return [dict(item, id=keys[str(item.get("id"))]) for item in items], keys


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
